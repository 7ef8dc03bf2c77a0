"""The log written as C2SP tlog-tiles into the ``tiles`` storage, rebuilt from the files alone,
and served over HTTP."""

from __future__ import annotations

import gzip
import logging
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from dataip.cli import app
from dataip.evidence import Checkpoint as CheckpointBody
from dataip.evidence import sign_checkpoint
from dataip.evidence.tiles import decode_bundle, fetch_from_folder, verify_tiles
from dataip.ledger import checkpoints, keys, log
from dataip.ledger.models import LogEntry
from dataip.ledger.tiles import TilesDisagree, tick_step, write_tiles
from dataip.registry.workflow import Status
from tests.ledger._support import append_batches, commit_batches
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def folder(settings: Any, tmp_path: Path) -> Path:
    """The tiles storage: a folder of this test."""
    location = tmp_path / "tiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "tiles": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the folder: its bytes and its inode (a rewrite would change it)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_ino)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_the_tree_is_rebuilt_from_the_stored_tiles_alone(
    folder: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 200, 100)
    written = write_tiles()
    assert (written.size, written.files, written.pruned) == (300, 5, 0)
    assert sorted(_files(folder)) == [
        "checkpoint",
        "tile/0/000",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/44",
    ]
    verified = verify_tiles(fetch_from_folder(folder), keys.vkey())
    assert verified.checkpoint.size == 300
    assert verified.checkpoint.root_hash == log.root(300)
    assert verified.note == checkpoints.published_note(checkpoints.published())  # type: ignore[arg-type]


def test_more_entries_add_files_and_never_rewrite_a_full_tile(
    folder: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 300)
    write_tiles()
    before = _files(folder)
    commit_batches(django_capture_on_commit_callbacks, 300, start=300)
    written = write_tiles()
    after = _files(folder)
    assert (written.size, written.pruned) == (600, 2)  # tile/0/001.p/44 and its bundle
    for name in ("tile/0/000", "tile/entries/000", "tile/1/000.p/1"):
        assert after[name] == before[name], name
    assert "tile/0/001.p/44" not in after
    assert {"tile/0/001", "tile/entries/001", "tile/0/002.p/88", "tile/1/000.p/2"} <= set(after)
    assert verify_tiles(fetch_from_folder(folder), keys.vkey()).checkpoint.size == 600
    assert write_tiles().files == 0
    assert _files(folder) == after


def test_it_writes_only_what_a_published_checkpoint_covers(
    folder: Path, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 5)
    with django_capture_on_commit_callbacks(execute=False):  # committed, not yet signed
        append_batches(5, start=5)
    assert write_tiles().size == 5
    assert verify_tiles(fetch_from_folder(folder), keys.vkey()).checkpoint.size == 5
    checkpoints.sign_latest()
    settings.DATAIP_WITNESSES = [("witness.example/w+00000000+AA", "http://127.0.0.1:9")]
    settings.DATAIP_WITNESS_QUORUM = 1  # none cosigned the checkpoint of 10: not published
    assert write_tiles().size == 0
    assert verify_tiles(fetch_from_folder(folder), keys.vkey()).checkpoint.size == 5


def test_the_entries_are_the_public_leaves_and_nothing_more(
    folder: Path, personas: Personas, client: Client
) -> None:
    application = at_stage(personas, Status.SUBMITTED)  # not public
    checkpoints.sign_latest()
    write_tiles()
    size = LogEntry.objects.count()
    served = client.get(f"/api/v1/log/entries?start=0&end={size}").json()["entries"]
    bundle = decode_bundle((folder / f"tile/entries/000.p/{size}").read_bytes(), size)
    assert bundle == [e["body"].encode() for e in served]
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert application.number
    assert application.number.encode() not in everything
    assert b"openings" not in everything


def test_it_refuses_to_write_over_tiles_of_another_tree(
    folder: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3)
    write_tiles()
    ahead = sign_checkpoint(CheckpointBody(keys.origin(), 9, b"\x01" * 32), keys.signer())
    (folder / "checkpoint").write_text(ahead, encoding="utf-8")
    with pytest.raises(TilesDisagree, match="older than the tiles"):
        write_tiles()
    forked = sign_checkpoint(CheckpointBody(keys.origin(), 2, b"\x01" * 32), keys.signer())
    (folder / "checkpoint").write_text(forked, encoding="utf-8")
    with pytest.raises(TilesDisagree, match="another tree"):
        write_tiles()
    assert (folder / "checkpoint").read_text(encoding="utf-8") == forked


def test_tick_writes_them_unless_turned_off(
    settings: Any, django_capture_on_commit_callbacks: Capture, caplog: Any
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3)
    assert tick_step(None) == Counter()  # off in the tests (conftest)
    settings.DATAIP_LOG_TILES = True
    assert tick_step(None) == Counter({"log_tiles_written": 2})
    assert +tick_step(None) == Counter()
    with caplog.at_level(logging.ERROR, logger="dataip.ledger"):
        settings.DATAIP_WITNESS_QUORUM = 5  # a broken configuration: the step fails alone
        assert tick_step(None) == Counter({"log_tiles_failed": 1})
    assert "could not write the log's tiles" in caplog.text


def test_the_command_writes_them(django_capture_on_commit_callbacks: Capture) -> None:
    result = CliRunner().invoke(app, ["tiles", "write"])
    assert result.exit_code == 0, result.output
    assert "No published checkpoint yet" in result.output
    commit_batches(django_capture_on_commit_callbacks, 3)
    result = CliRunner().invoke(app, ["tiles", "write"])
    assert result.exit_code == 0, result.output
    assert "Tiles written up to 3 entries: 2 new files" in result.output
    assert "日志瓦片已写至 3 条记录" in result.output


def test_the_site_serves_them(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    assert client.get("/log/v1/checkpoint").status_code == 404
    commit_batches(django_capture_on_commit_callbacks, 257)
    write_tiles()
    got = client.get("/log/v1/checkpoint")
    assert got.status_code == 200
    assert got["Content-Type"] == "text/plain; charset=utf-8"
    assert got["Cache-Control"] == "public, max-age=5"
    assert got.content.decode() == checkpoints.published_note(checkpoints.published())  # type: ignore[arg-type]
    tile = client.get("/log/v1/tile/0/000")
    assert tile.status_code == 200
    assert tile["Content-Type"] == "application/octet-stream"
    assert tile["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(tile.content) == 8192
    bundle = client.get("/log/v1/tile/entries/000", headers={"Accept-Encoding": "gzip"})
    assert bundle["Content-Encoding"] == "gzip"
    entries = decode_bundle(gzip.decompress(bundle.content), 256)
    assert entries[7] == LogEntry.objects.get(index=7).body.encode()
    assert client.get("/log/v1/tile/1/000.p/1").status_code == 200
    for missing in ("tile/0/001", "tile/0/x000/000", "tile/0/000.p/5", "tile/../checkpoint"):
        answer = client.get(f"/log/v1/{missing}")
        assert answer.status_code == 404, missing
        assert answer["Cache-Control"] == "no-store"
    assert client.get("/.well-known/dataip-log-tiles").content == b"http://testserver/log/v1/\n"
    settings.DATAIP_LOG_TILES_URL = "https://tiles.example.cn/log/v1/"
    assert client.get("/.well-known/dataip-log-tiles").content.startswith(b"https://tiles.")
