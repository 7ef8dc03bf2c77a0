"""Parsers and verifiers fail only with VerificationError on arbitrary input."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.evidence import (
    Checkpoint,
    Ed25519Signer,
    MerkleAppender,
    TlogProof,
    VerificationError,
    inclusion_proof,
    leaf_hash,
    open_note,
    sign_checkpoint,
)

from ._vectors import NodeStore

LOG = Ed25519Signer("fuzz.example/log", b"\x05" * 32)


def _valid_proof_text() -> str:
    store, appender = NodeStore(), MerkleAppender()
    for i in range(11):
        store.store(appender.append(leaf_hash(bytes([i]))))
    note = sign_checkpoint(Checkpoint("fuzz.example/log", 11, appender.root()), LOG)
    return TlogProof.create(6, inclusion_proof(6, 11, store), note).to_text()


VALID = _valid_proof_text()
ALPHABET = st.sampled_from(list("\n +/=—-abcAZ09index\x00\x01é"))


def _check_only_verification_errors(text: str) -> None:
    with contextlib.suppress(VerificationError):
        TlogProof.from_text(text).verify(leaf_hash(bytes([6])), LOG.verifier())
    with contextlib.suppress(VerificationError):
        open_note(text, [LOG.verifier()])
    with contextlib.suppress(VerificationError):
        Checkpoint.from_text(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=200))
def test_it_only_raises_verification_errors_on_random_text(text: str) -> None:
    _check_only_verification_errors(text)


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(VALID) - 1),
    length=st.integers(min_value=0, max_value=8),
    insert=st.text(alphabet=ALPHABET, max_size=8),
)
def test_it_only_raises_verification_errors_on_mutated_proofs(
    position: int, length: int, insert: str
) -> None:
    mutated = VALID[:position] + insert + VALID[position + length :]
    _check_only_verification_errors(mutated)


def test_it_accepts_the_unmutated_fuzz_seed() -> None:
    cp = TlogProof.from_text(VALID).verify(leaf_hash(bytes([6])), LOG.verifier())
    assert cp.size == 11
