"""``dataip witness`` as its own process: init, vkey, serve over HTTP (waitress) on loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dataip.evidence import Checkpoint, CosignatureVerifier, Ed25519Signer, sign_checkpoint
from dataip.evidence.note import open_note
from dataip.evidence.tlog_witness import AddCheckpoint
from tests.witness._support import free_port, post, witness_process

ORIGIN = "registry.example.cn/log/v1"


def _dataip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "dataip.cli", *args], capture_output=True, text=True, check=False
    )


def test_init_makes_a_key_once_and_vkey_prints_it(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    made = _dataip("witness", "init", "--name", "notary.example/w1", "--dir", str(folder))
    assert made.returncode == 0, made.stderr
    vkey = made.stdout.strip()
    assert CosignatureVerifier.from_vkey(vkey).name == "notary.example/w1"
    assert (folder / "witness.key").stat().st_mode & 0o777 == 0o600
    again = _dataip("witness", "init", "--name", "notary.example/w1", "--dir", str(folder))
    assert again.returncode == 1
    assert "已存在" in again.stderr
    assert "never replaced" in again.stderr
    assert _dataip("witness", "vkey", "--dir", str(folder)).stdout.strip() == vkey


def test_a_bad_witness_name_is_refused_in_both_languages(tmp_path: Path) -> None:
    made = _dataip("witness", "init", "--name", "bad name", "--dir", str(tmp_path / "w"))
    assert made.returncode == 2
    assert "见证方名称无效" in made.stderr
    assert "Invalid witness name" in made.stderr


def test_the_served_witness_cosigns_and_answers_409_over_http(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    vkey = _dataip("witness", "init", "--name", "notary.example/w1", "--dir", str(folder))
    verifier = CosignatureVerifier.from_vkey(vkey.stdout.strip())
    log_key = Ed25519Signer.generate(ORIGIN)
    logs = tmp_path / "logs.txt"
    logs.write_text(f"log {log_key.vkey}\n")
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, bytes(range(32))), log_key)
    with witness_process(folder, logs, free_port()) as url:
        status, content_type, body = post(
            url + "/add-checkpoint", AddCheckpoint(0, (), note).to_bytes()
        )
        assert status == 200, body
        opened = open_note(note + body.decode(), [verifier])
        assert opened.signed_by(verifier) is not None
        status, content_type, body = post(
            url + "/add-checkpoint", AddCheckpoint(0, (), note).to_bytes()
        )
        assert (status, content_type, body) == (409, "text/x.tlog.size", b"1\n")
        assert post(url + "/elsewhere", b"")[0] == 404
    # The store survives the process: a new process still knows size 1.
    with witness_process(folder, logs, free_port()) as url:
        status, _, body = post(url + "/add-checkpoint", AddCheckpoint(0, (), note).to_bytes())
        assert (status, body) == (409, b"1\n")


def test_the_witness_loads_no_django() -> None:
    code = (
        "import sys, dataip.witness.core, dataip.witness.server, dataip.witness.config\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
