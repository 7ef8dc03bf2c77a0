"""Dataset fingerprint and deposit root (design note §4.2): determinism, spec, SHA256SUMS."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.evidence.errors import MalformedInput
from dataip.evidence.fingerprint import (
    MANIFEST_SCHEMA,
    RootMismatch,
    check_manifest,
    deposit_root,
    fingerprint,
    load_manifest,
    statement,
    write_manifest,
    write_sums,
)

from ._deposit import SAMPLE, make_tree, spec_records, spec_root

T = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def test_it_gives_the_same_root_whatever_the_creation_order(tmp_path: Path) -> None:
    items = list(SAMPLE.items())
    make_tree(tmp_path / "one" / "data", dict(items))
    random.Random(7).shuffle(items)
    make_tree(tmp_path / "two" / "data", dict(reversed(items)))
    first = fingerprint([tmp_path / "one" / "data"], workers=1, created=T)
    second = fingerprint([tmp_path / "two" / "data"], workers=2, created=T)
    assert first.root == second.root
    assert first.manifest == second.manifest


def test_it_gives_the_same_root_for_nfd_and_nfc_names(tmp_path: Path) -> None:
    names = {"café/résumé.txt": b"1", "한국어.txt": b"2", "Å.csv": b"3"}
    nfc = {unicodedata.normalize("NFC", k): v for k, v in names.items()}
    nfd = {unicodedata.normalize("NFD", k): v for k, v in names.items()}
    assert set(nfc) != set(nfd)  # really different names on disk
    make_tree(tmp_path / "nfc" / "d", nfc)
    make_tree(tmp_path / "nfd" / "d", nfd)
    composed = fingerprint([tmp_path / "nfc" / "d"], workers=1, created=T)
    decomposed = fingerprint([tmp_path / "nfd" / "d"], workers=1, created=T)
    assert composed.root == decomposed.root
    paths = [r["path"] for r in decomposed.manifest["records"]]
    assert all(unicodedata.is_normalized("NFC", p) for p in paths)
    assert not composed.notices
    assert any("NFC" in n.english for n in decomposed.notices)


def test_it_matches_the_spec_recomputed_independently(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    (tmp_path / "notes.md").write_bytes(b"# notes\n")
    result = fingerprint(
        [tmp_path / "data", tmp_path / "notes.md"], sm3=True, blake3=True, workers=2, created=T
    )
    expected = spec_records(tmp_path, ["data", "notes.md"], extras=("sm3", "blake3"))
    # os.walk does not descend into a file argument: add it by hand.
    note = (tmp_path / "notes.md").read_bytes()
    assert not any(r["path"] == "notes.md" for r in expected)
    from blake3 import blake3

    expected.append(
        {
            "path": "notes.md",
            "size": len(note),
            "sha256": hashlib.sha256(note).hexdigest(),
            "sm3": hashlib.new("sm3", note).hexdigest(),
            "blake3": blake3(note).hexdigest(),
        }
    )
    expected.sort(key=lambda r: r["path"].encode("utf-8"))
    manifest = result.manifest
    assert manifest["records"] == expected
    assert manifest["root"] == spec_root(expected)
    assert manifest["files"] == len(SAMPLE) + 1
    assert manifest["bytes"] == sum(len(v) for v in SAMPLE.values()) + len(note)
    assert manifest["schema"] == MANIFEST_SCHEMA
    assert manifest["digests"] == ["sha256", "sm3", "blake3"]
    assert manifest["formats"] == {"(none)": 1, "bin": 1, "csv": 2, "json": 1, "md": 1, "txt": 3}
    assert manifest["created"] == "2026-03-02T08:30:00Z"
    assert "skipped" not in manifest
    # Bytewise UTF-8 order: "Zeta.TXT" before "a.csv", the CJK folder last.
    paths = [r["path"] for r in manifest["records"]]
    assert paths.index("data/Zeta.TXT") < paths.index("data/a.csv")
    assert paths[-2:] == ["data/数据/表格.csv", "notes.md"]


def test_it_gives_sha256_of_nothing_for_an_empty_dataset(tmp_path: Path) -> None:
    (tmp_path / "nothing" / "deeper").mkdir(parents=True)
    result = fingerprint([tmp_path / "nothing"], created=T)
    assert result.root == hashlib.sha256(b"").hexdigest()
    assert result.manifest["files"] == 0
    assert result.manifest["bytes"] == 0
    assert result.sums_text() == ""


def test_it_writes_sums_that_sha256sum_checks(tmp_path: Path) -> None:
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None, "coreutils sha256sum is expected on the test machine"
    make_tree(tmp_path / "data", SAMPLE)
    result = fingerprint([tmp_path / "data"], workers=1, created=T)
    sums = tmp_path / "SHA256SUMS"
    write_sums(result, sums)
    lines = sums.read_text(encoding="utf-8").splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        r["path"] for r in result.manifest["records"]
    ]
    ok = subprocess.run(  # noqa: S603 - a fixed local program
        [sha256sum, "-c", "--strict", str(sums)],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count(": OK") == len(SAMPLE)
    (tmp_path / "data" / "a.csv").write_bytes(b"changed\n")
    bad = subprocess.run(  # noqa: S603 - a fixed local program
        [sha256sum, "-c", str(sums)], cwd=tmp_path, check=False, capture_output=True, text=True
    )
    assert bad.returncode != 0
    assert "data/a.csv: FAILED" in bad.stdout


def test_it_writes_a_manifest_that_loads_back_and_checks(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    result = fingerprint([tmp_path / "data"], created=T)
    out = tmp_path / "manifest.json"
    write_manifest(result.manifest, out)
    assert load_manifest(out) == result.manifest
    assert json.loads(out.read_text(encoding="utf-8"))["root"] == result.root


def test_it_uses_a_process_pool_with_the_same_result_as_one_process(tmp_path: Path) -> None:
    rng = random.Random(3)
    files = {f"d{i % 7}/f{i:03d}.dat": rng.randbytes(rng.randrange(0, 5000)) for i in range(150)}
    files["big.bin"] = rng.randbytes(3 << 20)
    make_tree(tmp_path / "many", files)
    one = fingerprint([tmp_path / "many"], workers=1, created=T)
    seen: list[tuple[int, int]] = []
    two = fingerprint(
        [tmp_path / "many"], workers=2, created=T, progress=lambda d, t: seen.append((d, t))
    )
    assert one.manifest == two.manifest
    assert two.manifest["files"] == 151
    total = sum(len(v) for v in files.values())
    assert seen
    assert seen[-1] == (total, total)


def test_it_builds_the_deposit_statement_of_the_spec(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    manifest = fingerprint([tmp_path / "data"], created=T).manifest
    got = statement(manifest, "sha256:0f1e")
    assert got == rfc8785.dumps(
        {
            "schema": "dip.deposit/v1",
            "hash": "sha256",
            "root": manifest["root"],
            "files": manifest["files"],
            "bytes": manifest["bytes"],
            "holder": "sha256:0f1e",
            "created": "2026-03-02T08:30:00Z",
        }
    )
    with pytest.raises(ValueError, match="holder"):
        statement(manifest, "  ")


def test_it_refuses_a_manifest_whose_records_do_not_match_the_root(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    manifest = fingerprint([tmp_path / "data"], created=T).manifest
    forged = json.loads(json.dumps(manifest))
    forged["records"][0]["sha256"] = "0" * 64
    with pytest.raises(RootMismatch):
        check_manifest(forged)
    with pytest.raises(RootMismatch):
        statement(forged, "holder")
    shuffled = json.loads(json.dumps(manifest))
    shuffled["records"].reverse()
    with pytest.raises(MalformedInput, match="order"):
        check_manifest(shuffled)
    miscounted = dict(manifest, files=manifest["files"] + 1)
    with pytest.raises(MalformedInput, match="files"):
        check_manifest(miscounted)
    dotted = json.loads(json.dumps(manifest))
    dotted["records"][0]["path"] = "data/../etc/passwd"
    with pytest.raises(MalformedInput, match=r"\.\."):
        check_manifest(dotted)


def test_it_computes_the_same_root_as_the_merkle_core(tmp_path: Path) -> None:
    records = [{"path": f"f{i}", "size": i, "sha256": f"{i:064x}"} for i in range(37)]
    assert deposit_root(records).hex() == spec_root(records)
    assert deposit_root([]) == hashlib.sha256(b"").digest()


_NAME = st.text(alphabet="aAzZ09_-. é数据€😀", min_size=1, max_size=12).filter(
    lambda n: n not in {".", ".."}
)


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.lists(_NAME, min_size=1, max_size=3).map("/".join),
        st.binary(max_size=300),
        max_size=12,
    )
)
def test_it_matches_the_spec_for_any_tree_of_names(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        parent = Path(scratch)
        made: dict[str, bytes] = {}
        for rel, content in files.items():
            # A file cannot also be a folder: keep the first of two clashing paths.
            parts = rel.split("/")
            prefixes = {"/".join(parts[:i]) for i in range(1, len(parts))}
            if any(p in made for p in prefixes) or any(m.startswith(rel + "/") for m in made):
                continue
            made[rel] = content
        make_tree(parent / "set", made)
        result = fingerprint([parent / "set"], workers=1, created=T)
        expected = spec_records(parent, ["set"])
        assert result.manifest["records"] == expected
        assert result.root == spec_root(expected)
