"""The statistics cells (:class:`~dataip.registry.models.StatisticsCell`): what the bulletin
(:mod:`dataip.registry.queries.bulletin`) sums instead of scanning the registry.

Every application contributes to a few cells: applications accepted (the day of submission in
the registry's time zone), registrations by industry, kind, filing holder type, days to
registration and whether pledged (the day of registration), and each of its records after
registration (licences, trades, service revenue, pledges that stood) on its own day. Each
contribution goes to a day cell and to a month cell. :func:`follow` keeps them in step: the
transition reads the application's contributions under the row lock (:func:`facts`), applies
its effect, and adds the difference, in the same transaction (a rollback leaves no change).
:func:`rebuild` recomputes every cell from the source rows (``dataip manage
rebuild_statistics``); :func:`differences` compares the stored cells with that recomputation
(``dataip audit``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, Q

from dataip.registry import clock, counters
from dataip.registry.models import Application, Event, Licence, Pledge, ServiceRevenue, Trade
from dataip.registry.models.holders import HolderKind
from dataip.registry.models.rights import COUNTED_TRADES, PledgeStatus
from dataip.registry.models.statistics import NO_PRIOR, StatisticsCell

CURRENCY = "CNY"

ENTERPRISE = "enterprise"
INSTITUTION = "institution"
NATURAL_PERSON = "natural_person"

PLEDGED = (PledgeStatus.ACTIVE, PledgeStatus.RELEASED)
"""A pledge counts once it stood: in force, or released after it stood (not a proposal, not a
declined one)."""

ACCEPTED = "accepted"
REG_INDUSTRY = "reg.industry"
REG_KIND = "reg.kind"
REG_FILER = "reg.filer"
REG_DAYS = "reg.days"
REG_PLEDGED = "reg.pledged"
REG_STAGE = "reg.stage"
"""Code ``status:days`` (days with one decimal): a stage on the way to registration."""

RECORDS: dict[str, tuple[type[Model], str, Q]] = {
    "licence": (Licence, "recorded_at", Q()),
    "trade": (Trade, "traded_on", Q(status__in=COUNTED_TRADES)),
    "revenue": (ServiceRevenue, "period_end", Q()),
    "pledge": (Pledge, "recorded_at", Q(status__in=PLEDGED)),
}
"""Each kind of record after registration the bulletin adds up: its model, the column whose
day places it in a period, which rows count."""

Key = tuple[str, date, str, str, date]
"""(measure, day, province, code, prior)."""
CellKey = tuple[bool, date, str, str, str, date]
"""(monthly, period, measure, province, code, prior): the unique key of a cell."""


def holder_type(kind: str, identifier: str) -> str:
    """Enterprise, institution or natural person (``bulletin.HOLDER_TYPES``)."""
    if kind == HolderKind.NATURAL_PERSON:
        return NATURAL_PERSON
    return ENTERPRISE if identifier.startswith("9") else INSTITUTION


def _day(value: date | datetime) -> date:
    return clock.local_date(value) if isinstance(value, datetime) else value


_APP_FIELDS = (
    "id",
    "submitted_at",
    "registered_on",
    "product__province_code",
    "product__industry_code",
    "product__kind",
    "filed_by__kind",
    "filed_by__identifier",
)


@dataclass
class Facts:
    """What an application contributes to the cells."""

    row: tuple[Any, ...] | None
    records: dict[str, list[tuple[date, int, str, Decimal]]] = field(default_factory=dict)
    events: list[tuple[int, str, str, datetime]] = field(default_factory=list)
    """(id, from status, to status, when) of its events, for the stages."""

    def contributions(self) -> dict[Key, list[Any]]:
        out: dict[Key, list[Any]] = {}

        def add(key: Key, records: int, cny: int = 0, total: Decimal = Decimal(0)) -> None:
            cell = out.setdefault(key, [0, 0, Decimal(0)])
            cell[0] += records
            cell[1] += cny
            cell[2] += total

        if self.row is None:
            return out
        _, submitted, registered, province, industry, kind, filer_kind, identifier = self.row
        province = province or ""
        filer = holder_type(filer_kind, identifier or "")
        if submitted is not None:
            add((ACCEPTED, _day(submitted), province, filer, NO_PRIOR), 1)
        if registered is not None:
            add((REG_INDUSTRY, registered, province, industry or "", NO_PRIOR), 1)
            add((REG_KIND, registered, province, kind or "", NO_PRIOR), 1)
            add((REG_FILER, registered, province, filer, NO_PRIOR), 1)
            if submitted is not None:
                days = (registered - _day(submitted)).days
                add((REG_DAYS, registered, province, str(days), NO_PRIOR), 1)
            if self.records.get("pledge"):
                add((REG_PLEDGED, registered, province, "", NO_PRIOR), 1)
            for status, days in stages(self.events):
                add((REG_STAGE, registered, province, f"{status}:{days}", NO_PRIOR), 1)
        for measure, rows in self.records.items():
            previous: date | None = None
            for day, _, currency, amount in sorted(rows):
                if currency == CURRENCY:
                    add((measure, day, province, "", previous or NO_PRIOR), 1, 1, amount)
                    previous = day
                else:
                    add((measure, day, province, "", NO_PRIOR), 1)
        return out


def _days(delta: timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / Decimal(86400)).quantize(
        Decimal("0.1"), "ROUND_HALF_UP"
    )


def stages(events: Iterable[tuple[int, str, str, datetime]]) -> list[tuple[str, Decimal]]:
    """The days spent in each status on the way to registration, from one application's
    events: a stage runs from the event that entered the status to the event that left it."""
    spent: list[tuple[str, Decimal]] = []
    entered: datetime | None = None
    for _, from_status, to_status, at in sorted(events):
        if not from_status or not to_status or from_status == to_status:
            continue
        if from_status != "draft" and entered is not None:
            spent.append((from_status, _days(at - entered)))
        entered = at
        if to_status == "registered":
            break
    return spent


def _event_rows() -> Any:
    return Event.objects.filter(application__isnull=False).values_list(
        "application_id", "id", "from_status", "to_status", "occurred_at"
    )


def _record_rows(measure: str) -> Any:
    model, column, which = RECORDS[measure]
    return model._default_manager.filter(which).values_list(
        "application_id", column, "id", "currency", "amount"
    )


def facts(application_id: int) -> Facts:
    """The application's contributions as they stand (read under its row lock)."""
    row = Application.objects.filter(pk=application_id).values_list(*_APP_FIELDS).first()
    found = Facts(row)
    if row is None or row[2] is None:
        # Not registered (yet): no record after registration can exist (each is made on a
        # registration), and stages count only once registered: the row is all there is.
        return found
    for measure in RECORDS:
        rows = [
            (_day(day), pk, currency, amount)
            for _, day, pk, currency, amount in _record_rows(measure).filter(
                application_id=application_id
            )
        ]
        if rows:
            found.records[measure] = rows
    found.events = [e[1:] for e in _event_rows().filter(application_id=application_id)]
    return found


def _cells(key: Key) -> Iterator[CellKey]:
    measure, day, province, code, prior = key
    yield (False, day, measure, province, code, prior)
    yield (True, day.replace(day=1), measure, province, code, prior)


def follow(application_id: int, before: Facts) -> None:
    """Add to the cells what the application's contributions changed since ``before`` (in the
    caller's transaction)."""
    old, new = before.contributions(), facts(application_id).contributions()
    zero = [0, 0, Decimal(0)]
    deltas: dict[CellKey, list[Any]] = {}
    for key in old.keys() | new.keys():
        a, b = new.get(key, zero), old.get(key, zero)
        for cell in _cells(key):  # two days of one month share the month's cell
            delta = deltas.setdefault(cell, [0, 0, Decimal(0)])
            for i in range(3):
                delta[i] += a[i] - b[i]
    # In the cells' order, so two transactions lock the cells they share in the same order.
    for cell in sorted(deltas):
        records, cny, total = deltas[cell]
        if records or cny or total:
            _add(cell, records, cny, total)


def _add(cell: CellKey, records: int, cny: int, total: Decimal) -> None:
    monthly, period, measure, province, code, prior = cell
    key = {
        "monthly": monthly,
        "period": period,
        "measure": measure,
        "province": province,
        "code": code,
        "prior": prior,
    }
    counters.add(StatisticsCell, key, {"records": records, "cny": cny, "total": total})


# ── recomputation from the source rows ────────────────────────────────────────────────


def _grouped(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    for app_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield app_id, list(group)


def recompute(chunk: int = 5000) -> dict[CellKey, list[Any]]:
    """Every cell as the source rows say (a merge of the applications and their records, each
    read once in application order)."""
    cells: dict[CellKey, list[Any]] = {}
    streams = {
        m: _grouped(_record_rows(m).order_by("application_id", "id").iterator(chunk_size=chunk))
        for m in RECORDS
    }
    streams["events"] = _grouped(
        _event_rows().order_by("application_id", "id").iterator(chunk_size=chunk)
    )
    heads: dict[str, tuple[int, list[tuple[Any, ...]]] | None] = {
        m: next(s, None) for m, s in streams.items()
    }
    apps = Application.objects.order_by("id").values_list(*_APP_FIELDS)
    for row in apps.iterator(chunk_size=chunk):
        found = Facts(row)
        for measure, head in heads.items():
            while head is not None and head[0] < row[0]:
                head = next(streams[measure], None)
            if head is not None and head[0] == row[0]:
                if measure == "events":
                    if row[2] is not None:
                        found.events = [e[1:] for e in head[1]]
                else:
                    found.records[measure] = [(_day(d), pk, c, a) for _, d, pk, c, a in head[1]]
                head = next(streams[measure], None)
            heads[measure] = head
        for key, (records, cny, total) in found.contributions().items():
            for cell in _cells(key):
                value = cells.setdefault(cell, [0, 0, Decimal(0)])
                value[0] += records
                value[1] += cny
                value[2] += total
    return cells


def rebuild(batch: int = 5000) -> int:
    """Replace every cell by its recomputation from the source rows, in one transaction;
    how many cells there are."""
    with transaction.atomic():
        cells = recompute()
        StatisticsCell.objects.all().delete()
        rows = (
            StatisticsCell(
                monthly=monthly,
                period=period,
                measure=measure,
                province=province,
                code=code,
                prior=prior,
                records=records,
                cny=cny,
                total=total,
            )
            for (monthly, period, measure, province, code, prior), (records, cny, total) in (
                cells.items()
            )
        )
        while created := StatisticsCell.objects.bulk_create(itertools.islice(rows, batch)):
            del created
    return len(cells)


def stored() -> dict[CellKey, list[Any]]:
    """The cells as stored, leaving out those that add nothing."""
    return {
        (monthly, period, measure, province, code, prior): [records, cny, total]
        for monthly, period, measure, province, code, prior, records, cny, total in (
            StatisticsCell.objects.values_list(
                "monthly",
                "period",
                "measure",
                "province",
                "code",
                "prior",
                "records",
                "cny",
                "total",
            ).iterator(chunk_size=5000)
        )
        if records or cny or total
    }


def differences(limit: int = 20) -> list[tuple[CellKey, list[Any] | None, list[Any] | None]]:
    """Cells whose stored value differs from the recomputation: (key, stored, recomputed)."""
    mine = stored()
    theirs = {k: v for k, v in recompute().items() if any(v)}
    found = []
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None or [a[0], a[1], Decimal(a[2])] != [b[0], b[1], Decimal(b[2])]:
            found.append((key, a, b))
            if len(found) >= limit:
                break
    return found


def rebuild_if_empty() -> int | None:
    """Build the cells of a registry that has applications but no cells yet (the upgrade that
    brings them: ``dataip migrate`` calls it); how many, or None if nothing was done."""
    if StatisticsCell.objects.exists() or not Application.objects.exists():
        return None
    return rebuild()
