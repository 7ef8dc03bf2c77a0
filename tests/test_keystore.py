"""The key store: one folder per set of keys, private keys 0600, written whole, read once."""

from __future__ import annotations

import ast
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataip import keystore


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The certificates' store in a fresh folder, and an empty cache."""
    settings.DATAIP_CERT_DIR = tmp_path / "certificates"
    keystore.forget()
    yield settings.DATAIP_CERT_DIR
    keystore.forget()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_each_store_is_the_folder_its_setting_names(settings: Any, tmp_path: Path) -> None:
    settings.DATAIP_LOG_KEY_DIR = tmp_path / "a"
    settings.DATAIP_CERT_DIR = tmp_path / "b"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "c"
    assert keystore.folder(keystore.LEDGER) == tmp_path / "a"
    assert keystore.folder(keystore.CERTIFICATES) == tmp_path / "b"
    assert keystore.folder(keystore.DEPOSIT_TSA) == tmp_path / "c"


def test_it_writes_private_keys_for_the_owner_only_and_certificates_for_all(
    store: Path,
) -> None:
    old = os.umask(0o077)
    try:
        keystore.write(store / "k.key", b"secret", private=True)
        keystore.write(store / "k.crt", b"public", private=False)
    finally:
        os.umask(old)
    assert (_mode(store / "k.key"), _mode(store / "k.crt")) == (0o600, 0o644)
    assert (store / "k.key").read_bytes() == b"secret"
    assert sorted(p.name for p in store.iterdir()) == ["k.crt", "k.key"]  # no temporary file


def test_it_replaces_a_file_unless_told_not_to(store: Path) -> None:
    keystore.write(store / "k.key", b"first", private=True)
    keystore.write(store / "k.key", b"second", private=True)
    assert (store / "k.key").read_bytes() == b"second"
    with pytest.raises(FileExistsError):
        keystore.write(store / "k.key", b"third", private=True, exclusive=True)
    assert (store / "k.key").read_bytes() == b"second"
    assert [p.name for p in store.iterdir()] == ["k.key"]


def test_it_makes_a_store_once(store: Path) -> None:
    made: list[int] = []

    def make() -> list[tuple[str, bytes, bool]]:
        made.append(1)
        return [("ca.key", b"k", True), ("seal.crt", b"c", False)]

    assert keystore.ensure(keystore.CERTIFICATES, "seal.crt", make) == store
    assert keystore.ensure(keystore.CERTIFICATES, "seal.crt", make) == store
    assert len(made) == 1
    assert _mode(store / "ca.key") == 0o600
    (store / "seal.crt").unlink()  # a store made half-way is made again
    keystore.ensure(keystore.CERTIFICATES, "seal.crt", make)
    assert len(made) == 2


def test_it_reads_a_key_once_until_its_file_changes(store: Path) -> None:
    path = store / "k.key"
    keystore.write(path, b"one", private=True)
    reads: list[bytes] = []

    def parse() -> bytes:
        reads.append(path.read_bytes())
        return reads[-1]

    assert keystore.load("test", [path], parse) == b"one"
    assert keystore.load("test", [path], parse) == b"one"
    assert len(reads) == 1
    keystore.write(path, b"two", private=True)  # renamed into place: a new inode
    assert keystore.load("test", [path], parse) == b"two"
    assert keystore.load("test", [path], parse, also="other name") == b"two"
    assert len(reads) == 3
    keystore.forget("test")
    keystore.load("test", [path], parse, also="other name")
    assert len(reads) == 4


def test_a_missing_key_file_is_an_os_error(store: Path) -> None:
    with pytest.raises(FileNotFoundError):
        keystore.load("test", [store / "absent.key"], lambda: b"")


def test_a_busy_lock_is_reported_when_not_waiting(store: Path) -> None:
    with keystore.locked(store / ".lock") as first:
        assert first
        with keystore.locked(store / ".lock", wait=False) as second:
            assert not second
    with keystore.locked(store / ".lock", wait=False) as again:
        assert again


def test_it_sits_below_every_app() -> None:
    tree = ast.parse(Path(keystore.__file__).read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert "django.conf" in imported
    assert [name for name in imported if name.split(".")[0] == "dataip"] == []
