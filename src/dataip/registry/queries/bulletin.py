"""The statistics bulletin (统计公报): the figures the registries publish, for a period and a
region, computed from the registry by plain aggregate queries. Definitions are written here and
in ``docs/statistics.md``; the two must agree.

Scope. A :class:`Scope` is a period (``start`` to ``end``, both days included, in the
registry's time zone ``TIME_ZONE``; either may be open) and an optional region (the 2-digit
GB/T 2260 province of the *data product*, ``DataProduct.province_code``). Every figure counts
only what happened in the period, to products of the region.

Amounts are in CNY: records in another currency are counted but their amounts are not added
(``other_currency`` says how many). The public sees an amount only when at least
:data:`MIN_PRODUCTS` distinct products contribute to it; otherwise it is suppressed (``None``)
and so is every total that adds it (otherwise the total minus the shown parts would reveal it).
Staff (``confidential=True``) see every amount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Count, F, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr

from dataip.registry import reference
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    Event,
    Licence,
    Objection,
    Pledge,
    ServiceRevenue,
    Trade,
)
from dataip.registry.models.holders import HolderKind
from dataip.registry.models.rights import COUNTED_TRADES
from dataip.registry.models.statistics import NO_PRIOR, StatisticsCell
from dataip.registry.rollup import (
    ACCEPTED,
    RECORDS,
    REG_DAYS,
    REG_FILER,
    REG_INDUSTRY,
    REG_KIND,
    REG_PLEDGED,
    REG_STAGE,
)
from dataip.registry.rollup import (
    CURRENCY as CURRENCY,
)
from dataip.registry.rollup import (
    ENTERPRISE as ENTERPRISE,
)
from dataip.registry.rollup import (
    INSTITUTION as INSTITUTION,
)
from dataip.registry.rollup import (
    NATURAL_PERSON as NATURAL_PERSON,
)
from dataip.registry.rollup import (
    PLEDGED as PLEDGED,
)
from dataip.registry.rollup import (
    holder_type as holder_type,
)

MIN_PRODUCTS = 3
"""The fewest distinct products an amount must come from to be shown to the public."""

HOLDER_TYPES = (ENTERPRISE, INSTITUTION, NATURAL_PERSON)
"""Holder types: an *enterprise* is an organisation whose unified social credit code starts with
``9`` (registered with the market regulator, 工商); an *institution* is any other organisation
(public institutions ``1``, social organisations ``5``, ...); a *natural person* is a holder of
kind ``natural_person``."""

NOT_RECORDED = None
"""What a figure the registry does not record reads as (the pages say "not recorded")."""


@dataclass(frozen=True)
class Scope:
    """The period (days included, either end open) and the region (GB/T 2260 province)."""

    start: date | None = None
    end: date | None = None
    province: str = ""

    def _bounds(self) -> tuple[datetime | None, datetime | None]:
        zone = ZoneInfo(settings.TIME_ZONE)
        low = datetime.combine(self.start, time.min, zone) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time.min, zone) if self.end else None
        return low, high

    def moment(self, name: str) -> Q:
        """A datetime column within the period."""
        low, high = self._bounds()
        q = Q(**{f"{name}__isnull": False})
        if low is not None:
            q &= Q(**{f"{name}__gte": low})
        if high is not None:
            q &= Q(**{f"{name}__lt": high})
        return q

    def day(self, name: str) -> Q:
        """A date column within the period."""
        q = Q(**{f"{name}__isnull": False})
        if self.start is not None:
            q &= Q(**{f"{name}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{name}__lte": self.end})
        return q

    def region(self, product: str) -> Q:
        """The product (path to ``DataProduct``) is of the region."""
        return Q(**{f"{product}__province_code": self.province}) if self.province else Q()


@dataclass(frozen=True)
class Amount:
    """A sum of CNY amounts over ``records`` records of ``products`` distinct products;
    ``total`` is None when it is suppressed for the public."""

    total: Decimal | None
    records: int
    products: int
    other_currency: int = 0

    @property
    def suppressed(self) -> bool:
        return self.total is None and self.records > 0


@dataclass(frozen=True)
class Share:
    """A code, how many, and its percentage of the whole (one decimal, half up)."""

    code: str
    count: int
    percent: Decimal


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile in days (nearest rank), and how many values."""

    count: int
    median: Decimal | None
    p90: Decimal | None


@dataclass
class Bulletin:
    """Every figure of the bulletin for one scope (definitions: module docstring and
    ``docs/statistics.md``)."""

    scope: Scope
    confidential: bool
    applications: int
    registrations: int
    provinces: int
    industries: int
    enterprise_applications: Share
    licences: Amount
    trades: Amount
    revenue: Amount
    pledges: Amount
    economic_value: Decimal | None
    pledging_enterprises: int
    securitisation: Amount | None
    listed: Share
    pledged: Share
    by_industry: list[Share]
    by_section: list[Share]
    by_province: list[Share]
    by_holder_type: list[Share]
    by_kind: list[Share]
    top_three_industries: Decimal
    turnaround: Spread
    stages: dict[str, Spread]
    objections: list[Share]
    months: list[tuple[str, int, int]] = field(default_factory=list)
    """(``YYYY-MM``, applications accepted, registrations) for each month with either."""


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, one decimal, half up; 0 of nothing is 0."""
    if whole == 0:
        return Decimal("0.0")
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), "ROUND_HALF_UP")


def shares(counts: Iterable[tuple[Any, int]], whole: int | None = None) -> list[Share]:
    """Shares of ``counts``, the most frequent first (then by code); empty codes are kept as
    ``""`` (not given)."""
    merged: Counter[str] = Counter()
    for code, n in counts:
        merged[str(code or "")] += n
    total = sum(merged.values()) if whole is None else whole
    ordered = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Share(code, n, percent(n, total)) for code, n in ordered]


def nearest_rank(values: Sequence[Decimal], p: int) -> Decimal | None:
    """The ``p``-th percentile by nearest rank: the smallest value with at least ``p`` % of the
    values at or below it (sorted input); None for no values."""
    if not values:
        return None
    rank = max(1, -(-p * len(values) // 100))  # ceil(p/100 * n)
    return values[rank - 1]


def spread(days: Iterable[Decimal]) -> Spread:
    ordered = sorted(days)
    return Spread(len(ordered), nearest_rank(ordered, 50), nearest_rank(ordered, 90))


def _amount(records: QuerySet[Any], *, confidential: bool) -> Amount:
    """One scan: the CNY sum, the records, the distinct products, the other currencies."""
    totals = records.aggregate(
        total=Sum("amount", filter=Q(currency=CURRENCY)),
        n=Count("id"),
        cny=Count("id", filter=Q(currency=CURRENCY)),
        products=Count("application", distinct=True, filter=Q(currency=CURRENCY)),
    )
    n_all, products = int(totals["n"]), int(totals["products"])
    other = n_all - int(totals["cny"])
    total = Decimal(totals["total"] or 0).quantize(Decimal("0.01"))
    if not confidential and 0 < products < MIN_PRODUCTS:
        return Amount(None, n_all, products, other)
    return Amount(total, n_all, products, other)


def listed_on_exchange(registrations: QuerySet[Application]) -> Share:
    """The share of ``registrations`` listed on a data exchange now (挂牌): those with a listing
    an exchange recorded and has not ended (``registry/models/listings.py``)."""
    total = registrations.count()
    listed = registrations.filter(listings__ended_on=None, listings__isnull=False).distinct()
    n = listed.count()
    return Share("listed", n, percent(n, total))


def securitisation(scope: Scope, *, confidential: bool) -> Amount | None:
    """Securitisation (资产证券化) financing: not recorded (no such event kind exists)."""
    return NOT_RECORDED


def _days(delta: timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / Decimal(86400)).quantize(
        Decimal("0.1"), "ROUND_HALF_UP"
    )


def _stages(registrations: QuerySet[Application]) -> dict[str, Spread]:
    """Days spent in each status on the way to registration, from the events: a stage runs from
    the event that entered the status to the event that left it."""
    spent: dict[str, list[Decimal]] = {}
    entered: dict[int, datetime] = {}
    done: set[int] = set()
    rows = (
        Event.objects.filter(application__in=registrations)
        .exclude(from_status="")
        .exclude(to_status="")
        .order_by("application_id", "id")
        .values_list("application_id", "from_status", "to_status", "occurred_at")
    )
    for app_id, from_status, to_status, at in rows.iterator(chunk_size=5000):
        if from_status == to_status or app_id in done:
            continue
        if from_status != "draft" and app_id in entered:
            spent.setdefault(from_status, []).append(_days(at - entered[app_id]))
        entered[app_id] = at
        if to_status == "registered":
            done.add(app_id)
    return {status: spread(values) for status, values in sorted(spent.items())}


class DaysToRegistration(Func):
    """Whole days from the submission's calendar day (registry time zone) to the registration
    day. SQLite: the zone's current UTC offset (Asia/Shanghai has had no daylight saving since
    1991); PostgreSQL: ``AT TIME ZONE``."""

    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__(F("registered_on"), F("submitted_at"))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        template = "CAST(julianday({0}) - julianday(date({1}, '{2:+d} minutes')) AS INTEGER)"
        registered, submitted = (compiler.compile(e) for e in self.source_expressions)
        sql = template.format(registered[0], submitted[0], minutes)
        return sql, (*registered[1], *submitted[1])

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        registered, submitted = (compiler.compile(e) for e in self.source_expressions)
        sql = f"({registered[0]} - ({submitted[0]} AT TIME ZONE %s)::date)"
        return sql, (*registered[1], *submitted[1], settings.TIME_ZONE)


def _text(column: str, length: int) -> Substr:
    """The first ``length`` characters of a date or datetime column as ISO text (datetimes in
    UTC: Django keeps the database sessions in UTC)."""
    return Substr(Cast(column, CharField()), 1, length)


def _local_month(utc_hour: str, zone: ZoneInfo) -> str:
    at = datetime.strptime(utc_hour[:13], "%Y-%m-%d %H").replace(tzinfo=UTC)
    return at.astimezone(zone).strftime("%Y-%m")


def _histogram_spread(histogram: Mapping[Decimal, int]) -> Spread:
    """Median and p90 (nearest rank) of a histogram of days."""
    total = sum(histogram.values())
    if not total:
        return Spread(0, None, None)
    found: dict[int, Decimal] = {}
    wanted = {p: max(1, -(-p * total // 100)) for p in (50, 90)}
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        for p, rank in wanted.items():
            if p not in found and seen >= rank:
                found[p] = Decimal(days)
    return Spread(total, found[50], found[90])


def _months_after(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def cells_of(scope: Scope) -> Q:
    """The cells that add up to the scope's period exactly: the month cells of the whole
    months in it, the day cells of the days of its partial edge months."""
    start, end = scope.start, scope.end
    first = None if start is None else (start if start.day == 1 else _months_after(start))
    # The last day of the last whole month (``end`` itself when it ends a month).
    last = None if end is None else _months_after(end) - timedelta(days=1)
    if end is not None and last != end:
        last = end.replace(day=1) - timedelta(days=1)
    if (
        start is not None
        and end is not None
        and first is not None
        and last is not None
        and (first > last)
    ):
        return Q(monthly=False, period__gte=start, period__lte=end)
    q = Q(monthly=True)
    if first is not None:
        q &= Q(period__gte=first)
    if last is not None:
        q &= Q(period__lte=last)
    if start is not None and first is not None and start < first:
        q |= Q(monthly=False, period__gte=start, period__lt=first)
    if end is not None and last is not None and last < end:
        q |= Q(monthly=False, period__gt=last, period__lte=end)
    return q


def _amount_of(
    records: int, cny: int, total: Decimal, products: int, *, confidential: bool
) -> Amount:
    total = Decimal(total or 0).quantize(Decimal("0.01"))
    if not confidential and 0 < products < MIN_PRODUCTS:
        return Amount(None, records, products, records - cny)
    return Amount(total, records, products, records - cny)


def bulletin(scope: Scope, *, confidential: bool = False) -> Bulletin:
    """The bulletin for ``scope``; ``confidential`` (staff only) shows every amount.

    The counts and amounts are sums over the statistics cells (:mod:`dataip.registry.rollup`)
    of the scope's period, one grouped query: month cells for whole months, day cells for the
    days of partial months, so every period boundary stays exact. A record's distinct product
    counts once: the CNY records whose ``prior`` (the product's previous CNY record of the
    kind) falls before the period. The pledging enterprises and the objections are read from
    their own rows."""
    first = Q(prior=NO_PRIOR) if scope.start is None else Q(prior__lt=scope.start)
    cells = StatisticsCell.objects.order_by().filter(cells_of(scope))
    if scope.province:
        cells = cells.filter(province=scope.province)
    provinces: Counter[str] = Counter()
    industries: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    registered_filers: Counter[str] = Counter()
    filers: Counter[str] = Counter()
    histogram: Counter[int] = Counter()
    months: dict[str, list[int]] = {}
    sums: dict[str, list[Any]] = {m: [0, 0, Decimal(0), 0] for m in RECORDS}
    pledged = 0
    stage_days: dict[str, Counter[Decimal]] = {}
    for measure, period, province, code, n, cny, total, firsts in (
        cells.values_list("measure", "period", "province", "code")
        .annotate(n=Sum("records"), c=Sum("cny"), t=Sum("total"), f=Sum("cny", filter=first))
        .values_list("measure", "period", "province", "code", "n", "c", "t", "f")
    ):
        if not n:
            continue
        if measure in sums:
            acc = sums[measure]
            acc[0] += n
            acc[1] += cny or 0
            acc[2] += Decimal(total or 0)
            acc[3] += firsts or 0
        elif measure == ACCEPTED:
            filers[code] += n
            months.setdefault(period.strftime("%Y-%m"), [0, 0])[0] += n
        elif measure == REG_KIND:
            kinds[code] += n
            provinces[province] += n
            months.setdefault(period.strftime("%Y-%m"), [0, 0])[1] += n
        elif measure == REG_INDUSTRY:
            industries[code] += n
        elif measure == REG_FILER:
            registered_filers[code] += n
        elif measure == REG_DAYS:
            histogram[int(code)] += n
        elif measure == REG_PLEDGED:
            pledged += n
        elif measure == REG_STAGE:
            status, days = code.split(":")
            stage_days.setdefault(status, Counter())[Decimal(days)] += n
    n_registered = sum(kinds.values())
    n_accepted = sum(filers.values())

    sections: Counter[str] = Counter()
    for code, n in industries.items():
        try:
            sections[reference.industry(code).section_code if code else ""] += n
        except reference.UnknownCode:
            sections[""] += n

    secret = {"confidential": confidential}
    licence_amount, trade_amount, revenue_amount, pledge_amount = (
        _amount_of(r, c, t, p, **secret) for r, c, t, p in sums.values()
    )
    economic: Decimal | None = Decimal("0.00")
    for part in (licence_amount, trade_amount, revenue_amount):
        economic = None if economic is None or part.total is None else economic + part.total
    region = scope.region("application__product")
    pledges = Pledge.objects.order_by().filter(
        scope.moment("recorded_at"), region, status__in=PLEDGED
    )
    pledging = (
        ApplicationHolder.objects.filter(application__in=pledges.values("application"))
        .filter(holder__identifier__startswith="9")
        .exclude(holder__kind=HolderKind.NATURAL_PERSON)
        .values("holder")
        .distinct()
        .count()
    )
    registrations = Application.objects.order_by().filter(
        scope.day("registered_on"), scope.region("product")
    )
    objections = Objection.objects.order_by().filter(
        scope.moment("filed_at"), scope.region("application__product")
    )
    by_industry = shares(industries.items())
    top_three = sum(s.count for s in by_industry[:3])
    return Bulletin(
        scope=scope,
        confidential=confidential,
        applications=n_accepted,
        registrations=n_registered,
        provinces=len([c for c, n in provinces.items() if c and n]),
        industries=len([c for c, n in industries.items() if c and n]),
        enterprise_applications=Share(
            ENTERPRISE, filers[ENTERPRISE], percent(filers[ENTERPRISE], n_accepted)
        ),
        licences=licence_amount,
        trades=trade_amount,
        revenue=revenue_amount,
        pledges=pledge_amount,
        economic_value=economic,
        pledging_enterprises=pledging,
        securitisation=securitisation(scope, **secret),
        listed=listed_on_exchange(registrations),
        pledged=Share("pledged", pledged, percent(pledged, n_registered)),
        by_industry=by_industry,
        by_section=shares(sections.items()),
        by_province=shares(provinces.items()),
        by_holder_type=shares(registered_filers.items()),
        by_kind=shares(kinds.items()),
        top_three_industries=percent(top_three, n_registered),
        turnaround=_histogram_spread({Decimal(d): n for d, n in histogram.items()}),
        stages={status: _histogram_spread(h) for status, h in sorted(stage_days.items())},
        objections=shares(
            objections.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        ),
        months=[(m, a, r) for m, (a, r) in sorted(months.items())],
    )


def bulletin_from_rows(scope: Scope, *, confidential: bool = False) -> Bulletin:
    """The bulletin for ``scope`` computed from the source rows, not the cells: the reference
    :func:`bulletin` must agree with (tests), and what it did before the cells.

    One grouped scan per table: the registrations by province, industry, kind and filer type;
    the applications accepted by filer type and UTC hour (months are counted in the registry's
    time zone); the registrations by month and by days to registration; one aggregate per kind
    of record."""
    zone = ZoneInfo(settings.TIME_ZONE)
    apps = Application.objects.order_by()
    accepted = apps.filter(scope.moment("submitted_at"), scope.region("product"))
    registrations = apps.filter(scope.day("registered_on"), scope.region("product"))

    provinces: Counter[str] = Counter()
    industries: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    registered_filers: Counter[str] = Counter()
    for province, industry, kind, filer_kind, first, n in (
        registrations.annotate(first=Substr("filed_by__identifier", 1, 1))
        .values_list(
            "product__province_code",
            "product__industry_code",
            "product__kind",
            "filed_by__kind",
            "first",
        )
        .annotate(n=Count("id"))
        .values_list(
            "product__province_code",
            "product__industry_code",
            "product__kind",
            "filed_by__kind",
            "first",
            "n",
        )
    ):
        provinces[province] += n
        industries[industry] += n
        kinds[kind] += n
        registered_filers[holder_type(filer_kind, first or "")] += n
    n_registered = sum(kinds.values())

    filers: Counter[str] = Counter()
    months: dict[str, list[int]] = {}
    for hour, filer_kind, first, n in (
        accepted.annotate(
            hour=_text("submitted_at", 13), first=Substr("filed_by__identifier", 1, 1)
        )
        .values_list("hour", "filed_by__kind", "first")
        .annotate(n=Count("id"))
        .values_list("hour", "filed_by__kind", "first", "n")
    ):
        filers[holder_type(filer_kind, first or "")] += n
        months.setdefault(_local_month(hour, zone), [0, 0])[0] += n
    n_accepted = sum(filers.values())
    for month, n in (
        registrations.annotate(m=_text("registered_on", 7))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    ):
        months.setdefault(month, [0, 0])[1] += n
    histogram = dict(
        registrations.filter(submitted_at__isnull=False)
        .annotate(d=DaysToRegistration())
        .values_list("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )

    sections: Counter[str] = Counter()
    for code, n in industries.items():
        try:
            sections[reference.industry(code).section_code if code else ""] += n
        except reference.UnknownCode:
            sections[""] += n

    region = scope.region("application__product")
    licences = Licence.objects.order_by().filter(scope.moment("recorded_at"), region)
    trades = Trade.objects.order_by().filter(
        scope.day("traded_on"), region, status__in=COUNTED_TRADES
    )
    revenue = ServiceRevenue.objects.order_by().filter(scope.day("period_end"), region)
    pledges = Pledge.objects.order_by().filter(
        scope.moment("recorded_at"), region, status__in=PLEDGED
    )
    secret = {"confidential": confidential}
    licence_amount = _amount(licences, **secret)
    trade_amount = _amount(trades, **secret)
    revenue_amount = _amount(revenue, **secret)
    economic: Decimal | None = Decimal("0.00")
    for part in (licence_amount, trade_amount, revenue_amount):
        economic = None if economic is None or part.total is None else economic + part.total
    pledging = (
        ApplicationHolder.objects.filter(application__in=pledges.values("application"))
        .filter(holder__identifier__startswith="9")
        .exclude(holder__kind=HolderKind.NATURAL_PERSON)
        .values("holder")
        .distinct()
        .count()
    )
    pledged = (
        Pledge.objects.order_by()
        .filter(application__in=registrations.values("id"), status__in=PLEDGED)
        .values("application")
        .distinct()
        .count()
    )
    objections = Objection.objects.order_by().filter(
        scope.moment("filed_at"), scope.region("application__product")
    )
    by_industry = shares(industries.items())
    top_three = sum(s.count for s in by_industry[:3])
    return Bulletin(
        scope=scope,
        confidential=confidential,
        applications=n_accepted,
        registrations=n_registered,
        provinces=len([c for c, n in provinces.items() if c and n]),
        industries=len([c for c, n in industries.items() if c and n]),
        enterprise_applications=Share(
            ENTERPRISE, filers[ENTERPRISE], percent(filers[ENTERPRISE], n_accepted)
        ),
        licences=licence_amount,
        trades=trade_amount,
        revenue=revenue_amount,
        pledges=_amount(pledges, **secret),
        economic_value=economic,
        pledging_enterprises=pledging,
        securitisation=securitisation(scope, **secret),
        listed=listed_on_exchange(registrations),
        pledged=Share("pledged", pledged, percent(pledged, n_registered)),
        by_industry=by_industry,
        by_section=shares(sections.items()),
        by_province=shares(provinces.items()),
        by_holder_type=shares(registered_filers.items()),
        by_kind=shares(kinds.items()),
        top_three_industries=percent(top_three, n_registered),
        turnaround=_histogram_spread({Decimal(d): n for d, n in histogram.items()}),
        stages=_stages(registrations),
        objections=shares(
            objections.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        ),
        months=[(m, a, r) for m, (a, r) in sorted(months.items())],
    )
