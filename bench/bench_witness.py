"""Witnessed checkpoints: appends with K=1 local witness beside appends without, in one run.

The witness is ``dataip witness serve``, its own process on loopback with its own key and
store. The registry appends batches of leaves, one transaction each; witnessed and unwitnessed
work take turns on the same log and database, so both see the same database at each moment.

(a) Checkpoint latency: from signing to a published checkpoint (signed, sent to the witness
    with its consistency proof, the cosignature verified and stored), p50/p99, beside signing
    alone. Aim: p99 under 50 ms.
(b) Append throughput with the witness vs without, at the same checkpoint interval: the
    default interval (``DATAIP_CHECKPOINT_INTERVAL=1``: alternating one-second phases), and a
    checkpoint after every commit (interval 0, the worst case: every commit waits for the
    witness; batches take turns). Aim: at least 0.8x.

``DATAIP_BENCH_SCALE=0.1`` shrinks the number of batches for a quick run.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SAMPLES = 500
BATCHES = (10, 100)


def run() -> list[str]:
    """Start a witness, measure, stop it; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    from django.conf import settings

    data_dir = Path(os.environ["DATAIP_DATA_DIR"]).resolve()
    keys = data_dir / "bench-witness-ledger"
    folder = data_dir / "bench-witness"
    for path in (keys, folder):
        shutil.rmtree(path, ignore_errors=True)
    settings.DATAIP_LOG_KEY_DIR = keys
    settings.DATAIP_TSA_URL = ""
    settings.DATAIP_CHECKPOINT_INTERVAL = 0
    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    samples = max(50, int(SAMPLES * scale))
    with _witness(folder, data_dir) as (vkey, url):
        witnessed = [(vkey, url)]
        lines = _latency(settings, witnessed, samples)
        settings.DATAIP_CHECKPOINT_INTERVAL = 1
        for batch in BATCHES:
            lines.append(_phases(settings, witnessed, batch, max(4, int(20 * scale))))
        settings.DATAIP_CHECKPOINT_INTERVAL = 0
        for batch in BATCHES:
            lines.append(_throughput(settings, witnessed, batch, samples))
    shutil.rmtree(keys, ignore_errors=True)
    return lines


class _witness:
    """``dataip witness serve`` on a free loopback port, for the registry's current key."""

    def __init__(self, folder: Path, data_dir: Path) -> None:
        self.folder, self.data_dir = folder, data_dir
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> tuple[str, str]:
        from dataip.ledger import keys
        from dataip.witness.config import create_key

        vkey = create_key(self.folder, "bench.example/w1").vkey
        logs = self.data_dir / "bench-witness-logs.txt"
        logs.write_text(f"log {keys.vkey()}\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        command = [sys.executable, "-m", "dataip.cli", "witness", "serve"]
        command += ["--dir", str(self.folder), "--logs", str(logs), "--port", str(port)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return vkey, f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the witness did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _bodies(start: int, count: int) -> list[bytes]:
    from dataip.evidence import canonical_json

    return [canonical_json({"schema": "bench/v1", "n": n}) for n in range(start, start + count)]


class _Leaves:
    """Fresh leaf bodies, numbered on."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, count: int) -> list[bytes]:
        bodies = _bodies(self.next, count)
        self.next += count
        return bodies


_LEAVES = _Leaves()


def _append_quietly(count: int) -> None:
    """Append ``count`` leaves without the on-commit checkpoint (it is timed separately)."""
    from django.db import transaction

    from dataip.ledger import appending, checkpoints

    checkpoints._last_signed_after_commit = float("inf")  # the hook skips: interval not over
    with transaction.atomic():
        appending.append_many(_LEAVES.take(count))
    checkpoints._last_signed_after_commit = float("-inf")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


def _latency(settings: Any, witnessed: list[tuple[str, str]], samples: int) -> list[str]:
    from dataip.ledger import checkpoints

    settings.DATAIP_WITNESS_QUORUM = 0
    timings: dict[bool, list[float]] = {False: [], True: []}
    for i in range(samples * 2):
        with_witness = bool(i % 2)
        settings.DATAIP_WITNESSES = witnessed if with_witness else []
        settings.DATAIP_WITNESS_QUORUM = 1 if with_witness else 0
        _append_quietly(10)
        began = time.perf_counter()
        checkpoints.after_commit()  # sign; with the witness: submit, verify, store
        published = checkpoints.published()
        timings[with_witness].append(time.perf_counter() - began)
        if published is None or published.size != checkpoints.latest().size:  # type: ignore[union-attr]
            raise RuntimeError("the witness did not cosign the checkpoint")
    alone, cosigned = _percentiles(timings[False]), _percentiles(timings[True])
    return [
        f"checkpoint latency with K=1 witness: p50 {cosigned[0]:.1f} ms, p99 {cosigned[1]:.1f} ms "
        f"vs signing alone p99 {alone[1]:.1f} ms = {cosigned[1] / alone[1]:.1f}x "
        f"(aim: p99 under 50 ms)",
    ]


def _use(settings: Any, witnessed: list[tuple[str, str]], with_witness: bool) -> None:
    settings.DATAIP_WITNESSES = witnessed if with_witness else []
    settings.DATAIP_WITNESS_QUORUM = 1 if with_witness else 0


def _phases(settings: Any, witnessed: list[tuple[str, str]], batch: int, phases: int) -> str:
    """Leaves per second in alternating one-second phases, with and without the witness."""
    from django.db import transaction

    from dataip.ledger import appending, checkpoints

    done = {False: 0, True: 0}
    spent = {False: 0.0, True: 0.0}
    for i in range(phases * 2):
        with_witness = bool(i % 2)
        _use(settings, witnessed, with_witness)
        checkpoints._last_signed_after_commit = float("-inf")  # each phase starts with one
        began = time.perf_counter()
        while time.perf_counter() - began < 1.0:
            with transaction.atomic():
                appending.append_many(_LEAVES.take(batch))
            done[with_witness] += batch
        spent[with_witness] += time.perf_counter() - began
    plain, cosigned = done[False] / spent[False], done[True] / spent[True]
    return (
        f"append in batches of {batch} (default checkpoint interval, 1 s): with K=1 witness "
        f"{cosigned:,.0f} leaves/s vs without {plain:,.0f} leaves/s = {cosigned / plain:.2f}x "
        f"(aim: at least 0.80x)"
    )


def _throughput(settings: Any, witnessed: list[tuple[str, str]], batch: int, samples: int) -> str:
    from django.db import transaction

    from dataip.ledger import appending

    def append(bodies: list[bytes]) -> None:
        with transaction.atomic():
            appending.append_many(bodies)  # the checkpoint is signed (and sent) on commit

    spent = {False: 0.0, True: 0.0}
    for i in range(samples * 2):
        with_witness = bool(i % 2)
        settings.DATAIP_WITNESSES = witnessed if with_witness else []
        settings.DATAIP_WITNESS_QUORUM = 1 if with_witness else 0
        bodies = _LEAVES.take(batch)
        began = time.perf_counter()
        append(bodies)
        spent[with_witness] += time.perf_counter() - began
    leaves = samples * batch
    plain, cosigned = leaves / spent[False], leaves / spent[True]
    return (
        f"append in batches of {batch} (interval 0: checkpoint after every commit): with K=1 "
        f"witness "
        f"{cosigned:,.0f} leaves/s vs without {plain:,.0f} leaves/s = {cosigned / plain:.2f}x "
        f"(aim: at least 0.80x)"
    )
