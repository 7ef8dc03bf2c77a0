"""The statistics bulletin (统计公报) at 1,000,000 registrations and 1,000,000 records after
registration, from the statistics cells, beside a bare COUNT(*) over the same tables in the
same run.

Set-up (not measured): 1,000,000 registrations (scaled by DATAIP_BENCH_SCALE, e.g. 0.02 for a
quick run) of 50,000 holders, bulk-loaded with the ORM, over three years, eleven provinces and
fourteen industry divisions; and as many records after registration: licences (40 %), trades
(30 %), service revenue (20 %) and pledges (10 %). The statistics cells are then built from
those rows by ``registry.rollup.rebuild`` (what ``dataip rebuild-statistics`` runs; the
services keep them in step one transition at a time, which bulk loading skips). Workflow
events are not loaded, so the per-stage turnaround (read from the events) has nothing to read:
its cost is not in these figures. Measured: ``registry.queries.bulletin.bulletin`` for the
whole registry (public and staff), for one province, for one year and for a period with
partial months; the baseline is ``SELECT COUNT(*)`` over each of the five tables the figures
come from (applications, licences, trades, revenue, pledges), one after the other. Once, for
reference: the same bulletin scanned from the rows (``bulletin_from_rows``, what it did before
the cells). Run on PostgreSQL with DATAIP_DATABASE_URL (an empty database of your own).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

HOLDERS = 50_000
REPEATS = 3


def run() -> list[str]:
    """Load, compute, measure; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    from django.db import connection

    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    count = max(2000, int(1_000_000 * scale))
    started = time.perf_counter()
    _load(count)
    lines = [
        f"set-up: {count:,} registrations and {count:,} records after registration "
        f"bulk-loaded in {time.perf_counter() - started:.0f} s ({connection.vendor})"
    ]
    from dataip.registry.queries.bulletin import Scope, bulletin, bulletin_from_rows
    from dataip.registry.rollup import rebuild

    started = time.perf_counter()
    cells = rebuild()
    lines.append(
        f"statistics cells rebuilt from the rows: {cells:,} cells in "
        f"{time.perf_counter() - started:.0f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    tables = ["application", "licence", "trade", "servicerevenue", "pledge"]

    def counts() -> None:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM registry_{table}")  # noqa: S608
                cursor.fetchone()

    baseline = _best(counts)
    lines.append(f"baseline, COUNT(*) over the 5 tables: {baseline * 1000:.0f} ms")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("whole registry, public", lambda: bulletin(Scope())),
        ("whole registry, staff", lambda: bulletin(Scope(), confidential=True)),
        ("one province (31)", lambda: bulletin(Scope(province="31"))),
        ("one year (2025)", lambda: bulletin(Scope(date(2025, 1, 1), date(2025, 12, 31)))),
        (
            "partial months (2024-03-15 to 2025-06-10)",
            lambda: bulletin(Scope(date(2024, 3, 15), date(2025, 6, 10))),
        ),
    ]
    for label, call in cases:
        seconds = _best(call)
        lines.append(
            f"bulletin, {label}: {seconds * 1000:.0f} ms vs COUNT(*) {baseline * 1000:.0f} ms "
            f"= {seconds / baseline:.1f}× (aim: under 1 s at 1,000,000)"
        )
    started = time.perf_counter()
    from_rows = bulletin_from_rows(Scope())
    seconds = time.perf_counter() - started
    same = from_rows == bulletin(Scope())
    lines.append(
        f"reference, the same bulletin scanned from the rows (once): {seconds * 1000:.0f} ms "
        f"= {seconds / baseline:.1f}× COUNT(*); equal to the cells' figures: {same}"
    )
    return lines


def _best(call: Callable[[], object]) -> float:
    """The median of a few runs, after one warm-up."""
    call()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ── set-up ─────────────────────────────────────────────────────────────────────────────

T0 = datetime(2024, 1, 2, 2, 0, tzinfo=UTC)


def _uscc(n: int) -> str:
    """Enterprises (9...) mostly, institutions (1...) every 7th."""
    return f"{'1' if n % 7 == 0 else '9'}B{n:016d}"


def _load(count: int) -> None:
    """Bulk-load ``count`` registrations and ``count`` records after registration."""
    from django.db import connection, transaction

    from bench.bench_web import INDUSTRIES, KINDS, PROVINCES
    from dataip.accounts.models import User
    from dataip.registry.models import (
        Application,
        ApplicationHolder,
        DataProduct,
        Holder,
        Licence,
        Pledge,
        ServiceRevenue,
        Trade,
    )

    rng = random.Random(1_000_000)
    holders = Holder.objects.bulk_create(
        Holder(
            kind="legal_person",
            name=f"统计基准{n:06d}有限公司",
            identifier=_uscc(n),
            province_code=rng.choice(PROVINCES),
        )
        for n in range(min(HOLDERS, max(100, count // 20)))
    )
    bank = Holder.objects.create(
        kind="legal_person", name="基准银行", identifier="9BANK0000000000001", province_code="31"
    )
    user = User.objects.create(username="bench-stats")
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            products = DataProduct.objects.bulk_create(
                DataProduct(
                    kind=rng.choice(KINDS),
                    name=f"数据产品{n}",
                    industry_code=rng.choice(INDUSTRIES),
                    province_code=rng.choice(PROVINCES),
                )
                for n in range(start, min(count, start + batch))
            )
            apps = []
            for n, product in zip(range(start, start + len(products)), products, strict=True):
                submitted = T0 + timedelta(days=(n * 1093) % 1090)
                apps.append(
                    Application(
                        number=f"SQ{n:010d}",
                        regime_code="shanghai",
                        status="registered",
                        product=product,
                        filed_by=holders[n % len(holders)],
                        created_by=user,
                        submitted_at=submitted,
                        registration_number=f"S{n:015d}",
                        certificate_number=f"{n:017d}",
                        registered_on=(submitted + timedelta(days=20 + n % 40)).date(),
                    )
                )
            Application.objects.bulk_create(apps)
            ApplicationHolder.objects.bulk_create(
                ApplicationHolder(application=a, holder_id=a.filed_by_id, share=Decimal(100))
                for a in apps
            )
            licences, trades, revenue, pledges = [], [], [], []
            for n, a in zip(range(start, start + len(apps)), apps, strict=True):
                when = T0 + timedelta(days=60 + (n * 7) % 1000)
                amount = Decimal(1000 + n % 997)
                kind = n % 10
                if kind < 4:
                    licences.append(
                        Licence(
                            application=a,
                            licensee=bank,
                            kind="ordinary",
                            scope="分析",
                            starts=when.date(),
                            ends=when.date() + timedelta(days=365),
                            amount=amount,
                            recorded_at=when,
                        )
                    )
                elif kind < 7:
                    trades.append(
                        Trade(
                            application=a,
                            exchange="上海数据交易所",
                            contract_reference=f"T{n}",
                            traded_on=when.date(),
                            amount=amount,
                            recorded_at=when,
                        )
                    )
                elif kind < 9:
                    revenue.append(
                        ServiceRevenue(
                            application=a,
                            period_start=when.date() - timedelta(days=90),
                            period_end=when.date(),
                            amount=amount,
                            recorded_at=when,
                        )
                    )
                else:
                    pledges.append(
                        Pledge(
                            application=a,
                            pledgee=bank,
                            amount=amount * 1000,
                            contract_reference=f"P{n}",
                            starts=when.date(),
                            ends=when.date() + timedelta(days=365),
                            status="active" if n % 20 else "released",
                            recorded_at=when,
                        )
                    )
            Licence.objects.bulk_create(licences)
            Trade.objects.bulk_create(trades)
            ServiceRevenue.objects.bulk_create(revenue)
            Pledge.objects.bulk_create(pledges)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
