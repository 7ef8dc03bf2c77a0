"""``dataip audit`` (账本审计): the ledger's own audit, and each registry event against its leaf.

The ledger recomputes its tree and checks its nodes, checkpoints and keys
(:mod:`dataip.ledger.audit`); the registry's part, here, compares each event row with its leaf
(type, from, to, actor role, time, reason and payload digests, application and registration
numbers, and the ``prev`` chain), names entries without an event and events without an entry,
and tells the ledger which entries announce a key rotation. A ``dip.event/v2`` leaf holds
commitments: each is recomputed from the salt and value stored in the event row, and the values
are then compared with the row like the clear fields of a ``dip.event/v1`` leaf. Then the replay
(:mod:`dataip.upkeep.replay`) checks every derived row against the events.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, ClassVar

from django.db.models import Q

from dataip.evidence.commitments import COMMITTED_FIELDS, EVENT_SCHEMA_V2, Opening
from dataip.evidence.errors import MalformedInput
from dataip.ledger.audit import CHUNK, AuditReport, Finding, LoggedRotation
from dataip.ledger.audit import run_audit as audit_ledger
from dataip.ledger.models import LogEntry
from dataip.registry.events import digest
from dataip.registry.models import Event
from dataip.registry.models.statistics import NO_PRIOR
from dataip.registry.rollup import differences
from dataip.registry.search_index import cell_differences
from dataip.upkeep.replay import Note, Replay
from dataip.upkeep.rotation import KEY_EVENTS

#: What the events' part of the audit can find, in English and Simplified Chinese.
MESSAGES: dict[str, tuple[str, str]] = {
    "event_field": (
        "event #{event}: {field} is {row!r} in the event row but {leaf!r} in entry {entry}",
        "事件 #{event}：{field} 在事件记录中为 {row!r}，在第 {entry} 号条目中却为 {leaf!r}",
    ),
    "event_no_entry": (
        "event #{event} points to entry {entry}, which is not in the log",
        "事件 #{event} 指向的第 {entry} 号条目不在日志中",
    ),
    "event_opening": (
        "event #{event}: the stored opening of {field} does not open its commitment in entry "
        "{entry}",
        "事件 #{event}：所存 {field} 的开示值与第 {entry} 号条目中的承诺不符",
    ),
    "entry_no_event": (
        "entry {entry} has no event row",
        "第 {entry} 号条目没有对应的事件记录",
    ),
}

_LOST = "<lost>"  # the previous leaf's hash is unknown: its row is gone
_FIELDS = (
    "id",
    "leaf_index",
    "application_id",
    "action",
    "from_status",
    "to_status",
    "actor_role",
    "occurred_at",
    "reason",
    "payload",
    "payload_digest",
    "application__number",
    "application__registration_number",
    "openings",
)


class EventFinding(Finding):
    """A finding about a registry event and its entry."""

    messages: ClassVar[Mapping[str, tuple[str, str]]] = MESSAGES

    @property
    def event(self) -> int | None:
        """The event row (id) concerned, if any."""
        value = self.params.get("event")
        return value if isinstance(value, int) else None


def _payload_digest(payload: Any) -> str:
    """SHA-256 of the canonical JSON of the stored payload (as ``record_event`` computes it)."""
    try:
        return digest(payload)
    except (ValueError, TypeError):
        return "<not canonical JSON>"


def _opening(stored: Any, field: str) -> Opening | None:
    """The stored opening of ``field`` (None if missing or unreadable)."""
    if not isinstance(stored, dict):
        return None
    try:
        return Opening.from_json(field, stored.get(field))
    except MalformedInput:
        return None


def _opens(opening: Opening | None, commitment: Any) -> bool:
    """Whether ``opening`` opens ``commitment``."""
    if opening is None or not isinstance(commitment, str):
        return False
    try:
        return opening.commitment() == commitment
    except (ValueError, TypeError):
        return False


def opened_view(leaf: dict[str, Any], stored: Any) -> tuple[dict[str, Any], list[str]]:
    """The event fields a leaf states, with the row's ``stored`` openings: a v1 leaf's own
    fields; for a v2 leaf, the time and each field whose stored opening opens its commitment.
    Also the fields whose opening does not (or that a v2 row has in a v1-shaped leaf)."""
    if leaf.get("schema") != EVENT_SCHEMA_V2:
        return leaf, ([] if stored is None else ["schema"])
    commitments = leaf.get("commitments")
    commitments = commitments if isinstance(commitments, dict) else {}
    view: dict[str, Any] = {"schema": EVENT_SCHEMA_V2, "time": leaf.get("time")}
    bad: list[str] = []
    for field in COMMITTED_FIELDS:
        opening = _opening(stored, field)
        if opening is not None and _opens(opening, commitments.get(field)):
            view[field] = opening.value
        else:
            bad.append(field)
    return view, bad


class EventChecker:
    """Compares each event row with its leaf, a chunk of the log at a time.

    The :class:`~dataip.ledger.audit.EntryChecker` of the registry.
    """

    def __init__(self) -> None:
        """No chunk loaded yet."""
        self.rows: dict[int, dict[str, Any]] = {}
        self.checked = 0
        self._last_leaf: dict[int | None, str] = {}  # application id -> its latest leaf hash

    def load(self, start: int, end: int) -> None:
        """Read the event rows of entries ``[start, end)``."""
        rows = Event.objects.filter(leaf_index__gte=start, leaf_index__lt=end).values(*_FIELDS)
        self.rows = {int(row["leaf_index"]): row for row in rows}

    def check(
        self, index: int, leaf: dict[str, Any] | None, recorded: str | None
    ) -> Iterator[Finding]:
        """Compare entry ``index`` (parsed ``leaf``, or None if unreadable) with its event.

        ``recorded`` is the leaf hash stored for the entry (None if lost): the next event of
        the same application must name it as ``prev``.
        """
        row = self.rows.get(index)
        if row is None:
            yield EventFinding("entry_no_event", {"entry": index})
            return
        self.checked += 1
        if leaf is not None:
            view, bad = opened_view(leaf, row["openings"])
            for name in bad:
                if name == "schema":
                    yield self._mismatch(row, index, name, EVENT_SCHEMA_V2, leaf.get("schema"))
                else:
                    params = {"event": row["id"], "entry": index, "field": name}
                    yield EventFinding("event_opening", params)
            for name, expected in self._expected(row).items():
                if name in view and view[name] != expected:
                    yield self._mismatch(row, index, name, expected, view[name])
            yield from self._numbers(row, index, view)
            yield from self._prev(row, index, view)
        self._last_leaf[row["application_id"]] = recorded or _LOST

    @staticmethod
    def _expected(row: dict[str, Any]) -> dict[str, Any]:
        """The leaf fields that ``record_event`` derives from the row's own columns."""
        return {
            "type": row["action"],
            "from": row["from_status"] or None,
            "to": row["to_status"] or None,
            "actor_role": row["actor_role"],
            "time": row["occurred_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reason_sha256": hashlib.sha256(row["reason"].encode()).hexdigest(),
            "payload_sha256": row["payload_digest"],
        }

    @staticmethod
    def _mismatch(row: dict[str, Any], index: int, name: str, mine: Any, leaf: Any) -> Finding:
        """An event field that disagrees with the leaf."""
        params = {"event": row["id"], "entry": index, "field": name, "row": mine, "leaf": leaf}
        return EventFinding("event_field", params)

    def _numbers(self, row: dict[str, Any], index: int, leaf: dict[str, Any]) -> Iterator[Finding]:
        """Payload digest, and the application and registration numbers.

        A leaf may carry no number yet (the event came before the number was issued), but a
        number it carries must be the application's.
        """
        recomputed = _payload_digest(row["payload"])
        stated = leaf.get("payload_sha256", recomputed)  # a sealed digest was reported already
        if recomputed != stated and recomputed != row["payload_digest"]:
            yield self._mismatch(row, index, "payload", recomputed, leaf.get("payload_sha256"))
        for name, column in (
            ("application", "application__number"),
            ("registration", "application__registration_number"),
        ):
            value = leaf.get(name)
            if value is not None and value != row[column]:
                yield self._mismatch(row, index, name, row[column], value)

    def _prev(self, row: dict[str, Any], index: int, leaf: dict[str, Any]) -> Iterator[Finding]:
        """``prev`` names the leaf of the application's previous event (when present)."""
        if "prev" in leaf:
            expected = self._last_leaf.get(row["application_id"])
            if expected != _LOST and leaf["prev"] != expected:
                yield self._mismatch(row, index, "prev", expected, leaf["prev"])

    def orphans(self, size: int) -> Iterator[Finding]:
        """Events whose entry is not in the log."""
        stray = Event.objects.filter(Q(leaf_index__isnull=True) | Q(leaf_index__gte=size))
        for event_id, index in stray.values_list("id", "leaf_index").order_by("id"):
            yield EventFinding("event_no_entry", {"event": event_id, "entry": index})

    def rotations(self) -> Sequence[LoggedRotation]:
        """The logged key rotations, each checked against the payload digest of its leaf."""
        rows = list(
            Event.objects.filter(action__in=KEY_EVENTS)
            .exclude(leaf_index=None)
            .order_by("leaf_index")
            .values_list("leaf_index", "payload", "openings")
        )
        indices = [int(i or 0) for i, _, _ in rows]
        bodies = dict(LogEntry.objects.filter(index__in=indices).values_list("index", "body"))
        found = []
        for index, (_, stored, openings) in zip(indices, rows, strict=True):
            payload = dict(stored or {})
            found.append(
                LoggedRotation(
                    entry=index,
                    old_vkey=payload.get("old_vkey"),
                    new_vkey=payload.get("new_vkey"),
                    faithful=_payload_matches(payload, bodies.get(index, ""), openings),
                )
            )
        return found


def _payload_matches(payload: dict[str, object], body: str, openings: Any = None) -> bool:
    """The leaf's payload digest (opened with the row's ``openings`` for a v2 leaf) is the
    digest of the event row's payload."""
    try:
        leaf = json.loads(body)
        view, _ = opened_view(leaf, openings) if isinstance(leaf, dict) else ({}, [])
        return bool(view.get("payload_sha256") == digest(payload))
    except (ValueError, AttributeError):
        return False


@dataclass
class FullAuditReport(AuditReport):
    """The ledger's counts, and the derived rows the replay compared with the events."""

    rows: int = 0


def _altered_applications(findings: Sequence[Finding]) -> set[int]:
    """Applications with an event already found altered: the replay does not blame their
    derived rows for it (the event is the culprit, already named)."""
    events = {f.params["event"] for f in findings if isinstance(f.params.get("event"), int)}
    entries = {f.entry for f in findings if f.entry is not None}
    altered = Event.objects.filter(Q(pk__in=events) | Q(leaf_index__in=entries)).exclude(
        application=None
    )
    return set(altered.values_list("application_id", flat=True))


def run_audit(chunk: int = CHUNK) -> Iterator[Finding | AuditReport | Note]:
    """The full audit (what ``dataip audit`` runs): the ledger, the registry's events against
    it, the replay of the events against every derived row (:mod:`dataip.upkeep.replay`),
    then, if all that checks out, the statistics cells against their recomputation
    (:func:`statistics_findings`).

    Yields each :class:`~dataip.ledger.audit.Finding` as found, the replay's
    notes (:class:`~dataip.upkeep.replay.Note`) on what it could not check (not findings), then a
    :class:`FullAuditReport` (``records`` counts the events checked, ``rows`` the derived rows).
    """
    found: list[Finding] = []
    ledger_report = AuditReport()
    for item in audit_ledger(chunk, EventChecker()):
        if isinstance(item, AuditReport):
            ledger_report = item
        else:
            found.append(item)
            yield item
    report = FullAuditReport(**vars(ledger_report))
    replay = Replay(skip=_altered_applications(found))
    for note_or_finding in replay.run():
        if isinstance(note_or_finding, Finding):
            report.findings += 1
        yield note_or_finding
    report.rows = replay.rows
    # The statistics cells are compared with their recomputation once the rows they sum
    # check out: a row that differs from its events makes the cells differ too, and
    # `dataip rebuild-statistics` is the mend only after the rows are right.
    if not report.findings:
        for finding in itertools.chain(statistics_findings(), search_cell_findings()):
            report.findings += 1
            yield finding
    yield report


class StatisticsFinding(Finding):
    """A statistics cell that differs from its recomputation from the registry."""

    messages: ClassVar[Mapping[str, tuple[str, str]]] = {
        "statistics_cell": (
            "statistics cell {cell}: stored {stored}, recomputed {recomputed}; run "
            "`dataip rebuild-statistics`",
            "统计单元 {cell}：存储值 {stored}，重新计算为 {recomputed}；请运行 "
            "`dataip rebuild-statistics`",
        ),
        "search_cell": (
            "search facet cell {cell}: stored {stored} entries, the index holds {recomputed}; run "
            "`dataip rebuild-statistics`",
            "检索分面计数单元 {cell}：存储值 {stored} 条，索引中为 {recomputed} 条；请运行 "
            "`dataip rebuild-statistics`",
        ),
    }


def statistics_findings(limit: int = 20) -> Iterator[StatisticsFinding]:
    """The statistics cells that differ from a recomputation from the source rows (at most
    ``limit`` named: one is enough to rebuild)."""
    for key, mine, theirs in differences(limit):
        monthly, period, measure, province, code, prior = key
        cell = f"{measure} {period:%Y-%m}{'' if monthly else period.strftime('-%d')}"
        cell += f" {province or '-'} {code or '-'}"
        if prior != NO_PRIOR:
            cell += f" after {prior}"
        yield StatisticsFinding(
            "statistics_cell",
            {
                "cell": cell,
                "stored": "none" if mine is None else f"{mine[0]}/{mine[1]}/{mine[2]}",
                "recomputed": "none" if theirs is None else f"{theirs[0]}/{theirs[1]}/{theirs[2]}",
            },
        )


def search_cell_findings(limit: int = 20) -> Iterator[StatisticsFinding]:
    """The search's facet cells that differ from a count of the index rows (at most ``limit``
    named); the public statistics and the search's counts without words read them."""
    for values, stored, counted in cell_differences(limit):
        yield StatisticsFinding(
            "search_cell",
            {
                "cell": " ".join(str(value) or "-" for value in values),
                "stored": str(stored),
                "recomputed": str(counted),
            },
        )
