"""C2SP signed-note vectors: Go x/mod tests, C2SP examples, derived cosignature."""

from __future__ import annotations

import pytest

from dataip.evidence.checkpoint import Checkpoint, verify_checkpoint
from dataip.evidence.errors import BadSignature, MalformedInput, UnknownKey
from dataip.evidence.note import (
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    open_note,
    parse_note,
    sign_note,
    verifier_from_vkey,
)

from ._vectors import b64, hx, load

NOTES = load("signed-note.json")
GO = NOTES["upstream"][0]
SPEC = NOTES["upstream"][1]
CP_EXAMPLE = NOTES["upstream"][2]
DERIVED = NOTES["derived"]
TREE = load("merkle-tree-8leaves.json")


def test_it_reproduces_the_go_signature_byte_for_byte() -> None:
    signer = Ed25519Signer.from_skey(GO["signer_skey"])
    assert signer.skey == GO["signer_skey"]
    assert signer.vkey == GO["verifier_vkeys"][0]
    assert sign_note(GO["text"], [signer]) == GO["signed_by_peter"]


def test_it_opens_the_note_signed_by_peter() -> None:
    peter = Ed25519Verifier.from_vkey(GO["verifier_vkeys"][0])
    opened = open_note(GO["signed_by_peter"], [peter])
    assert opened.text == GO["text"]
    assert [(s.name, s.key_id_hex) for s in opened.signatures] == [("PeterNeumann", "c74f20a3")]


def test_it_verifies_both_signatures_of_the_two_key_note() -> None:
    verifiers = [Ed25519Verifier.from_vkey(v) for v in GO["verifier_vkeys"]]
    opened = open_note(GO["signed_by_peter_and_enoch"], verifiers)
    assert {s.name for s in opened.signatures} == {"PeterNeumann", "EnochRoot"}
    assert opened.unverified == ()


def test_it_ignores_the_signature_of_an_unknown_key() -> None:
    peter = Ed25519Verifier.from_vkey(GO["verifier_vkeys"][0])
    opened = open_note(GO["signed_by_peter_and_enoch"], [peter])
    assert [s.name for s in opened.signatures] == ["PeterNeumann"]
    assert [(s.name, s.key_id_hex) for s in opened.unverified] == [("EnochRoot", "af0cfe78")]


@pytest.mark.parametrize("vkey", GO["bad_vkeys_must_fail"])
def test_it_rejects_the_bad_vkeys(vkey: str) -> None:
    with pytest.raises(MalformedInput):
        Ed25519Verifier.from_vkey(vkey)
    with pytest.raises(MalformedInput):
        verifier_from_vkey(vkey)


@pytest.mark.parametrize("note", GO["malformed_notes_must_fail"])
def test_it_rejects_the_malformed_notes(note: str) -> None:
    peter = Ed25519Verifier.from_vkey(GO["verifier_vkeys"][0])
    with pytest.raises(MalformedInput):
        open_note(note, [peter])


def test_it_rejects_the_invalid_signature() -> None:
    peter = Ed25519Verifier.from_vkey(GO["verifier_vkeys"][0])
    with pytest.raises(BadSignature, match="PeterNeumann"):
        open_note(GO["invalid_signature_must_fail"], [peter])


def test_it_verifies_the_c2sp_example() -> None:
    verifier = Ed25519Verifier.from_vkey(SPEC["verifier_vkeys"][0])
    opened = open_note(SPEC["signed_note"], [verifier])
    assert opened.text == "This is an example message.\n"


def test_it_parses_the_c2sp_checkpoint_example() -> None:
    text, sigs = parse_note(CP_EXAMPLE["checkpoint"])
    cp = Checkpoint.from_text(text)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert len(cp.root_hash) == 32
    assert [(s.name, s.key_id_hex) for s in sigs] == [("example.com/behind-the-sofa", "033de0ae")]
    assert cp.to_text() == text


def test_it_reproduces_the_derived_signed_checkpoint() -> None:
    cp = Checkpoint.from_text(DERIVED["checkpoint_text"])
    assert cp == Checkpoint("example.com/testlog", 8, hx(TREE["root_by_tree_size"]["8"]))
    signer = Ed25519Signer.from_skey(GO["signer_skey"])
    assert sign_note(cp.to_text(), [signer]) == DERIVED["signed_checkpoint"]
    log = Ed25519Verifier.from_vkey(DERIVED["log_vkey"])
    assert verify_checkpoint(DERIVED["signed_checkpoint"], log) == cp


def test_it_reproduces_the_derived_cosignature() -> None:
    seed = b64(GO["signer_skey"].split("+", 4)[4])[1:]
    cosigner = Cosigner("witness.example/w1", seed, timestamp=DERIVED["cosignature_timestamp"])
    assert cosigner.vkey == DERIVED["cosigner_vkey"]
    log_signer = Ed25519Signer.from_skey(GO["signer_skey"])
    note = sign_note(DERIVED["checkpoint_text"], [log_signer, cosigner])
    assert note == DERIVED["cosigned_checkpoint"]


def test_it_opens_the_cosigned_checkpoint_with_both_keys() -> None:
    log = Ed25519Verifier.from_vkey(DERIVED["log_vkey"])
    witness = CosignatureVerifier.from_vkey(DERIVED["cosigner_vkey"])
    opened = open_note(DERIVED["cosigned_checkpoint"], [log, witness])
    by_name = {s.name: s for s in opened.signatures}
    assert by_name["PeterNeumann"].timestamp is None
    assert by_name["witness.example/w1"].timestamp == DERIVED["cosignature_timestamp"]
    cp = verify_checkpoint(
        DERIVED["cosigned_checkpoint"], log, witnesses=[witness], min_witnesses=1
    )
    assert cp.size == 8


def test_it_does_not_accept_a_cosignature_as_a_plain_signature() -> None:
    witness_key = CosignatureVerifier.from_vkey(DERIVED["cosigner_vkey"]).public_key
    as_plain = Ed25519Verifier("witness.example/w1", witness_key)  # type 0x01: other key ID
    with pytest.raises(UnknownKey, match="no signature from a trusted key"):
        open_note(DERIVED["cosigned_checkpoint"], [as_plain])
