"""The audit's check of registry events against their ledger leaves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.db.models import Q

from dataip.ledger._findings import Finding

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
)


def _payload_digest(payload: Any) -> str:
    """SHA-256 of the canonical JSON of the stored payload (as ``record_event`` computes it)."""
    from dataip.registry.events import digest

    try:
        return digest(payload)
    except (ValueError, TypeError):
        return "<not canonical JSON>"


class EventChecker:
    """Compares each event row with its leaf, a chunk of the log at a time."""

    def __init__(self) -> None:
        """No chunk loaded yet."""
        self.rows: dict[int, dict[str, Any]] = {}
        self.checked = 0
        self._last_leaf: dict[int | None, str] = {}  # application id -> its latest leaf hash

    def load(self, start: int, end: int) -> None:
        """Read the event rows of entries ``[start, end)``."""
        from dataip.registry.models import Event

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
            yield Finding("entry_no_event", {"entry": index})
            return
        self.checked += 1
        if leaf is not None:
            for name, expected in self._expected(row).items():
                if leaf.get(name) != expected:
                    yield self._mismatch(row, index, name, expected, leaf.get(name))
            yield from self._numbers(row, index, leaf)
            yield from self._prev(row, index, leaf)
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
        return Finding("event_field", params)

    def _numbers(self, row: dict[str, Any], index: int, leaf: dict[str, Any]) -> Iterator[Finding]:
        """Payload digest, and the application and registration numbers.

        A leaf may carry no number yet (the event came before the number was issued), but a
        number it carries must be the application's.
        """
        recomputed = _payload_digest(row["payload"])
        if recomputed != leaf.get("payload_sha256") and recomputed != row["payload_digest"]:
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
        from dataip.registry.models import Event

        stray = Event.objects.filter(Q(leaf_index__isnull=True) | Q(leaf_index__gte=size))
        for event_id, index in stray.values_list("id", "leaf_index").order_by("id"):
            yield Finding("event_no_entry", {"event": event_id, "entry": index})
