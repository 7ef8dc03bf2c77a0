"""Search at a million: search and registration pages on PostgreSQL, 1 and 2 app processes.

Runs only with PostgreSQL (``DATAIP_BENCH_DATABASE_URL``, or the server on 127.0.0.1:5432);
size from ``DATAIP_BENCH_SCALE`` (default 1,000,000 public registrations). Set-up (not
measured, but reported): a fresh database, migrated, filled set-based (``INSERT … SELECT …
generate_series``) with registrations whose Chinese and English names, summaries and holders
are made from word lists, spread over kinds, industries, provinces and years; the search rows
and their words are filled set-based too (each listed word's jieba words, cut once here), then
the GIN indexes are built and the tables analysed. Measured: gunicorn (``-w 1``, then ``-w
2``) on a free loopback port, sharing the Redis cache (``DATAIP_BENCH_CACHE_URL``, database 7 of
the local Redis, emptied before each) as a deployment's app servers do; search and
registration pages one request at a time (p50/p95) beside a trivial page of the same server,
then requests per second with 8 clients.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from bench.bench_web import _measure, _percentiles

CITIES = [
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("深圳", "Shenzhen"),
    ("杭州", "Hangzhou"),
    ("苏州", "Suzhou"),
    ("南京", "Nanjing"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("广州", "Guangzhou"),
    ("重庆", "Chongqing"),
    ("西安", "Xi'an"),
    ("天津", "Tianjin"),
]
TOPICS = [
    ("交通出行", "mobility"),
    ("物流轨迹", "logistics tracks"),
    ("金融风控", "credit risk"),
    ("医学影像", "medical imaging"),
    ("电力负荷", "power load"),
    ("气象观测", "weather observation"),
    ("电商交易", "e-commerce transactions"),
    ("工业设备", "industrial equipment"),
    ("农业遥感", "agricultural remote sensing"),
    ("城市治理", "city governance"),
    ("基因测序", "genome sequencing"),
    ("港口航运", "port shipping"),
    ("能源消耗", "energy consumption"),
    ("教育资源", "education resources"),
    ("文旅消费", "tourism spending"),
    ("企业信用", "corporate credit"),
]
PRODUCTS = [
    ("数据集", "dataset"),
    ("标注数据集", "annotated dataset"),
    ("指数产品", "index"),
    ("预测模型", "forecasting model"),
    ("知识图谱", "knowledge graph"),
    ("分析报告", "analysis report"),
]
SUMMARY = ("汇集", "的", "数据，经清洗、脱敏与融合，服务于行业应用。")
HOLDER = "数据科技有限公司"
KINDS = ["data_collection", "data_product", "data_algorithm"]
INDUSTRIES = ["01", "13", "26", "44", "54", "55", "59", "63", "64", "65", "66", "72", "73", "84"]
PROVINCES = ["11", "12", "31", "32", "33", "35", "37", "42", "44", "50", "51"]
TERMS = [
    "医学影像",
    "影像数据",
    "基因 模型",
    "交通出行",
    "上海 物流",
    "金融风控 预测",
    "知识图谱",
    "遥感",
    "港口",
    "数据集",
    "medical imaging",
    "genome",
    "logist",
    "深圳电力",
    "",
]
FILTERS = ["", "", "province_code=31", "kind=data_product", "status=registered", "year=2025"]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dataip_bench_scale"


def run() -> list[str]:
    """Fill the database, serve it with 1 and 2 processes, measure; return the figures."""
    url = os.environ.get("DATAIP_BENCH_DATABASE_URL", DEFAULT_URL)
    count = float(os.environ.get("DATAIP_BENCH_SCALE", "1000000"))
    if count < 1000:  # a factor, as the other benchmarks read it (0.1: 100,000)
        count = max(1000, 1_000_000 * count)
    count = int(count)
    # DATAIP_BENCH_REUSE=1 measures a database an earlier run filled (migrated again first).
    reuse = os.environ.get("DATAIP_BENCH_REUSE") == "1"
    if not url.startswith("postgres") or not (reuse or _fresh_postgres(url)):
        return ["skipped: no PostgreSQL (set DATAIP_BENCH_DATABASE_URL)"]
    os.environ["DATAIP_DATABASE_URL"] = url
    from bench._db import fresh_database

    fresh_database()
    started = time.perf_counter()
    if reuse:
        lines = [f"set-up: {count:,} public registrations of an earlier run, migrated again"]
    else:
        _fill(count)
        seconds = time.perf_counter() - started
        lines = [f"set-up: {count:,} public registrations filled in {seconds:.0f} s"]
    rng = random.Random(2026)
    pages: dict[str, Callable[[], str]] = {
        "trivial page (sign-in form)": lambda: "/account/login",
        "search": lambda: "/search?" + _search_query(rng),
        "registration page": lambda: "/registry/" + _number(rng.randrange(count)),
    }
    rates: dict[int, dict[str, float]] = {}
    for workers in (1, 2):
        with _gunicorn(workers) as base:
            for name, path in pages.items():
                if workers == 1:
                    p50, p95 = _percentiles(_measure(base, path, requests=300, clients=1))
                    lines.append(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (one client)")
                _shared_cache()  # each throughput run starts cold, with 1 process or 2
                timed = _measure(base, path, requests=800, clients=8, timed=True)
                rates.setdefault(workers, {})[name] = timed[-1]
    for name in pages:
        one, two = rates[1][name], rates[2][name]
        lines.append(
            f"{name}, 8 clients: {two:,.0f} requests/s with 2 processes vs {one:,.0f} with 1"
            f" = {two / one:.2f}x (aim: 1.7x)"
        )
    lines.append("aim: search p95 under 50 ms, registration page p95 under 20 ms (one client)")
    return lines


def _search_query(rng: random.Random) -> str:
    """A search as people make them: words, maybe a filter, sometimes a later page."""
    parts = [f"q={quote(rng.choice(TERMS))}", rng.choice(FILTERS)]
    if rng.random() < 0.2:
        parts.append(f"page={rng.randint(2, 5)}")
    return "&".join(p for p in parts if p)


def _number(n: int) -> str:
    return f"SQ{2024 + n % 3}31{n:08d}"


# ── set-up ─────────────────────────────────────────────────────────────────────────────


def _fresh_postgres(url: str) -> bool:
    """Drop and create the database of ``url``; False when no server answers."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def _cut(text: str) -> str:
    from dataip.registry.search_index import words

    return " ".join(words(text))


def _fill(count: int) -> None:
    """Fill ``count`` public registrations set-based, with their search rows and words."""
    from django.db import connection

    from dataip.accounts.models import User

    user = User.objects.create(username="bench-scale")
    holders = max(50, count // 500)
    lists = {
        "city": [c for c, _ in CITIES],
        "city_en": [e for _, e in CITIES],
        "city_w": [_cut(c) for c, _ in CITIES],
        "topic": [t for t, _ in TOPICS],
        "topic_en": [e for _, e in TOPICS],
        "topic_w": [_cut(t) for t, _ in TOPICS],
        "product": [p for p, _ in PRODUCTS],
        "product_en": [e for _, e in PRODUCTS],
        "product_w": [_cut(p) for p, _ in PRODUCTS],
        "kinds": KINDS,
        "industries": INDUSTRIES,
        "provinces": PROVINCES,
    }
    fixed = {
        "s1": SUMMARY[0],
        "s2": SUMMARY[1],
        "s3": SUMMARY[2],
        "s1_w": _cut(SUMMARY[0]),
        "s2_w": _cut(SUMMARY[1]),
        "s3_w": _cut(SUMMARY[2]),
        "holder": HOLDER,
        "holder_w": _cut(HOLDER),
        "user": user.pk,
        "count": count,
        "holders": holders,
    }
    params = {**lists, **fixed}
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")  # this session's index builds
        for statement in _statements():
            cursor.execute(statement, params)
        cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load


def _pick(array: str, n: str, salt: int) -> str:
    """SQL: an element of the list ``array`` chosen by a hash of ``n`` (1-based arrays)."""
    return (
        f"(%({array})s::text[])[1 + (({n}::bigint * {2654435761 + salt}) % 1000003)"
        f" % cardinality(%({array})s::text[])]"
    )


def _statements() -> list[str]:
    """The set-based fill, in order: picks, holders, products, applications, shares, index,
    facet cells."""
    from dataip.registry.models.search import WORD_KEYS

    picks = (
        "CREATE TEMP TABLE bench_pick AS SELECT g AS n,"
        " 1 + (g::bigint * 2654435761 % 1000003) % cardinality(%(city)s::text[]) AS c,"
        " 1 + (g::bigint * 2246822519 % 1000033) % cardinality(%(topic)s::text[]) AS t,"
        " 1 + (g::bigint * 3266489917 % 1000037) % cardinality(%(product)s::text[]) AS p"
        " FROM generate_series(0, %(count)s - 1) g"
    )
    holders = (
        "INSERT INTO registry_holder (kind, name, name_en, identifier, province_code, address,"  # noqa: S608
        " contact_email, contact_phone, is_agency, created_at, is_lender, org_type,"
        " refusal_reason, verification)"
        " SELECT 'legal_person',"
        f" {_pick('city', 'h', 7)} || lpad(h::text, 4, '0') || %(holder)s,"
        " 'Data Tech ' || lpad(h::text, 4, '0') || ' Co., Ltd.',"
        " 'BENCH' || lpad(h::text, 13, '0'),"
        f" {_pick('provinces', 'h', 3)}, '', '', '', false, now(), false, '', '', ''"
        " FROM generate_series(1, %(holders)s) h ORDER BY h"
    )
    products = (
        "INSERT INTO registry_dataproduct (kind, name, name_en, summary, summary_en,"  # noqa: S608
        " industry_code, province_code, data_source_type, data_source_description, lawful_basis,"
        " formation_date, structure_description, update_frequency, processing_summary,"
        " processing_details, application_scenarios, innovation_explanation,"
        " samples_description, details)"
        " SELECT (%(kinds)s::text[])[1 + n % 3],"
        " (%(city)s::text[])[c] || (%(topic)s::text[])[t] || (%(product)s::text[])[p] || n,"
        " initcap((%(topic_en)s::text[])[t]) || ' ' || (%(product_en)s::text[])[p] || ' of '"
        " || (%(city_en)s::text[])[c] || ' ' || n,"
        " %(s1)s || (%(city)s::text[])[c] || %(s2)s || (%(topic)s::text[])[t] || %(s3)s,"
        " 'Cleaned and fused ' || (%(topic_en)s::text[])[t] || ' data.',"
        f" {_pick('industries', 'n', 11)}, {_pick('provinces', 'n', 13)},"
        " '01', '自有平台采集', '', date '2025-01-01', '', '', '', '', '', '', '', '{}'::jsonb"
        " FROM bench_pick ORDER BY n"
    )
    # Products were numbered 1.. in the order of n (a fresh table): product id = n + 1.
    applications = (
        "INSERT INTO registry_application (number, regime_code, status, revision, created_at,"
        " submitted_at, correction_request, announcement_starts, announcement_ends,"
        " decision_reason, registration_number, registered_on, valid_from, valid_until,"
        " created_by_id, product_id, filed_by_id, certificate_version, decision_reference,"
        " last_leaf_hash)"
        " SELECT 'SQ' || (2024 + n % 3) || '31' || lpad(n::text, 8, '0'), 'shanghai',"
        " CASE WHEN n % 10 = 0 THEN 'under_publicity' ELSE 'registered' END, 0, now(), now(),"
        " '', s, s + 15, '', CASE WHEN n % 10 = 0 THEN NULL ELSE 'B' || lpad(n::text, 15, '0')"
        " END, CASE WHEN n % 10 = 0 THEN NULL ELSE s + 16 END,"
        " CASE WHEN n % 10 = 0 THEN NULL ELSE s + 16 END,"
        " CASE WHEN n % 10 = 0 THEN NULL ELSE s + 1100 END,"
        " %(user)s, n + 1, 1 + n % %(holders)s, 0, '', ''"
        " FROM (SELECT n, current_date - CASE WHEN n % 10 = 0 THEN n % 10 ELSE n % 1000 END"
        " AS s FROM bench_pick) AS dated ORDER BY n"
    )
    shares = (
        "INSERT INTO registry_applicationholder (share, application_id, holder_id)"
        " SELECT 100, id, filed_by_id FROM registry_application"
    )
    index = (
        "INSERT INTO registry_searchentry (application_id, number, registration_number, name,"
        " name_en, summary, summary_en, holders, holders_en, document, kind, industry_code,"
        " province_code, status, year, public_since, words)"
        " SELECT a.id, a.number, coalesce(a.registration_number, ''), d.name, d.name_en,"
        " d.summary, d.summary_en, h.name, h.name_en,"
        " lower(concat_ws(E'\\n', a.number, a.registration_number, d.name, d.name_en, d.summary,"
        " d.summary_en, h.name, h.name_en)), d.kind, d.industry_code, d.province_code,"
        " a.status, extract(year FROM coalesce(a.registered_on, a.announcement_starts)),"
        " a.announcement_starts,"
        " concat_ws(' ', (%(city_w)s::text[])[k.c], (%(topic_w)s::text[])[k.t],"
        " (%(product_w)s::text[])[k.p], k.n, lower(d.name_en))"
        " || E'\\n' || concat_ws(' ', lower(a.number), lower(a.registration_number), %(s1_w)s,"
        " (%(city_w)s::text[])[k.c], %(s2_w)s, (%(topic_w)s::text[])[k.t], %(s3_w)s,"
        " lower(d.summary_en), (%(city_w)s::text[])[1 + (h.id::bigint * 2654435768 % 1000003)"
        " % cardinality(%(city)s::text[])], lpad(h.id::text, 4, '0'), %(holder_w)s,"
        " lower(h.name_en))"
        " FROM registry_application a JOIN registry_dataproduct d ON d.id = a.product_id"
        " JOIN registry_holder h ON h.id = a.filed_by_id JOIN bench_pick k ON k.n + 1 = d.id"
        # As a registry's index grows: an entry is added when its application is announced.
        " ORDER BY a.announcement_starts, a.id"
    )
    drop = [
        "DROP INDEX IF EXISTS registry_search_document_trgm",
        "DROP INDEX IF EXISTS registry_search_word_keys",
    ]
    create = [
        "CREATE INDEX registry_search_document_trgm ON registry_searchentry"
        " USING gin (document gin_trgm_ops)",
        f"CREATE INDEX registry_search_word_keys ON registry_searchentry USING gin ({WORD_KEYS})",
    ]
    # The facet cells, as search_index keeps them in step (entries per set of facet values).
    cells = (
        "INSERT INTO registry_searchfacetcell (kind, industry_code, province_code, status, year,"
        " entries) SELECT kind, industry_code, province_code, status, year, count(*)"
        " FROM registry_searchentry GROUP BY kind, industry_code, province_code, status, year"
    )
    statements = [picks, holders, products, applications, shares, *drop, index, *create, cells]
    return [statement.replace(" % ", " %% ") for statement in statements]  # SQL's modulo


# ── the app server ─────────────────────────────────────────────────────────────────────

CACHE_URL = os.environ.get("DATAIP_BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")


def _shared_cache() -> str:
    """The Redis the app servers share (emptied first: each run starts cold), or "" when none
    answers (each process then keeps its own cache)."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return ""
    return CACHE_URL


class _gunicorn:
    """gunicorn with ``workers`` processes on a free loopback port, stopped on exit."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DATAIP_CERTIFICATES_AUTO": "0",
            "DATAIP_LOG_LEVEL": "ERROR",
            "DATAIP_DB_CONN_MAX_AGE": "60",  # as `dataip appserver` runs them
        }
        shared = _shared_cache()
        if shared:  # several app servers share one cache, as docs/deployment.md runs them
            env["DATAIP_CACHE_URL"] = shared
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "dataip.config.wsgi:application",
            "-w",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.process.kill()
            self.process.wait()
            raise RuntimeError("gunicorn did not start")
        base = f"127.0.0.1:{self.port}"
        # Warm every worker: the first search loads jieba's dictionary, the first page the
        # templates and the translations.
        for path in ("/account/login", "/search?q=%E5%BD%B1%E5%83%8F%E6%95%B0%E6%8D%AE"):
            _measure(base, lambda p=path: p, requests=8 * self.workers, clients=4 * self.workers)
        return base

    def __exit__(self, *exc: Any) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
