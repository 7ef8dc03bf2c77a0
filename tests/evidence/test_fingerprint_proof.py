"""Proof of possession (§4.2 step 6) and hidden names."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataip.evidence.canonical import canonical_json
from dataip.evidence.errors import MalformedInput, ProofError, VerificationError
from dataip.evidence.fingerprint import (
    ContentMismatch,
    RootMismatch,
    fingerprint,
    new_salt,
    prove,
    read_salt,
    verify_possession,
    write_salt,
    write_sums,
)
from dataip.evidence.merkle import MerkleAppender, inclusion_proof, leaf_hash

from ._deposit import SAMPLE, make_tree, spec_records, spec_root

T = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def deposit(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    make_tree(tmp_path / "data", SAMPLE)
    return tmp_path, fingerprint([tmp_path / "data"], workers=1, sm3=True, created=T).manifest


def test_it_proves_and_verifies_every_file(deposit: tuple[Path, dict[str, Any]]) -> None:
    parent, manifest = deposit
    for i, record in enumerate(manifest["records"]):
        proof = prove(parent / record["path"], manifest, record_path=record["path"])
        assert proof["index"] == i
        assert proof["tree_size"] == len(SAMPLE)
        assert proof["record"] == record
        assert proof["root"] == manifest["root"]
        assert verify_possession(proof, parent / record["path"], manifest["root"]) == record
        content = (parent / record["path"]).read_bytes()
        assert verify_possession(proof, content, bytes.fromhex(manifest["root"])) == record


def test_it_gives_the_same_audit_path_as_the_log_core(
    deposit: tuple[Path, dict[str, Any]],
) -> None:
    parent, manifest = deposit
    nodes: dict[tuple[int, int], bytes] = {}
    appender = MerkleAppender()
    for record in manifest["records"]:
        for level, index, digest in appender.append(leaf_hash(canonical_json(record))):
            nodes[level, index] = digest
    for i, record in enumerate(manifest["records"]):
        proof = prove(parent / record["path"], manifest)
        expected = inclusion_proof(i, len(manifest["records"]), lambda lv, ix: nodes[lv, ix])
        assert proof["audit_path"] == [h.hex() for h in expected]


def test_it_finds_the_record_by_content_when_no_path_is_given(
    deposit: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, manifest = deposit
    copy_elsewhere = tmp_path / "copy.json"
    copy_elsewhere.write_bytes(SAMPLE["b/c.json"])
    proof = prove(copy_elsewhere, manifest)
    assert proof["record"]["path"] == "data/b/c.json"
    verify_possession(proof, copy_elsewhere, manifest["root"])


def test_it_refuses_to_prove_a_file_that_is_not_deposited(
    deposit: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    parent, manifest = deposit
    stranger = tmp_path / "stranger.txt"
    stranger.write_bytes(b"never deposited")
    with pytest.raises(ContentMismatch, match="no record"):
        prove(stranger, manifest)
    with pytest.raises(ContentMismatch, match="does not match"):
        prove(stranger, manifest, record_path="data/a.csv")
    with pytest.raises(ContentMismatch, match="no record for"):
        prove(parent / "data" / "a.csv", manifest, record_path="data/none.csv")


def test_it_detects_a_tampered_file(deposit: tuple[Path, dict[str, Any]]) -> None:
    parent, manifest = deposit
    target = parent / "data" / "b" / "d" / "e.bin"
    proof = prove(target, manifest)
    data = bytearray(target.read_bytes())
    data[100] ^= 1
    with pytest.raises(ContentMismatch, match="sha256"):
        verify_possession(proof, bytes(data), manifest["root"])
    with pytest.raises(ContentMismatch, match="size"):
        verify_possession(proof, bytes(data) + b"x", manifest["root"])
    target.write_bytes(bytes(data))
    with pytest.raises(ContentMismatch):
        verify_possession(proof, target, manifest["root"])
    with pytest.raises(ContentMismatch):
        prove(target, manifest, record_path="data/b/d/e.bin")


def test_it_detects_a_wrong_root_or_a_forged_proof(deposit: tuple[Path, dict[str, Any]]) -> None:
    parent, manifest = deposit
    target = parent / "data" / "a.csv"
    proof = prove(target, manifest)
    with pytest.raises(RootMismatch):
        verify_possession(proof, target, "11" * 32)
    lying = dict(proof, root="11" * 32)
    with pytest.raises(ProofError):
        verify_possession(lying, target, "11" * 32)
    bent = copy.deepcopy(proof)
    bent["audit_path"][0] = "00" * 32
    with pytest.raises(ProofError):
        verify_possession(bent, target, manifest["root"])
    moved = dict(proof, index=proof["index"] + 1)
    with pytest.raises(ProofError):
        verify_possession(moved, target, manifest["root"])
    renamed = copy.deepcopy(proof)
    renamed["record"]["path"] = "data/other.csv"
    with pytest.raises(ProofError):
        verify_possession(renamed, target, manifest["root"])
    for broken in (
        {},
        dict(proof, index="0"),
        dict(proof, audit_path=["zz"]),
        dict(proof, record=[]),
    ):
        with pytest.raises(MalformedInput):
            verify_possession(broken, target, manifest["root"])
    with pytest.raises(MalformedInput):
        verify_possession(proof, target, "not hex")
    assert issubclass(ContentMismatch, VerificationError)
    assert issubclass(RootMismatch, VerificationError)


def test_it_checks_the_extra_digests_of_the_record(deposit: tuple[Path, dict[str, Any]]) -> None:
    parent, manifest = deposit
    target = parent / "data" / "a.csv"
    proof = prove(target, manifest)
    assert proof["record"]["sm3"] == hashlib.new("sm3", target.read_bytes()).hexdigest()
    wrong = copy.deepcopy(proof)
    wrong["record"]["sm3"] = "0" * 64
    with pytest.raises(ContentMismatch, match="sm3"):
        verify_possession(wrong, target, manifest["root"])


def test_it_hides_names_behind_a_salted_hmac(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", SAMPLE)
    salt = new_salt()
    result = fingerprint([tmp_path / "data"], salt=salt, workers=2, created=T)
    manifest = result.manifest
    expected = spec_records(tmp_path, ["data"], salt=salt)
    assert manifest["records"] == expected
    assert manifest["root"] == spec_root(expected)
    assert manifest["names"] == "hmac-sha256"
    text = json.dumps(manifest, ensure_ascii=False)
    assert salt.hex() not in text
    assert "a.csv" not in text
    assert "数据" not in text
    # The same salt gives the same root; another salt another root.
    assert fingerprint([tmp_path / "data"], salt=salt, created=T).root == result.root
    assert fingerprint([tmp_path / "data"], salt=new_salt(), created=T).root != result.root
    assert fingerprint([tmp_path / "data"], created=T).root != result.root
    # SHA256SUMS keeps the real names so that sha256sum -c still works locally.
    sums = tmp_path / "SHA256SUMS"
    write_sums(result, sums)
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None
    checked = subprocess.run(  # noqa: S603 - a fixed local program
        [sha256sum, "-c", "--strict", str(sums)], cwd=tmp_path, capture_output=True, check=False
    )
    assert checked.returncode == 0
    # Proving by name needs the salt; by content it does not.
    target = tmp_path / "data" / "数据" / "表格.csv"
    with pytest.raises(ValueError, match="salt"):
        prove(target, manifest, record_path="data/数据/表格.csv")
    by_name = prove(target, manifest, record_path="data/数据/表格.csv", salt=salt)
    by_content = prove(target, manifest)
    assert by_name == by_content
    verify_possession(by_name, target, manifest["root"])


def test_it_hides_the_names_in_the_skip_list_too(tmp_path: Path) -> None:
    make_tree(tmp_path / "data", {"ok.txt": b"ok"})
    (tmp_path / "data" / "confidential-link").symlink_to(tmp_path / "data" / "ok.txt")
    result = fingerprint([tmp_path / "data"], salt=b"s" * 32, on_error="skip")
    (skipped,) = result.manifest["skipped"]
    assert "confidential" not in json.dumps(result.manifest)
    assert len(skipped["path"]) == 64
    assert skipped["reason"] == "symlink"


def test_it_keeps_the_salt_in_a_private_file(tmp_path: Path) -> None:
    salt = new_salt()
    path = tmp_path / "manifest.salt"
    write_salt(path, salt)
    assert read_salt(path) == salt
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("{}", encoding="ascii")
    with pytest.raises(MalformedInput):
        read_salt(path)
