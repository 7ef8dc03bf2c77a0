"""What cannot be deposited fails clearly, or with ``on_error="skip"`` is left out and listed."""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataip.evidence import _filehash, _walk
from dataip.evidence._paths import path_problem
from dataip.evidence._problems import Problem
from dataip.evidence.fingerprint import FingerprintError, fingerprint

from ._deposit import make_tree, spec_records, spec_root

T = datetime(2026, 3, 2, tzinfo=UTC)
GOOD = {"keep.csv": b"a,b\n1,2\n", "sub/keep.txt": b"text\n"}


def _check_skip(tmp_path: Path, reason: str, bad_path: str, **kwargs: Any) -> None:
    """Fail mode raises naming ``bad_path``; skip mode lists it and roots the good files only."""
    with pytest.raises(FingerprintError) as caught:
        fingerprint([tmp_path / "data"], workers=1, created=T, **kwargs)
    assert [(p.path, p.reason) for p in caught.value.problems] == [(bad_path, reason)]
    assert bad_path in str(caught.value)
    result = fingerprint([tmp_path / "data"], workers=1, created=T, on_error="skip", **kwargs)
    skipped = result.manifest["skipped"]
    assert [(s["path"], s["reason"]) for s in skipped] == [(bad_path, reason)]
    assert [r["path"] for r in result.manifest["records"]] == ["data/keep.csv", "data/sub/keep.txt"]
    clean = make_tree(tmp_path / "clean" / "data", GOOD).parent
    assert result.root == spec_root(spec_records(clean, ["data"]))


def test_it_refuses_a_symlink_to_a_file(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    (tmp_path / "data" / "link.csv").symlink_to(tmp_path / "data" / "keep.csv")
    _check_skip(tmp_path, "symlink", "data/link.csv")


def test_it_refuses_a_broken_link(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    (tmp_path / "data" / "sub" / "gone").symlink_to(tmp_path / "nowhere")
    _check_skip(tmp_path, "symlink", "data/sub/gone")


def test_it_refuses_a_symlinked_folder_without_entering_it(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    make_tree(tmp_path / "elsewhere", {"secret.txt": b"x"})
    (tmp_path / "data" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    _check_skip(tmp_path, "symlink", "data/linked")


def test_it_refuses_a_newline_in_a_name(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    (tmp_path / "data" / "two\nlines.csv").write_bytes(b"x")
    _check_skip(tmp_path, "bad_name", "data/two\\x0alines.csv")


def test_it_refuses_control_characters_and_backslashes_in_names(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    (tmp_path / "data" / "tab\there").write_bytes(b"x")
    (tmp_path / "data" / "back\\slash").mkdir()
    (tmp_path / "data" / "back\\slash" / "inner.txt").write_bytes(b"x")
    with pytest.raises(FingerprintError) as caught:
        fingerprint([tmp_path / "data"], workers=1)
    assert sorted((p.path, p.reason) for p in caught.value.problems) == [
        ("data/back\\\\slash", "bad_name"),
        ("data/tab\\x09here", "bad_name"),
    ]
    result = fingerprint([tmp_path / "data"], workers=1, on_error="skip")
    assert result.manifest["files"] == 2
    assert len(result.manifest["skipped"]) == 2


def test_it_refuses_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    with open(os.path.join(os.fsencode(tmp_path / "data"), b"latin-\xe9.txt"), "wb") as f:
        f.write(b"x")
    _check_skip(tmp_path, "bad_name", "data/latin-\\xe9.txt")


def test_it_refuses_paths_with_dot_dot_empty_segments_or_absolute(tmp_path: Path) -> None:
    assert path_problem("a/../b") is not None
    assert path_problem("a//b") is not None
    assert path_problem("/etc/passwd") is not None
    assert path_problem("a/./b") is not None
    assert path_problem(unicodedata.normalize("NFD", "café")) == "path is not in Unicode NFC"
    assert path_problem("数据/ok name.csv") is None


def test_it_refuses_a_fifo_and_never_blocks_on_it(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    os.mkfifo(tmp_path / "data" / "pipe")
    _check_skip(tmp_path, "special", "data/pipe")


def test_it_refuses_a_fifo_that_replaced_a_file_after_listing(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {**GOOD, "swap": b"was a file"})
    got = _filehash.hash_file(str(tmp_path / "data" / "swap"), 10, _filehash.Options())
    assert not isinstance(got, Problem)
    (tmp_path / "data" / "swap").unlink()
    os.mkfifo(tmp_path / "data" / "swap")
    got = _filehash.hash_file(str(tmp_path / "data" / "swap"), 10, _filehash.Options())
    assert isinstance(got, Problem)
    assert got.reason == "special"


def test_it_notices_a_file_that_changes_while_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "data", {**GOOD, "sub/live.log": b"line\n" * 1000})
    target = tmp_path / "data" / "sub" / "live.log"
    fd_paths: dict[int, str] = {}
    grown: set[int] = set()
    real_open = os.open

    def tracking_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real_open(path, flags, *args, **kwargs)
        fd_paths[fd] = os.fspath(path)
        grown.discard(fd)
        return fd

    original = _filehash._read_into

    def read(f: Any, view: memoryview) -> int:
        # Grow the file once per open, right after its first read.
        n = original(f, view)
        if fd_paths.get(f.fileno()) == str(target) and n and f.fileno() not in grown:
            grown.add(f.fileno())
            with open(target, "ab") as g:
                g.write(b"appended while reading\n")
        return n

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(_filehash, "_read_into", read)
    with pytest.raises(FingerprintError) as caught:
        fingerprint([tmp_path / "data"], workers=1)
    (problem,) = caught.value.problems
    assert (problem.path, problem.reason) == ("data/sub/live.log", "changed")
    result = fingerprint([tmp_path / "data"], workers=1, on_error="skip")
    assert [(s["path"], s["reason"]) for s in result.manifest["skipped"]] == [
        ("data/sub/live.log", "changed")
    ]
    assert result.manifest["files"] == 2


def test_it_notices_a_file_whose_size_changed_since_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "data", {**GOOD, "grows.csv": b"1\n"})
    real_walk = _walk.walk

    def walk_then_grow(*args: Any, **kwargs: Any) -> _walk.Listing:
        listing = real_walk(*args, **kwargs)
        with open(tmp_path / "data" / "grows.csv", "ab") as f:
            f.write(b"2\n")
        return listing

    monkeypatch.setattr("dataip.evidence.fingerprint.walk", walk_then_grow)
    _check_skip(tmp_path, "changed", "data/grows.csv")


def test_it_notices_a_file_that_vanished_after_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "data", GOOD)
    real_walk = _walk.walk

    def walk_then_delete(*args: Any, **kwargs: Any) -> _walk.Listing:
        listing = real_walk(*args, **kwargs)
        victim = tmp_path / "data" / "gone.csv"
        if victim.exists():
            victim.unlink()
        return listing

    monkeypatch.setattr("dataip.evidence.fingerprint.walk", walk_then_delete)
    for mode in ("fail", "skip"):
        (tmp_path / "data" / "gone.csv").write_bytes(b"soon gone")
        if mode == "fail":
            with pytest.raises(FingerprintError) as caught:
                fingerprint([tmp_path / "data"], workers=2)
            assert [(p.path, p.reason) for p in caught.value.problems] == [
                ("data/gone.csv", "vanished")
            ]
        else:
            result = fingerprint([tmp_path / "data"], workers=2, on_error="skip")
            assert result.manifest["skipped"][0]["reason"] == "vanished"
            assert result.manifest["files"] == 2


def test_it_reports_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, where chmod 000 does not stop reading: refuse the open instead.
    make_tree(tmp_path / "data", {**GOOD, "locked.db": b"secret"})
    locked = str(tmp_path / "data" / "locked.db")
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    _check_skip(tmp_path, "unreadable", "data/locked.db")


def test_it_reports_an_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "data", {**GOOD, "private/x.csv": b"x"})
    private = str(tmp_path / "data" / "private")
    real_scandir = os.scandir

    def refusing_scandir(path: Any) -> Any:
        if os.fspath(path) == private:
            raise PermissionError(13, "Permission denied", private)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    _check_skip(tmp_path, "unreadable", "data/private")


def test_it_refuses_names_that_are_duplicates_after_nfc(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    (tmp_path / "data" / unicodedata.normalize("NFC", "é.txt")).write_bytes(b"composed")
    (tmp_path / "data" / unicodedata.normalize("NFD", "é.txt")).write_bytes(b"decomposed")
    with pytest.raises(FingerprintError) as caught:
        fingerprint([tmp_path / "data"], workers=1)
    assert [(p.path, p.reason) for p in caught.value.problems] == [("data/é.txt", "duplicate")] * 2
    result = fingerprint([tmp_path / "data"], workers=1, on_error="skip")
    assert [s["reason"] for s in result.manifest["skipped"]] == ["duplicate", "duplicate"]
    assert result.manifest["files"] == 2


def test_it_warns_about_names_that_differ_only_in_case(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {"Report.csv": b"1", "report.csv": b"2"})
    result = fingerprint([tmp_path / "data"], workers=1)
    assert result.manifest["files"] == 2
    (notice,) = result.notices
    assert "data/Report.csv" in notice.english
    assert "大小写" in notice.chinese


def test_it_refuses_missing_clashing_and_nested_arguments(tmp_path: Path) -> None:
    make_tree(tmp_path / "a" / "data", GOOD)
    make_tree(tmp_path / "b" / "data", {"other.csv": b"o"})
    with pytest.raises(FingerprintError) as caught:
        fingerprint([tmp_path / "missing"], on_error="skip")
    assert caught.value.problems[0].reason == "missing"
    with pytest.raises(FingerprintError, match="same name"):
        fingerprint([tmp_path / "a" / "data", tmp_path / "b" / "data"], on_error="skip")
    with pytest.raises(FingerprintError, match="inside"):
        fingerprint([tmp_path / "a", tmp_path / "a" / "data" / "sub"])
    with pytest.raises(FingerprintError, match="root"):
        fingerprint(["/"])


def test_it_names_deposit_paths_after_each_argument(tmp_path: Path) -> None:
    make_tree(tmp_path / "corpus", GOOD)
    (tmp_path / "README").write_bytes(b"read me")
    result = fingerprint([tmp_path / "corpus", tmp_path / "README"], workers=1)
    assert [r["path"] for r in result.manifest["records"]] == [
        "README",
        "corpus/keep.csv",
        "corpus/sub/keep.txt",
    ]
    here = fingerprint([tmp_path / "corpus" / "."], workers=1)
    assert here.manifest["records"][0]["path"] == "corpus/keep.csv"


def test_it_leaves_out_its_own_output_files(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {**GOOD, "manifest.json": b"{}"})
    result = fingerprint([tmp_path / "data"], exclude=[tmp_path / "data" / "manifest.json"])
    assert result.excluded == ("data/manifest.json",)
    assert result.manifest["files"] == 2


def test_it_refuses_unknown_error_modes_and_short_salts(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", GOOD)
    with pytest.raises(ValueError, match="on_error"):
        fingerprint([tmp_path / "data"], on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="salt"):
        fingerprint([tmp_path / "data"], salt=b"short")
