"""Signed-note error paths and key handling (C2SP signed-note, tlog-cosignature)."""

from __future__ import annotations

import base64

import pytest

from dataip.evidence.errors import BadSignature, MalformedInput, UnknownKey
from dataip.evidence.note import (
    MAX_SIGNATURES,
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    compute_key_id,
    is_valid_key_name,
    open_note,
    parse_note,
    sign_note,
    signature_line,
    verifier_from_vkey,
)

SEED = bytes(range(32))
TEXT = "hello\nworld\n"


@pytest.fixture
def signer() -> Ed25519Signer:
    return Ed25519Signer("log.example/a", SEED)


def test_it_round_trips_generated_keys() -> None:
    signer = Ed25519Signer.generate("registry.example.cn/log/v1")
    again = Ed25519Signer.from_skey(signer.skey)
    assert again.vkey == signer.vkey
    verifier = Ed25519Verifier.from_vkey(signer.vkey)
    assert open_note(sign_note(TEXT, [signer]), [verifier]).text == TEXT
    assert "PRIVATE" not in repr(signer)


def test_it_computes_the_key_id_from_name_type_and_key(signer: Ed25519Signer) -> None:
    verifier = signer.verifier()
    assert signer.key_id == compute_key_id("log.example/a", 0x01, verifier.public_key)
    assert verifier.vkey.startswith(f"log.example/a+{signer.key_id.hex()}+")


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\x01b", "\ud800"])
def test_it_rejects_bad_key_names(name: str) -> None:
    assert not is_valid_key_name(name)
    with pytest.raises(MalformedInput, match="invalid key name"):
        Ed25519Signer(name, SEED)


@pytest.mark.parametrize(
    ("vkey", "match"),
    [
        ("nameonly", "expected <name>"),
        ("name+c74f20a3", "expected <name>"),
        ("+c74f20a3+AAAA", "invalid key name"),
        ("name+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lowercase hex"),
        ("name+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lowercase hex"),
        ("name+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"),
        ("name+c74f20a3+AQ==", "too short"),
        ("name+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("name+c74f20a3+ARpcAA==", "32 bytes"),
    ],
)
def test_it_rejects_malformed_vkeys(vkey: str, match: str) -> None:
    with pytest.raises(MalformedInput, match=match):
        Ed25519Verifier.from_vkey(vkey)


def test_it_dispatches_vkeys_by_type(signer: Ed25519Signer) -> None:
    cosigner = Cosigner("w.example/1", SEED)
    assert isinstance(verifier_from_vkey(signer.vkey), Ed25519Verifier)
    assert isinstance(verifier_from_vkey(cosigner.vkey), CosignatureVerifier)
    with pytest.raises(MalformedInput, match="is not 0x04"):
        CosignatureVerifier.from_vkey(signer.vkey)
    unknown = "x+00000000+" + base64.b64encode(b"\x06" + bytes(40)).decode()
    with pytest.raises(MalformedInput, match="type 0x06 is not supported"):
        verifier_from_vkey(unknown)


@pytest.mark.parametrize(
    ("skey", "match"),
    [
        ("PeterNeumann+c74f20a3+AYEK", "PRIVATE\\+KEY\\+"),
        ("PRIVATE+KEY+Peter+c74f20a3", "expected <name>"),
        ("PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "0x02"),
        ("PRIVATE+KEY+PeterNeumann+00000000+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "match"),
        ("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXH", "seed"),
    ],
)
def test_it_rejects_malformed_skeys(skey: str, match: str) -> None:
    with pytest.raises(MalformedInput, match=match):
        Ed25519Signer.from_skey(skey)


@pytest.mark.parametrize("text", ["no newline", "", "tab\there\n", "\ud800\n", "bell\x07\n"])
def test_it_refuses_to_sign_invalid_text(signer: Ed25519Signer, text: str) -> None:
    with pytest.raises(MalformedInput):
        sign_note(text, [signer])


def test_it_refuses_to_sign_without_signers() -> None:
    with pytest.raises(ValueError, match="at least one signer"):
        sign_note(TEXT, [])


def test_it_keeps_blank_lines_inside_the_text(signer: Ed25519Signer) -> None:
    text = "para one\n\npara two\n\n"
    opened = open_note(sign_note(text, [signer]), [signer.verifier()])
    assert opened.text == text


def test_it_raises_unknown_key_when_no_known_key_signed(signer: Ed25519Signer) -> None:
    other = Ed25519Signer.generate("log.example/a")
    with pytest.raises(UnknownKey, match=r"found: log\.example/a\+") as info:
        open_note(sign_note(TEXT, [signer]), [other.verifier()])
    assert info.value.code == "unknown_key"


def test_it_rejects_a_note_if_any_known_signature_fails(signer: Ed25519Signer) -> None:
    good = sign_note(TEXT, [signer])
    forged = signature_line("other text\n", signer)
    with pytest.raises(BadSignature, match="does not verify") as info:
        open_note(good + forged, [signer.verifier()])
    assert info.value.code == "bad_signature"


def test_it_rejects_a_tampered_text(signer: Ed25519Signer) -> None:
    note = sign_note(TEXT, [signer]).replace("world", "w0rld")
    with pytest.raises(BadSignature):
        open_note(note, [signer.verifier()])


def test_it_caps_the_number_of_signature_lines(signer: Ed25519Signer) -> None:
    note = sign_note(TEXT, [signer])
    line = note[len(TEXT) + 1 :]
    open_note(TEXT + "\n" + line * MAX_SIGNATURES, [signer.verifier()])
    with pytest.raises(MalformedInput, match="limit 100"):
        open_note(TEXT + "\n" + line * (MAX_SIGNATURES + 1), [signer.verifier()])


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ("- log.example/a AAAAAAA=\n", "em dash"),
        ("— log.example/a\n", "invalid key name"),
        ("— log.example/a AAAAAA==\n", "4-byte key ID"),
        ("— log.example/a AAAAAAA\n", "base64"),
        ("— log.example/a AAAAAAB=\n", "non-canonical"),
        ("— log.example/a  AAAAAAA=\n", "base64"),
        ("\n", "no signature lines"),
    ],
)
def test_it_rejects_malformed_signature_lines(
    signer: Ed25519Signer, block: str, match: str
) -> None:
    with pytest.raises(MalformedInput, match=match):
        open_note(TEXT + "\n" + block, [signer.verifier()])


def test_it_rejects_invalid_utf8_and_non_text(signer: Ed25519Signer) -> None:
    note = sign_note(TEXT, [signer]).encode()
    assert open_note(note, [signer.verifier()]).text == TEXT
    with pytest.raises(MalformedInput, match="UTF-8"):
        open_note(b"\xff" + note, [signer.verifier()])
    with pytest.raises(MalformedInput, match="must be text"):
        parse_note(42)  # type: ignore[arg-type]


def test_it_refuses_two_verifiers_for_one_name_and_key_id(signer: Ed25519Signer) -> None:
    twin = Ed25519Verifier("log.example/a", Ed25519Signer.generate("x").verifier().public_key)
    object.__setattr__(twin, "_key_id", signer.key_id)
    with pytest.raises(ValueError, match="share name"):
        open_note(sign_note(TEXT, [signer]), [signer.verifier(), twin])


def test_it_signs_cosignatures_with_the_current_time_by_default() -> None:
    cosigner = Cosigner("w.example/1", SEED)
    opened = open_note(sign_note(TEXT, [cosigner]), [cosigner.verifier()])
    assert opened.signatures[0].timestamp is not None
    assert opened.signatures[0].timestamp > 1_700_000_000


def test_it_rejects_a_cosignature_with_a_bad_length_or_timestamp() -> None:
    cosigner = Cosigner("w.example/1", SEED, timestamp=5)
    verifier = cosigner.verifier()
    sig = cosigner.sign(TEXT.encode())
    assert verifier.verify(TEXT.encode(), sig) == 5
    with pytest.raises(BadSignature, match="not 72"):
        verifier.verify(TEXT.encode(), sig[:-1])
    with pytest.raises(BadSignature, match="2\\^63"):
        verifier.verify(TEXT.encode(), b"\xff" * 8 + sig[8:])
    with pytest.raises(BadSignature, match="does not verify"):
        verifier.verify(TEXT.encode(), (6).to_bytes(8, "big") + sig[8:])
    with pytest.raises(MalformedInput, match="out of range"):
        Cosigner("w.example/1", SEED, timestamp=-1)


def test_it_rejects_a_plain_signature_of_the_wrong_length(signer: Ed25519Signer) -> None:
    with pytest.raises(BadSignature, match="not 64"):
        signer.verifier().verify(TEXT.encode(), b"\x00" * 63)
