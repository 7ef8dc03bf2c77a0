"""C2SP tlog-checkpoint parsing, signing and verification."""

from __future__ import annotations

import base64

import pytest

from dataip.evidence.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from dataip.evidence.errors import BadSignature, MalformedInput, UnexpectedOrigin, UnknownKey
from dataip.evidence.merkle import EMPTY_ROOT
from dataip.evidence.note import Cosigner, Ed25519Signer

ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()
ORIGIN = "registry.example.cn/log/v1"
URLSAFE = base64.urlsafe_b64encode(b"\xff" * 32).decode()


@pytest.fixture
def log() -> Ed25519Signer:
    return Ed25519Signer(ORIGIN, b"\x07" * 32)


def test_it_round_trips_text_with_extensions() -> None:
    cp = Checkpoint(ORIGIN, 42, ROOT, ["ext one", "ext:two"])  # type: ignore[arg-type]
    assert cp.extensions == ("ext one", "ext:two")
    text = cp.to_text()
    assert text == f"{ORIGIN}\n42\n{ROOT_B64}\next one\next:two\n"
    assert Checkpoint.from_text(text) == cp


def test_it_writes_the_empty_tree_as_size_zero() -> None:
    cp = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert cp.to_text().split("\n")[1] == "0"
    assert Checkpoint.from_text(cp.to_text()) == cp


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f"{ORIGIN}\n1\n{ROOT_B64}", "end in a newline"),
        (f"{ORIGIN}\n1\n", "at least 3 lines"),
        (f"{ORIGIN}\n01\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n+1\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n١\n{ROOT_B64}\n", "leading zeros"),
        (f"{ORIGIN}\n18446744073709551616\n{ROOT_B64}\n", "exceeds"),
        (f"{ORIGIN}\n1\n{ROOT_B64[:-1]}\n", "base64"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "32-byte"),
        (f"{ORIGIN}\n1\n{URLSAFE}\n", "base64"),
        (f"{ORIGIN}\n1\n {ROOT_B64}\n", "base64"),
        (f"{ORIGIN}\n1\n{ROOT_B64}\n\n", "extension"),
        (f"\n1\n{ROOT_B64}\n", "non-empty"),
        (f"a b\n1\n{ROOT_B64}\n", "space"),
        (f"a+b\n1\n{ROOT_B64}\n", "'\\+'"),
    ],
)
def test_it_rejects_malformed_checkpoint_text(text: str, match: str) -> None:
    with pytest.raises(MalformedInput, match=match):
        Checkpoint.from_text(text)


def test_it_validates_fields_on_construction() -> None:
    with pytest.raises(MalformedInput, match="32 bytes"):
        Checkpoint(ORIGIN, 1, b"short")
    with pytest.raises(MalformedInput, match="out of range"):
        Checkpoint(ORIGIN, -1, ROOT)
    with pytest.raises(MalformedInput, match="integer"):
        Checkpoint(ORIGIN, True, ROOT)
    with pytest.raises(MalformedInput, match="extension"):
        Checkpoint(ORIGIN, 1, ROOT, ("two\nlines",))


def test_it_signs_and_verifies_a_checkpoint(log: Ed25519Signer) -> None:
    cp = Checkpoint(ORIGIN, 7, ROOT)
    note = sign_checkpoint(cp, log)
    assert note.startswith(cp.to_text() + "\n— registry.example.cn/log/v1 ")
    assert verify_checkpoint(note, log.verifier(), origin=ORIGIN) == cp


def test_it_rejects_a_checkpoint_signed_by_another_key(log: Ed25519Signer) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), Ed25519Signer.generate(ORIGIN))
    with pytest.raises(UnknownKey):
        verify_checkpoint(note, log.verifier())


def test_it_rejects_a_tampered_checkpoint(log: Ed25519Signer) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), log).replace("\n7\n", "\n8\n")
    with pytest.raises(BadSignature):
        verify_checkpoint(note, log.verifier())


def test_it_rejects_an_unexpected_origin(log: Ed25519Signer) -> None:
    note = sign_checkpoint(Checkpoint("other.example/log", 7, ROOT), log)
    with pytest.raises(UnexpectedOrigin, match=r"other\.example/log") as info:
        verify_checkpoint(note, log.verifier(), origin=ORIGIN)
    assert info.value.code == "unexpected_origin"


def test_it_rejects_a_signed_note_that_is_not_a_checkpoint(log: Ed25519Signer) -> None:
    from dataip.evidence.note import sign_note

    with pytest.raises(MalformedInput, match="at least 3 lines"):
        verify_checkpoint(sign_note("just text\n", [log]), log.verifier())


def test_it_enforces_a_witness_quorum(log: Ed25519Signer) -> None:
    w1 = Cosigner("w1.example/w", b"\x01" * 32, timestamp=1_700_000_000)
    w2 = Cosigner("w2.example/w", b"\x02" * 32, timestamp=1_700_000_000)
    cp = Checkpoint(ORIGIN, 7, ROOT)
    note = sign_checkpoint(cp, log, w1)
    witnesses = [w1.verifier(), w2.verifier()]
    assert verify_checkpoint(note, log.verifier(), witnesses=witnesses, min_witnesses=1) == cp
    with pytest.raises(UnknownKey, match="1 witness cosignatures, 2 required"):
        verify_checkpoint(note, log.verifier(), witnesses=witnesses, min_witnesses=2)


def test_it_requires_the_log_signature_even_when_witnesses_signed(log: Ed25519Signer) -> None:
    w1 = Cosigner("w1.example/w", b"\x01" * 32)
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), w1)
    with pytest.raises(UnknownKey, match="not signed by log key"):
        verify_checkpoint(note, log.verifier(), witnesses=[w1.verifier()])
