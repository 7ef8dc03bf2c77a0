"""Schemas of the bulk export's snapshot list (the exports themselves are JSON Lines / CSV)."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class Snapshot(Schema):
    """A nightly snapshot file: its day, the cursor it is complete up to, its format."""

    name: str
    day: date
    cursor: int
    format: str
    size: int
    url: str


class Snapshots(Schema):
    """The snapshots kept (the newest first) and the live exports."""

    items: list[Snapshot]
    jsonl: str
    csv: str
    columns: list[str]
