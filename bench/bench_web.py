"""Public pages under load: search and registration pages vs a trivial page of the same server.

Set-up (not measured): 100,000 public registrations (scaled by DATAIP_BENCH_SCALE) are
bulk-loaded with the ORM (products, applications, holders' shares and search index rows; the
trigram index is filled by its triggers on SQLite). Then ``dataip serve`` runs as a subprocess
on a free loopback port, and a load generator (a thread pool of http.client connections) asks
for pages: first one request at a time (latency p50/p95), then from several connections at
once (requests per second). The baseline is the sign-in page of the same server in the same
run, which renders a template and touches no table.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

CITIES = ["上海", "北京", "深圳", "杭州", "苏州", "南京", "成都", "武汉", "广州", "重庆"]
TOPICS = [
    ("交通出行", "mobility"),
    ("物流轨迹", "logistics"),
    ("金融风控", "credit risk"),
    ("医疗影像", "medical imaging"),
    ("电力负荷", "power load"),
    ("气象观测", "weather"),
    ("电商交易", "e-commerce"),
    ("工业设备", "industrial equipment"),
    ("农业遥感", "agricultural remote sensing"),
    ("城市治理", "city governance"),
]
KINDS = ["data_collection", "data_product", "data_algorithm"]
INDUSTRIES = ["01", "13", "26", "44", "54", "55", "59", "63", "64", "65", "66", "72", "73", "84"]
PROVINCES = ["11", "12", "31", "32", "33", "35", "37", "42", "44", "50", "51"]
TERMS = [
    *(topic for topic, _ in TOPICS),
    *(city + topic[:2] for city in CITIES[:5] for topic, _ in TOPICS[:4]),
    "物流",
    "金融",
    "数据集",
    "logistics",
    "medical imaging",
    "",
]
FILTERS = ["", "province_code=31", "kind=data_product", "status=registered", "year=2025"]


def search_query(rng: random.Random) -> str:
    """A search as people make them: words, maybe a filter, maybe a later page or sort order.

    About 1,200 different searches, so most requests miss the cache of facet counts.
    """
    parts = [f"q={quote(rng.choice(TERMS))}", rng.choice(FILTERS)]
    if rng.random() < 0.2:
        parts.append(f"page={rng.randint(2, 5)}")
    if rng.random() < 0.2:
        parts.append("sort=name")
    return "&".join(p for p in parts if p)


T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def run() -> list[str]:
    """Load the registrations, serve them, measure; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    count = max(1000, int(100_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    started = time.perf_counter()
    numbers = _load(count)
    load_seconds = time.perf_counter() - started
    rng = random.Random(2026)
    with _server() as base:
        pages: dict[str, Callable[[], str]] = {
            "trivial page (sign-in form)": lambda: "/account/login",
            "search": lambda: "/search?" + search_query(rng),
            "registration page": lambda: "/registry/" + rng.choice(numbers),
        }
        lines = [f"set-up: {count:,} public registrations bulk-loaded in {load_seconds:.0f} s"]
        for name, path in pages.items():
            latencies = _measure(base, path, requests=300, clients=1)
            under_load = _measure(base, path, requests=1200, clients=8, timed=True)
            rps = under_load.pop()
            p50, p95 = _percentiles(latencies)
            lines.append(
                f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (one client); "
                f"{rps:,.0f} requests/s with 8 clients (p95 {_percentiles(under_load)[1]:.1f} ms)"
            )
    lines.append("aim: search p95 under 100 ms, registration page p95 under 50 ms")
    return lines


# ── set-up ─────────────────────────────────────────────────────────────────────────────


def _load(count: int) -> list[str]:
    """Bulk-load ``count`` public registrations; return their application numbers."""
    from django.db import connection, transaction

    from dataip.accounts.models import User
    from dataip.registry import clock
    from dataip.registry.models import (
        Application,
        ApplicationHolder,
        DataProduct,
        Holder,
        SearchEntry,
    )
    from dataip.registry.search_index import entry_values, rebuild_cells

    rng = random.Random(100_000)
    today = clock.local_date(clock.now())
    holders = Holder.objects.bulk_create(
        Holder(
            kind="legal_person",
            name=f"{rng.choice(CITIES)}{n:04d}数据科技有限公司",
            name_en=f"Data Tech {n:04d} Co., Ltd.",
            identifier=f"BENCH{n:013d}",
            province_code=rng.choice(PROVINCES),
        )
        for n in range(max(50, count // 500))
    )
    user = User.objects.create(username="bench-web")
    numbers: list[str] = []
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
                        summary=f"汇集{city}的{topic}数据，经清洗、脱敏与融合，服务于行业应用。",
                        summary_en=f"Cleaned and fused {topic_en} data.",
                        industry_code=rng.choice(INDUSTRIES),
                        province_code=rng.choice(PROVINCES),
                        data_source_type="01",
                        data_source_description="自有平台采集",
                        formation_date=date(2025, 1, 1),
                    )
                )
            DataProduct.objects.bulk_create(products)
            for n, product in zip(range(start, start + len(products)), products, strict=True):
                registered = n % 10 != 0
                # Announcements still running and registrations still valid: the tick that
                # `dataip serve` runs has nothing to register or expire while it is measured.
                since = today - timedelta(days=n % 700 if registered else n % 10)
                apps.append(
                    Application(
                        number=f"SQ{2024 + n % 3}3100{n:06d}",
                        regime_code="shanghai",
                        status="registered" if registered else "under_publicity",
                        product=product,
                        filed_by=holders[n % len(holders)],
                        created_by=user,
                        submitted_at=T0,
                        announcement_starts=since,
                        announcement_ends=since + timedelta(days=15),
                        registration_number=f"B{n:015d}" if registered else None,
                        # No certificate number: the server's tick then has no certificate
                        # to issue for these rows while it is measured.
                        certificate_number=None,
                        registered_on=since + timedelta(days=16) if registered else None,
                        valid_from=since + timedelta(days=16) if registered else None,
                        valid_until=since + timedelta(days=1100) if registered else None,
                    )
                )
            Application.objects.bulk_create(apps)
            ApplicationHolder.objects.bulk_create(
                ApplicationHolder(application=a, holder_id=a.filed_by_id, share=Decimal(100))
                for a in apps
            )
            names = {h.pk: (h.name, h.name_en) for h in holders}
            SearchEntry.objects.bulk_create(
                SearchEntry(application=a, **entry_values(a, [names[a.filed_by_id]])) for a in apps
            )
            numbers += [str(a.number) for a in apps]
    rebuild_cells()  # the facet cells the transitions would have kept in step
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("ANALYZE")
    return numbers


# ── the server and the load ────────────────────────────────────────────────────────────


class _server:
    """``dataip serve`` on a free loopback port, stopped on exit."""

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DATAIP_TICK_SECONDS": "86400",
            "DATAIP_CERTIFICATES_AUTO": "0",
            "DATAIP_LOG_LEVEL": "ERROR",
        }
        command = [str(Path(sys.executable).with_name("dataip")), "serve"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--threads", "8"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.process.kill()
            raise RuntimeError("dataip serve did not start")
        _measure(f"127.0.0.1:{self.port}", lambda: "/", requests=5, clients=1)  # warm up
        time.sleep(3)  # let the tick that `dataip serve` runs at start finish
        return f"127.0.0.1:{self.port}"

    def __exit__(self, *exc: Any) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _measure(
    base: str, path: Callable[[], str], *, requests: int, clients: int, timed: bool = False
) -> list[float]:
    """Latencies in ms of ``requests`` GETs from ``clients`` keep-alive connections; with
    ``timed``, the requests per second are appended."""
    host, port = base.split(":")
    per_client = requests // clients
    paths = [[path() for _ in range(per_client)] for _ in range(clients)]

    def client(own: list[str]) -> list[float]:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        result = []
        for target in own:
            started = time.perf_counter()
            connection.request("GET", target, headers={"Accept-Language": "zh-hans"})
            response = connection.getresponse()
            response.read()
            result.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{target}: HTTP {response.status}")
        connection.close()
        return result

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [ms for chunk in pool.map(client, paths) for ms in chunk]
    elapsed = time.perf_counter() - started
    return [*latencies, len(latencies) / elapsed] if timed else latencies


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[94]
