"""Safe restore, the witness half: a registry restored from an older copy of its database that
carries on appending forks its log -- and the witness, which cosigned the newer tree, refuses.

Real parts only: the registry runs as processes on a SQLite file (copied and restored like a
backup), the witness as its own process on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dataip.evidence import Cosigner, Ed25519Signer
from tests.witness._support import free_port, witness_process

ORIGIN = "fork.example/log/v1"


def _environment(tmp_path: Path, witness_vkey: str, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAIP_", "DJANGO_"))}
    env.update(
        DATAIP_DATA_DIR=str(tmp_path / "data"),
        DATAIP_DATABASE_URL=f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        DATAIP_LOG_KEY_DIR=str(tmp_path / "ledger"),
        DATAIP_LOG_ORIGIN=ORIGIN,
        DATAIP_CHECKPOINT_INTERVAL="0",
        DATAIP_WITNESSES=f"{witness_vkey} {url}",
        DATAIP_WITNESS_QUORUM="1",
        DATAIP_TSA_URL="",
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )
    return done


def _append(env: dict[str, str], tag: str, count: int) -> dict[str, Any]:
    done = _run(env, "-m", "tests.witness._registry", tag, str(count))
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture
def registry(tmp_path: Path) -> Any:
    """A migrated registry with its log key, and a witness that knows that key."""
    folder = tmp_path / "witness"
    from dataip.witness.config import create_key

    cosigner: Cosigner = create_key(folder, "court.example/w1")
    bootstrap = _environment(tmp_path, cosigner.vkey, "http://127.0.0.1:1")
    migrated = _run(bootstrap, "-m", "dataip.cli", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    log_key = Ed25519Signer.generate(ORIGIN)  # the registry's key, kept apart from its database
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "log.key").write_text(log_key.skey + "\n")
    (tmp_path / "ledger" / "log.key").chmod(0o600)
    logs = tmp_path / "logs.txt"
    logs.write_text(f"log {log_key.vkey}\n")
    with witness_process(folder, logs, free_port()) as url:
        yield _environment(tmp_path, cosigner.vkey, url)


@pytest.mark.slow
def test_a_restored_older_database_that_carries_on_is_refused(
    registry: dict[str, str], tmp_path: Path
) -> None:
    database = tmp_path / "registry.sqlite3"
    first = _append(registry, "before-backup", 3)
    assert first["published"] == 3
    assert first["cosigned"] == [3]
    shutil.copy(database, tmp_path / "backup.sqlite3")  # the backup

    later = _append(registry, "after-backup", 2)
    assert (later["published"], later["cosigned"]) == (5, [3, 5])  # the witness saw size 5

    shutil.copy(tmp_path / "backup.sqlite3", database)  # restore the older copy...
    forked = _append(registry, "different", 4)  # ...and carry on with other entries
    assert forked["size"] == 7
    assert forked["published"] == 3, "the forked tree is never published"
    assert forked["cosigned"] == [3]
    assert "refuses to sign" in forked["refused"]
    assert "court.example/w1" in forked["refused"]
    assert "not consistent" in forked["refused"]

    again = _append(registry, "more", 1)
    assert again["signed"] == forked["signed"], "nothing more is signed"
    assert again["refused"] == forked["refused"]
    ticked = _run(registry, "-m", "dataip.cli", "tick")
    assert "checkpoint_refused: 1" in ticked.stdout
    assert "拒绝签署" in ticked.stdout  # the reason, in Chinese and English
    assert "refuses to sign" in ticked.stdout


@pytest.mark.slow
def test_a_restored_database_behind_the_witness_is_refused(
    registry: dict[str, str], tmp_path: Path
) -> None:
    database = tmp_path / "registry.sqlite3"
    _append(registry, "before-backup", 2)
    shutil.copy(database, tmp_path / "backup.sqlite3")
    assert _append(registry, "after-backup", 6)["published"] == 8
    shutil.copy(tmp_path / "backup.sqlite3", database)
    behind = _append(registry, "different", 1)  # size 3: behind the witness's 8
    assert behind["published"] == 2
    assert "cosigned size 8" in behind["refused"]
    assert "has cosigned 8 entries, the log has only 3" in behind["refused"]
