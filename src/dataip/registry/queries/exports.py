"""Bulk export (批量导出) of the public registrations, and its nightly snapshots.

One declaration, :data:`COLUMNS`, says what a row holds: the public particulars of a
registration (what its public page shows), codes as codes, with a Chinese and an English label
beside the codes a reader cannot read. JSON Lines and CSV are both written from it.

Rows are read with ``.values()`` over a server-side cursor (``.iterator(chunk_size=...)``):
an export of every registration never holds more than one chunk in memory.

**Which registrations.** Applications with a registration number in a public status
(registered, expired, cancelled, revoked): a registration never leaves the public statuses,
so a row once exported is never withdrawn; a revoked or cancelled one appears again with its
new status. Announced applications (not yet registrations) are not exported.

**The cursor** is the size of the evidence log (:func:`dataip.ledger.log.size`): every public
change of a registration is a public event with its leaf in the log, and leaves are appended
under the log's single-writer lock held until the commit, so every entry below the size read
is committed. An export read at cursor ``N`` is complete for every change logged below ``N``;
``since=N`` returns the registrations with a public event logged at ``N`` or later.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.core.files.storage import Storage, storages
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation

from dataip.errors import FieldErrors, gettext_noop
from dataip.ledger import log
from dataip.registry import labels
from dataip.registry.models import Event, Pledge, PledgeStatus, SearchEntry
from dataip.registry.storage import open_stream
from dataip.registry.workflow import PUBLIC_STATUSES

CHUNK = 2000
"""Rows fetched per round trip of the server-side cursor."""
BOM = "\ufeff"
"""The byte order mark Excel needs to read a CSV file as UTF-8."""
CURSOR_PATTERN = re.compile(r"^[0-9]{1,18}$")
SNAPSHOT_NAME = re.compile(
    r"^registrations-(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})-c(?P<cursor>[0-9]{1,18})"
    r"\.(?P<format>jsonl|csv)\.gz$"
)


def _label(function: Callable[[str], str], language: str) -> Callable[[str], str]:
    """``function``'s name of a code in ``language``, remembered per code."""
    seen: dict[str, str] = {}

    def named(code: str) -> str:
        if code not in seen:
            with translation.override(language):
                seen[code] = function(code) if code else ""
        return seen[code]

    return named


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Column:
    """One column of the export: its name (CSV header and JSON key), the ``.values()`` key it
    reads, and how a value is shown (a label maker is built once per export)."""

    name: str
    source: str
    show: Callable[[], Callable[[Any], Any]] | None = None


def _as_is() -> Callable[[Any], Any]:
    return lambda value: value


def _dates() -> Callable[[Any], Any]:
    return _day


def _labels(function: Callable[[str], str], language: str) -> Callable[[], Callable[[Any], Any]]:
    return lambda: _label(function, language)


P = "application__product__"
COLUMNS: tuple[Column, ...] = (
    Column("registrationNumber", "registration_number"),
    Column("applicationNumber", "number"),
    Column("certificateNumber", "application__certificate_number"),
    Column("name", P + "name"),
    Column("nameEn", P + "name_en"),
    Column("kind", P + "kind"),
    Column("kindLabel", P + "kind", _labels(labels.kind, "zh-hans")),
    Column("kindLabelEn", P + "kind", _labels(labels.kind, "en")),
    Column("summary", P + "summary"),
    Column("summaryEn", P + "summary_en"),
    Column("holders", "holders"),
    Column("holdersEn", "holders_en"),
    Column("industryCode", P + "industry_code"),
    Column("industryLabel", P + "industry_code", _labels(labels.industry, "zh-hans")),
    Column("industryLabelEn", P + "industry_code", _labels(labels.industry, "en")),
    Column("provinceCode", P + "province_code"),
    Column("provinceLabel", P + "province_code", _labels(labels.province, "zh-hans")),
    Column("provinceLabelEn", P + "province_code", _labels(labels.province, "en")),
    Column("regime", "application__regime_code"),
    Column("status", "status"),
    Column("statusLabel", "status", _labels(labels.status, "zh-hans")),
    Column("statusLabelEn", "status", _labels(labels.status, "en")),
    Column("underPledge", "under_pledge"),
    Column("registeredOn", "application__registered_on", _dates),
    Column("validFrom", "application__valid_from", _dates),
    Column("validUntil", "application__valid_until", _dates),
    Column("publicSince", "public_since", _dates),
)
"""The export's columns, in order: both formats are written from this one declaration."""
NAMES = tuple(column.name for column in COLUMNS)


def cursor_now() -> int:
    """The cursor up to which an export read from now on is complete (the log's size)."""
    return log.size()


def parse_since(text: str | None) -> int | None:
    """The ``since`` cursor of a request (None: everything); anything but a cursor is
    refused (``ValidationFailed`` on ``since``)."""
    if text is None or text == "":
        return None
    if not CURSOR_PATTERN.match(text):
        FieldErrors.raise_one(
            "since", gettext_noop("Not a cursor: give the X-Export-Cursor of an earlier export.")
        )
    return int(text)


def registrations(since: int | None = None) -> QuerySet[SearchEntry, dict[str, Any]]:
    """Every public registration as ``.values()`` rows (keys: the columns' sources), by id;
    with ``since``, only those with a public event logged at that cursor or later."""
    under_pledge = Pledge.objects.filter(
        application_id=OuterRef("application_id"), status=PledgeStatus.ACTIVE
    )
    rows = SearchEntry.objects.filter(
        status__in=[s.value for s in PUBLIC_STATUSES], registration_number__gt=""
    )
    if since is not None:
        changed = Event.objects.filter(public=True, leaf_index__gte=since).values("application_id")
        rows = rows.filter(application_id__in=changed)
    sources = sorted({c.source for c in COLUMNS if c.source != "under_pledge"})
    found: QuerySet[SearchEntry, dict[str, Any]] = (
        rows.annotate(under_pledge=Exists(under_pledge))
        .order_by("application_id")
        .values(*sources, "under_pledge")
    )
    return found


def rows(since: int | None = None) -> Iterator[dict[str, Any]]:
    """The export's rows (column name → value), streamed from the database."""
    shows = [(c.name, c.source, (c.show or _as_is)()) for c in COLUMNS]
    for values in registrations(since).iterator(chunk_size=CHUNK):
        yield {name: show(values[source]) for name, source, show in shows}


def jsonl_lines(since: int | None = None) -> Iterator[bytes]:
    """One JSON object per line (UTF-8), keys in the columns' order."""
    for row in rows(since):
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_lines(since: int | None = None, *, bom: bool = False) -> Iterator[bytes]:
    """The header row, then one CSV row per registration (UTF-8, with a BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[Any]) -> bytes:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    yield (BOM if bom else "").encode() + line(list(NAMES))
    for row in rows(since):
        yield line([_csv_value(v) for v in row.values()])


# ── nightly snapshots ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Snapshot:
    """A snapshot file: its day, the cursor it is complete up to, its format and size."""

    name: str
    day: date
    cursor: int
    format: str
    size: int


def snapshot_storage() -> Storage:
    """Where snapshots are kept: ``STORAGES["exports"]`` (the folder ``DATAIP_EXPORT_DIR``,
    default ``DATAIP_DATA_DIR/exports``; with object storage, ``exports/`` in the bucket)."""
    return storages["exports"]


def snapshots() -> list[Snapshot]:
    """Every snapshot kept, the newest first."""
    storage = snapshot_storage()
    try:
        _, names = storage.listdir("")
    except FileNotFoundError:  # a folder not made yet: no snapshot written
        return []
    found = []
    for name in names:
        if match := SNAPSHOT_NAME.match(name):
            found.append(
                Snapshot(
                    name=name,
                    day=date.fromisoformat(match["day"]),
                    cursor=int(match["cursor"]),
                    format=match["format"],
                    size=storage.size(name),
                )
            )
    return sorted(found, key=lambda s: (s.day, s.cursor, s.format), reverse=True)


def open_snapshot(name: str) -> tuple[IO[bytes], int] | None:
    """The snapshot named ``name``, open for reading as a stream (the caller closes it), with
    its size; None if there is none by that name."""
    if not SNAPSHOT_NAME.match(name):
        return None
    try:
        return open_stream(snapshot_storage(), name)
    except FileNotFoundError:
        return None
