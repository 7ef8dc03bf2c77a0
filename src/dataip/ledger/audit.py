"""``dataip audit`` (账本审计): recompute the whole log from its entries and check everything.

In one streaming pass over the entries (a chunk at a time, so a log of millions of entries
needs little memory) the audit

* recomputes each leaf hash from the stored body and the whole tree from the leaves, and
  compares every stored node with it;
* checks every stored checkpoint: signature by one of the registry's keys (rotated ones too,
  each only after the logged rotation that introduced it), origin, and its root against the
  recomputed root at its size; and each checkpoint's RFC 3161 token, if any;
* hands each parsed leaf to the :class:`EntryChecker` of the application above the ledger, which
  compares it with its own record (for the registry, :mod:`dataip.upkeep.audit` checks every
  event); that checker also names the entries that announce key rotations.

Each finding names the culprit: a stored node or checkpoint that disagrees only because an
entry below it was already found altered is not reported again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Q

from dataip.evidence import EMPTY_ROOT, VerificationError, leaf_hash, node_hash, open_note
from dataip.evidence import Checkpoint as CheckpointBody
from dataip.evidence.timestamp import verify_timestamp
from dataip.ledger import keys, log, timestamps
from dataip.ledger._audit_keys import KeyChain, LoggedRotation, key_chain
from dataip.ledger._findings import Finding
from dataip.ledger.models import Checkpoint, LogEntry, LogNode

__all__ = ["AuditReport", "EntryChecker", "Finding", "LoggedRotation", "run_audit"]

CHUNK = 4096
_UNKNOWN = b"\xff" * 32  # stands in for a leaf whose row is gone


@dataclass
class AuditReport:
    """Counts of what was checked, and how many findings there were."""

    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    timestamps: int = 0
    records: int = 0  # records above the ledger compared with their entries
    findings: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return self.findings == 0


class EntryChecker(Protocol):
    """What the application above the ledger checks of the entries it wrote, in one audit."""

    #: How many of its records were compared with their entries.
    checked: int

    def rotations(self) -> Sequence[LoggedRotation]:
        """The entries that announce a key rotation, in log order."""

    def load(self, start: int, end: int) -> None:
        """Read the records of entries ``[start, end)`` (called before checking them)."""

    def check(
        self, index: int, leaf: dict[str, Any] | None, recorded: str | None
    ) -> Iterator[Finding]:
        """Compare entry ``index`` (its parsed leaf, None if unreadable) with its record.

        ``recorded`` is the leaf hash stored for the entry (None if lost).
        """

    def orphans(self, size: int) -> Iterator[Finding]:
        """Records that point to no entry of a log of ``size`` entries."""


class _NoRecords:
    """The checker of a ledger used on its own: leaves are not compared with anything."""

    checked = 0

    def rotations(self) -> Sequence[LoggedRotation]:
        return ()

    def load(self, start: int, end: int) -> None:
        pass

    def check(
        self, index: int, leaf: dict[str, Any] | None, recorded: str | None
    ) -> Iterator[Finding]:
        return iter(())

    def orphans(self, size: int) -> Iterator[Finding]:
        return iter(())


@dataclass
class _Tree:
    """The recomputed right-edge frontier: ``(level, hash, tainted)`` per complete subtree.

    ``tainted`` marks a subtree under an already-reported discrepancy.
    """

    frontier: list[tuple[int, bytes, bool]] = field(default_factory=list)
    size: int = 0

    def root(self) -> tuple[bytes, bool]:
        """The recomputed root, and whether anything below it was already reported."""
        if not self.frontier:
            return EMPTY_ROOT, False
        _, acc, tainted = self.frontier[-1]
        for _, left, left_tainted in reversed(self.frontier[:-1]):
            acc = node_hash(left, acc)
            tainted = tainted or left_tainted
        return acc, tainted


def _created_ranges(start: int, end: int) -> Q:
    """Nodes completed while appending leaves ``[start, end)``: one index range per level."""
    query = Q()
    level = 0
    while (1 << level) <= end:
        low = -(-(start + 1) // (1 << level)) - 1
        high = (end >> level) - 1
        if low <= high:
            query |= Q(level=level, index__gte=low, index__lte=high)
        level += 1
    return query


class _Audit:
    """One audit run (see the module docstring)."""

    def __init__(self, chunk: int, records: EntryChecker) -> None:
        self.chunk = chunk
        self.report = AuditReport()
        self.tree = _Tree()
        self.size = log.size()
        self.records = records
        self.chain: KeyChain = key_chain(records.rotations())
        self.ca_pem = timestamps.tsa_ca_pem()
        self._checkpoints = self._iter_checkpoints()
        self._next_checkpoint = next(self._checkpoints, None)

    def run(self) -> Iterator[Finding]:
        """Yield the findings, in log order."""
        yield from self.chain.findings
        yield from self._checkpoints_at(0)
        for start in range(0, self.size, self.chunk):
            yield from self._chunk(start, min(start + self.chunk, self.size))
        while self._next_checkpoint is not None:  # checkpoints beyond the last entry
            cp = self._next_checkpoint
            self.report.checkpoints += 1
            yield Finding("checkpoint_beyond", {"checkpoint": cp.size, "size": self.size})
            self._next_checkpoint = next(self._checkpoints, None)
        yield from self._extra_nodes()
        yield from self.records.orphans(self.size)
        self.report.records = self.records.checked

    def _chunk(self, start: int, end: int) -> Iterator[Finding]:
        """Check entries ``[start, end)``, the nodes and the checkpoints they complete."""
        rows = {
            index: (stored_hash, body)
            for index, stored_hash, body in LogEntry.objects.filter(
                index__gte=start, index__lt=end
            ).values_list("index", "leaf_hash", "body")
        }
        stored = {
            (level, index): h
            for level, index, h in LogNode.objects.filter(_created_ranges(start, end)).values_list(
                "level", "index", "hash"
            )
        }
        self.report.nodes += len(stored)
        self.records.load(start, end)
        for index in range(start, end):
            yield from self._leaf(index, rows.get(index), stored)
            yield from self._checkpoints_at(index + 1)

    def _leaf(
        self, index: int, row: tuple[str, str] | None, stored: dict[tuple[int, int], str]
    ) -> Iterator[Finding]:
        """Check one entry and push its leaf into the recomputed tree."""
        tainted = False
        if row is None:
            yield Finding("entry_missing", {"entry": index})
            leaf, tainted, body = _UNKNOWN, True, None
        else:
            self.report.entries += 1
            body = row[1].encode("utf-8")
            leaf = leaf_hash(body)
            if leaf.hex() != row[0]:
                yield Finding("leaf_hash", {"entry": index})
                tainted = True
            elif stored.get((0, index)) != row[0]:
                yield Finding("leaf_node", {"entry": index})
                tainted = True
        recorded = row[0] if row is not None else stored.get((0, index))
        yield from self._record_for(index, body, recorded)
        yield from self._push(leaf, tainted, stored)

    def _record_for(
        self, index: int, body: bytes | None, recorded: str | None
    ) -> Iterator[Finding]:
        """Parse entry ``index`` and have the application's record of it checked."""
        parsed: dict[str, Any] | None = None
        if body is not None:
            try:
                value = json.loads(body)
            except ValueError:
                value = None
            if not isinstance(value, dict):
                yield Finding("bad_body", {"entry": index})
            else:
                parsed = value
        yield from self.records.check(index, parsed, recorded)

    def _push(
        self, leaf: bytes, tainted: bool, stored: dict[tuple[int, int], str]
    ) -> Iterator[Finding]:
        """Append a leaf to the recomputed frontier, checking every node it completes."""
        frontier = self.tree.frontier
        level, h, index = 0, leaf, self.tree.size
        while frontier and frontier[-1][0] == level:
            _, left, left_tainted = frontier.pop()
            h = node_hash(left, h)
            tainted = tainted or left_tainted
            level += 1
            index >>= 1
            found = stored.get((level, index))
            span = {"level": level, "index": index, "first": index << level}
            span["last"] = ((index + 1) << level) - 1
            if found is None:
                yield Finding("node_missing", span)
                tainted = True
            elif found != h.hex():
                if not tainted:
                    yield Finding("node_mismatch", span)
                tainted = True
        frontier.append((level, h, tainted))
        self.tree.size += 1

    def _iter_checkpoints(self) -> Iterator[Checkpoint]:
        """Stored checkpoints in size order, read a page at a time."""
        after = -1
        while True:
            page = list(
                Checkpoint.objects.filter(size__gt=after)
                .select_related("timestamp")
                .order_by("size")[:500]
            )
            if not page:
                return
            yield from page
            after = page[-1].size

    def _checkpoints_at(self, size: int) -> Iterator[Finding]:
        """Check every stored checkpoint of exactly ``size`` entries (at most one)."""
        while self._next_checkpoint is not None and self._next_checkpoint.size == size:
            yield from self._checkpoint(self._next_checkpoint)
            self._next_checkpoint = next(self._checkpoints, None)

    def _checkpoint(self, cp: Checkpoint) -> Iterator[Finding]:
        """Signature, origin, stored columns, root and token of one checkpoint."""
        self.report.checkpoints += 1
        try:
            opened = open_note(cp.note, self.chain.verifiers)
            body = CheckpointBody.from_text(opened.text)
        except VerificationError as exc:
            yield Finding("checkpoint_signature", {"checkpoint": cp.size, "detail": exc.message})
            return
        yield from self.chain.check_signers(cp.size, opened.signatures)
        if body.origin != keys.origin():
            yield Finding(
                "checkpoint_origin",
                {"checkpoint": cp.size, "origin": body.origin, "expected": keys.origin()},
            )
        if body.size != cp.size or body.root_hash.hex() != cp.root_hash:
            yield Finding("checkpoint_columns", {"checkpoint": cp.size})
        recomputed, tainted = self.tree.root()
        if not tainted and recomputed != body.root_hash:
            yield Finding("checkpoint_root", {"checkpoint": cp.size})
        yield from self._token(cp)

    def _token(self, cp: Checkpoint) -> Iterator[Finding]:
        """The checkpoint's RFC 3161 token, if it has one."""
        stamp = getattr(cp, "timestamp", None)
        if stamp is None:
            return
        self.report.timestamps += 1
        try:
            verify_timestamp(bytes(stamp.token), cp.note.encode("utf-8"), ca_pem=self.ca_pem)
        except VerificationError as exc:
            yield Finding("timestamp", {"checkpoint": cp.size, "detail": exc.message})

    def _extra_nodes(self) -> Iterator[Finding]:
        """Stored nodes that cover leaves beyond the log's size."""
        level = 0
        while LogNode.objects.filter(level__gte=level).exists():
            extra = LogNode.objects.filter(level=level, index__gte=self.size >> level).count()
            if extra:
                yield Finding("node_extra", {"level": level, "count": extra, "size": self.size})
            level += 1


def run_audit(
    chunk: int = CHUNK, records: EntryChecker | None = None
) -> Iterator[Finding | AuditReport]:
    """Audit the ledger; yield each :class:`Finding` as found, then the :class:`AuditReport`.

    ``records`` checks the entries against the application's own records (default: nothing
    beyond the tree, the keys and the checkpoints).
    """
    audit = _Audit(chunk, records or _NoRecords())
    for finding in audit.run():
        audit.report.findings += 1
        yield finding
    yield audit.report
