"""Schemas of the transparency-log API, shaped like Sigstore Rekor's (hex hashes, camelCase)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class LogInfo(Schema):
    """The latest signed tree head (Rekor ``GET /api/v1/log``)."""

    origin: str
    treeSize: int
    rootHash: str
    signedTreeHead: str
    keys: list[str]


class Opening(Schema):
    """The opening of one commitment of a ``dip.event/v2`` leaf: its salt and the value."""

    salt: str
    value: str | None


class LogEntry(Schema):
    """One log entry: the canonical JSON of a registry event and its leaf hash (the entry ID).

    ``openings`` open the leaf's public fields (type, numbers, statuses, role) when the event
    is a public event of a public application; for every other entry it is empty.
    """

    logIndex: int
    leafHash: str
    body: str
    integratedTime: int
    openings: dict[str, Opening]


class LogEntries(Schema):
    """Entries ``[start, end)`` of the log."""

    start: int
    end: int
    treeSize: int
    entries: list[LogEntry]


class InclusionProof(Schema):
    """An RFC 9162 audit path, leaf side first (Rekor ``inclusionProof``)."""

    logIndex: int
    leafHash: str
    treeSize: int
    rootHash: str
    hashes: list[str]
    checkpoint: str | None


class ConsistencyProof(Schema):
    """An RFC 9162 consistency proof between two tree sizes (Rekor ``GET /log/proof``)."""

    firstSize: int
    lastSize: int
    firstRootHash: str
    rootHash: str
    hashes: list[str]


class StoredCheckpoint(Schema):
    """A checkpoint the log signed and stored: its size, root, when, and the signed note."""

    treeSize: int
    rootHash: str
    time: datetime
    note: str


class StoredCheckpoints(Schema):
    """A page of stored checkpoints, by increasing tree size; ``nextFromSize`` continues."""

    checkpoints: list[StoredCheckpoint]
    nextFromSize: int | None


class Problem(Schema):
    """RFC 9457 problem details, as every error is returned."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
