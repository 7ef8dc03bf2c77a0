"""Evidence ledger: appends vs bare inserts, proof latency, offline bundle verification.

(a) Appending N leaves (default 1,000,000) in batches of 1,000, one transaction per batch, each
    followed by its signed checkpoint -- beside bare inserts of the same entry rows into a
    table of the same shape, in the same database, batch for batch in turn. Aim: the log
    costs at most twice as much.
(b) Inclusion and consistency proofs at N leaves: p50/p99 latency, beside a one-row lookup by
    primary key. Aim: p99 under 2 ms.
(c) Offline verification of an evidence bundle, beside raw Ed25519 verifications. Aim: at
    least half the raw rate.

The work runs in a child process on its own fresh SQLite file under ``DATAIP_DATA_DIR``
(``bench-ledger.sqlite3``), so other benchmarks' databases are untouched.
``DATAIP_BENCH_SCALE=0.01`` shrinks N for a quick run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BATCH = 1000
SAMPLES = 2000
TEMPLATE = (
    '{{"actor_role":"examiner","application":"SQ2026310{n:07d}","from":"expert_review",'
    '"payload_sha256":"{p}","prev":"{h}","reason_sha256":"{r}",'
    '"registration":null,"schema":"dip.event/v1","time":"2026-03-0{d}T02:00:00Z",'
    '"to":"approved","type":"approve"}}'
)


def run() -> list[str]:
    """Run the measurements in a child process and return its figures."""
    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    count = max(BATCH * 4, int(1_000_000 * scale))
    data_dir = Path(os.environ.get("DATAIP_DATA_DIR", "var/bench")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database, keys = data_dir / "bench-ledger.sqlite3", data_dir / "bench-ledger-keys"
    _remove(database, keys)
    env = dict(os.environ)
    env.update(
        DATAIP_DATA_DIR=str(data_dir),
        DATAIP_DATABASE_URL=f"sqlite:///{database}",
        DATAIP_LOG_KEY_DIR=str(keys),
        DATAIP_TSA_URL="",
        DJANGO_SETTINGS_MODULE="dataip.config.settings",
    )
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_ledger", str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    _remove(database, keys)  # about 1.5 GB at a million leaves
    if child.returncode != 0:
        return [f"FAILED: {child.stderr.strip()[-2000:]}"]
    return list(json.loads(child.stdout.strip().splitlines()[-1]))


def _remove(database: Path, keys: Path) -> None:
    """Delete the benchmark's database files and key folder."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(keys, ignore_errors=True)


def _bodies(start: int, count: int) -> list[bytes]:
    """Canonical event leaves (keys already in RFC 8785 order), about 400 bytes each."""
    rng = random.Random(start)
    return [
        TEMPLATE.format(
            n=n, d=n % 9 + 1, p=rng.randbytes(32).hex(), h=rng.randbytes(32).hex(), r="0" * 64
        ).encode()
        for n in range(start, start + count)
    ]


def _timed_batches(count: int, *writers: Callable[[list[bytes]], None]) -> list[float]:
    """Seconds each writer spends on ``count`` leaves, batch by batch, taking turns.

    Taking turns gives each writer the same database (file size, WAL state) at each moment;
    making the leaves is not counted.
    """
    spent = [0.0] * len(writers)
    for start in range(0, count, BATCH):
        bodies = _bodies(start, min(BATCH, count - start))
        for i, write in enumerate(writers):
            began = time.perf_counter()
            write(bodies)
            spent[i] += time.perf_counter() - began
    return spent


def _append(bodies: list[bytes]) -> None:
    from django.db import transaction

    from dataip.ledger import appending

    with transaction.atomic():
        appending.append_many(bodies)  # the checkpoint is signed on commit, inside the timing


def _bare_table() -> Callable[[list[bytes]], None]:
    """A table shaped like ``ledger_logentry`` (same keys), and a bare batch insert into it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dataip.evidence import leaf_hash

    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE bench_bare_entry ("index" bigint PRIMARY KEY, '
            "leaf_hash varchar(64) NOT NULL UNIQUE, body text NOT NULL, created_at datetime)"
        )
    sql = 'INSERT INTO bench_bare_entry ("index", leaf_hash, body, created_at) VALUES (?, ?, ?, ?)'
    state = {"next": 0}

    def insert(bodies: list[bytes]) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        start = state["next"]
        rows = [(start + i, leaf_hash(b).hex(), b.decode(), now) for i, b in enumerate(bodies)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)
        state["next"] += len(bodies)

    return insert


def _percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


def _latencies(
    call: Callable[..., object], arguments: list[tuple[int, ...]]
) -> tuple[float, float]:
    """p50/p99 (ms) of ``call(*args)`` for each ``args`` in ``arguments``."""
    samples = []
    for args in arguments:
        began = time.perf_counter()
        call(*args)
        samples.append(time.perf_counter() - began)
    return _percentiles(samples)


def _lookup(index: int) -> object:
    """The baseline: one entry's leaf hash by primary key, through the ORM."""
    from dataip.ledger.models import LogEntry

    return LogEntry.objects.filter(index=index).values_list("leaf_hash").first()


def _proof_figures(count: int) -> list[str]:
    import gc

    from django.db import connection

    from dataip.ledger import log

    with connection.cursor() as cursor:  # steady state: the appends' WAL folded into the file
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gc.collect()
    rng = random.Random(7)
    pairs: list[tuple[int, ...]] = []
    for _ in range(SAMPLES):
        size = rng.randrange(count // 2, count) + 1
        pairs.append((rng.randrange(size), size))
    spans: list[tuple[int, ...]] = []
    for _ in range(SAMPLES):
        first, last = sorted((rng.randrange(1, count), rng.randrange(1, count + 1)))
        spans.append((first, last))
    incl = _latencies(log.inclusion_proof, pairs)
    cons = _latencies(log.consistency_proof, spans)
    lookup = _latencies(_lookup, [(index,) for index, _ in pairs])
    return [
        f"inclusion proof at {count:,} leaves: p50 {incl[0]:.3f} ms, p99 {incl[1]:.3f} ms "
        f"vs one-row lookup p99 {lookup[1]:.3f} ms = {incl[1] / lookup[1]:.1f}x "
        f"(aim: p99 under 2 ms)",
        f"consistency proof at {count:,} leaves: p50 {cons[0]:.3f} ms, p99 {cons[1]:.3f} ms "
        f"vs one-row lookup p99 {lookup[1]:.3f} ms = {cons[1] / lookup[1]:.1f}x "
        f"(aim: p99 under 2 ms)",
    ]


def _rate(call: Callable[[], object], seconds: float = 3.0) -> float:
    """Calls per second of ``call`` over about ``seconds``."""
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        for _ in range(100):
            call()
        done += 100
    return done / (time.perf_counter() - began)


def _bundle_figures(count: int) -> list[str]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dataip.evidence.bundle import verify_bundle
    from dataip.ledger import bundles, keys

    data = bundles.bundle_for_entry(count // 3)
    vkey = keys.vkey()
    verify_bundle(data, vkey)
    private = Ed25519PrivateKey.generate()
    public, message = private.public_key(), _bodies(0, 1)[0]
    signature = private.sign(message)
    raw = _rate(lambda: public.verify(signature, message))
    full = _rate(lambda: verify_bundle(data, vkey))
    return [
        f"bundle verification: {full:,.0f} bundles/s vs raw Ed25519 {raw:,.0f} verifications/s "
        f"= {full / raw:.2f} (aim: at least 0.50)",
    ]


def _worker(count: int) -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    bare_seconds, log_seconds = _timed_batches(count, _bare_table(), _append)
    bare, logged = count / bare_seconds, count / log_seconds
    lines = [
        f"append {count:,} leaves in batches of {BATCH:,} (checkpoint each): "
        f"{logged:,.0f} leaves/s vs bare inserts {bare:,.0f} rows/s = "
        f"{log_seconds / bare_seconds:.2f}x the time (aim: at most 2x)",
    ]
    return lines + _proof_figures(count) + _bundle_figures(count)


def _main(argv: list[str]) -> int:
    lines = _worker(int(argv[0]))
    print(json.dumps(lines, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
