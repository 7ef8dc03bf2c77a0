"""Encumbrance search (权利负担查询) at 100,000 registrations: the query, the page and the API.

Set-up (not measured): 100,000 registrations (scaled by DATAIP_BENCH_SCALE) of 20,000
holders are bulk-loaded with the ORM, with what a lender looks for: a pledge in force on
every 10th, an exclusive licence in force on every 15th, a transfer waiting for confirmation
on every 50th (and released pledges, ordinary licences and confirmed transfers besides).
Then a bank's searches, by registration number, certificate number and holder's credit
code, one at a time: the query itself (``registry.queries.rights.encumbrances``), the bank's
page ``/bank/encumbrances`` and the API ``GET /api/v1/encumbrances``, both through Django's
in-process test client (the whole view, middleware and template; no HTTP server). The
baseline is the same bank's sign-in page through the same client in the same run.
Run on PostgreSQL with DATAIP_DATABASE_URL (an empty database of your own).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

HOLDERS_PER_REGISTRATION = 5
SEARCHES = 300


def run() -> list[str]:
    """Load the registrations, search, measure; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    from django.db import connection

    count = max(1000, int(100_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    started = time.perf_counter()
    keys = _load(count)
    lines = [
        f"set-up: {count:,} registrations of {count // HOLDERS_PER_REGISTRATION:,} holders "
        f"bulk-loaded in {time.perf_counter() - started:.0f} s ({connection.vendor})"
    ]
    from django.test import Client

    from dataip.accounts import tokens
    from dataip.accounts.models import User
    from dataip.registry.queries import rights

    banker = User.objects.get(username="bench-enc-banker")
    page = Client()
    page.force_login(banker)
    _, secret = tokens.create_token(banker, "bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    rng = random.Random(2026)
    kinds = {
        "registration number": ("registration_number", "registrationNumber"),
        "certificate number": ("certificate_number", "certificateNumber"),
        "holder's credit code": ("holder_identifier", "holderIdentifier"),
    }
    baseline = _latencies(lambda: _get(page, "/account/login"))
    lines.append(
        f"baseline, the sign-in page: p50 {_p(baseline, 50):.1f} ms, p95 {_p(baseline, 95):.1f} ms"
    )
    found_sizes: list[int] = []
    for label, (name, api_name) in kinds.items():
        values = keys[name]

        def query(name: str = name, values: list[str] = values) -> None:
            found_sizes.append(len(rights.encumbrances(**{name: rng.choice(values)})))

        def on_page(name: str = name, values: list[str] = values) -> None:
            _get(page, f"/bank/encumbrances?search=1&{name}={rng.choice(values)}")

        def on_api(name: str = api_name, values: list[str] = values) -> None:
            _get(api, f"/api/v1/encumbrances?{name}={rng.choice(values)}")

        for what, call in (("query", query), ("page", on_page), ("API", on_api)):
            ms = _latencies(call)
            lines.append(
                f"by {label}, {what}: p50 {_p(ms, 50):.1f} ms, p95 {_p(ms, 95):.1f} ms "
                f"(p95 {_p(ms, 95) / _p(baseline, 95):.1f}× the sign-in page's)"
            )
    lines.append(
        f"registrations found per search: mean {statistics.mean(found_sizes):.1f}, "
        f"max {max(found_sizes)}; aim: p95 under 20 ms"
    )
    return lines


def _get(client: Any, path: str) -> None:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")


def _latencies(call: Callable[[], object]) -> list[float]:
    for _ in range(10):  # warm up
        call()
    result = []
    for _ in range(SEARCHES):
        started = time.perf_counter()
        call()
        result.append((time.perf_counter() - started) * 1000)
    return result


def _p(values: list[float], percentile: int) -> float:
    return statistics.quantiles(values, n=100)[percentile - 1]


# ── set-up ─────────────────────────────────────────────────────────────────────────────

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def _load(count: int) -> dict[str, list[str]]:
    """Bulk-load ``count`` registrations with their records; return the search keys."""
    from django.db import connection, transaction

    from bench.bench_web import CITIES, INDUSTRIES, KINDS, PROVINCES, TOPICS
    from dataip.accounts.models import User
    from dataip.registry import clock
    from dataip.registry.models import (
        Application,
        ApplicationHolder,
        DataProduct,
        Holder,
        Licence,
        Pledge,
        Transfer,
    )

    rng = random.Random(100_000)
    today = clock.local_date(clock.now())
    holders = Holder.objects.bulk_create(
        Holder(
            kind="legal_person",
            name=f"{rng.choice(CITIES)}{n:05d}数据科技有限公司",
            name_en=f"Data Tech {n:05d} Co., Ltd.",
            identifier=f"ENC{n:015d}",
            province_code=rng.choice(PROVINCES),
        )
        for n in range(max(50, count // HOLDERS_PER_REGISTRATION))
    )
    bank = Holder.objects.create(
        kind="legal_person", name="基准银行", identifier="BANK00000000000001", province_code="31"
    )
    User.objects.create(username="bench-enc-banker", holder=bank)
    user = User.objects.create(username="bench-enc")
    keys: dict[str, list[str]] = {
        "registration_number": [],
        "certificate_number": [],
        "holder_identifier": [h.identifier for h in holders],
    }
    batch = 2000
    for start in range(0, count, batch):
        with transaction.atomic():
            products, apps = [], []
            for n in range(start, min(count, start + batch)):
                city, (topic, topic_en) = rng.choice(CITIES), rng.choice(TOPICS)
                products.append(
                    DataProduct(
                        kind=rng.choice(KINDS),
                        name=f"{city}{topic}数据集{n}",
                        name_en=f"{topic_en.title()} data of {city} {n}",
                        summary=f"汇集{city}的{topic}数据。",
                        industry_code=rng.choice(INDUSTRIES),
                        province_code=rng.choice(PROVINCES),
                        data_source_type="01",
                        data_source_description="自有平台采集",
                        formation_date=date(2025, 1, 1),
                    )
                )
            DataProduct.objects.bulk_create(products)
            for n, product in zip(range(start, start + len(products)), products, strict=True):
                since = today - timedelta(days=n % 700)
                apps.append(
                    Application(
                        number=f"SQ{2024 + n % 3}3100{n:06d}",
                        regime_code="shanghai",
                        status="registered",
                        product=product,
                        filed_by=holders[n % len(holders)],
                        created_by=user,
                        submitted_at=T0,
                        announcement_starts=since - timedelta(days=16),
                        announcement_ends=since - timedelta(days=1),
                        registration_number=f"B{n:015d}",
                        certificate_number=f"{n:017d}",
                        registered_on=since,
                        valid_from=since,
                        valid_until=since + timedelta(days=1095),
                    )
                )
            Application.objects.bulk_create(apps)
            ApplicationHolder.objects.bulk_create(
                ApplicationHolder(application=a, holder_id=a.filed_by_id, share=Decimal(100))
                for a in apps
            )
            pledges, licences, transfers = [], [], []
            for n, a in zip(range(start, start + len(apps)), apps, strict=True):
                keys["registration_number"].append(str(a.registration_number))
                keys["certificate_number"].append(str(a.certificate_number))
                if n % 5 == 0:  # a pledge: in force on every 10th, released on the others
                    pledges.append(
                        Pledge(
                            application=a,
                            pledgee=bank,
                            amount=Decimal("3000000.00"),
                            contract_reference=f"P{n}",
                            starts=today - timedelta(days=30),
                            ends=today + timedelta(days=335),
                            status="active" if n % 10 == 0 else "released",
                            recorded_at=T0,
                        )
                    )
                if n % 3 == 0:  # licences: exclusive and in force on every 15th
                    licences.append(
                        Licence(
                            application=a,
                            licensee=bank,
                            kind="exclusive" if n % 15 == 0 else "ordinary",
                            scope="分析",
                            starts=today - timedelta(days=10),
                            ends=today + timedelta(days=355),
                            amount=Decimal("1000.00"),
                            recorded_at=T0,
                        )
                    )
                if n % 25 == 0:  # a transfer: waiting on every 50th, confirmed on the others
                    transfers.append(
                        Transfer(
                            application=a,
                            assignee=holders[(n + 1) % len(holders)],
                            previous_holders=[[a.filed_by_id, "100"]],
                            contract_date=today,
                            effective_date=today,
                            status="pending" if n % 50 == 0 else "confirmed",
                            proposed_by=user,
                            proposed_at=T0,
                            proposer_id=a.filed_by_id,
                        )
                    )
            Pledge.objects.bulk_create(pledges)
            Licence.objects.bulk_create(licences)
            Transfer.objects.bulk_create(transfers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("ANALYZE")
    return keys
