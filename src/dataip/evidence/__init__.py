"""Evidence core of dataip: transparency-log proofs and signed checkpoints.

This package is self-contained (standard library, ``cryptography`` and
``rfc8785`` only; no Django, no other dataip modules), so a court, bank or
auditor can use it on its own to verify what the registry hands out:

* :mod:`.canonical` -- RFC 8785 canonical JSON of log entries (no floats).
* :mod:`.merkle` -- RFC 9162 §2.1 Merkle tree hashing, inclusion and
  consistency proof generation (from stored complete-subtree hashes) and
  verification, and :class:`MerkleAppender` for building the log.
* :mod:`.note` -- C2SP signed notes with Ed25519 keys and Ed25519
  ``cosignature/v1`` witness cosignatures.
* :mod:`.checkpoint` -- C2SP tlog-checkpoint bodies, signing and verification.
* :mod:`.tlog_proof` -- C2SP tlog-proof@v1 offline proof bundles.
* :mod:`.tlog_witness` -- the C2SP tlog-witness ``add-checkpoint`` request and answers.
* :mod:`.witness_policy`, :mod:`.trust_list` -- which witness cosignatures a verifier
  requires, and the peer registries (log keys, witnesses) it recognises.
* :mod:`.errors` -- every failure is a :class:`VerificationError` with a
  stable ``code``.

Typical offline check of a certificate's proof::

    from dataip.evidence import Ed25519Verifier, TlogProof, canonical_json, leaf_hash

    log_key = Ed25519Verifier.from_vkey(PUBLISHED_VKEY)
    proof = TlogProof.from_text(open("cert.tlog-proof").read())
    checkpoint = proof.verify(leaf_hash(canonical_json(event)), log_key, origin=ORIGIN)
"""

from __future__ import annotations

from .canonical import canonical_json
from .checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from .errors import (
    BadSignature,
    MalformedInput,
    ProofError,
    UnexpectedOrigin,
    UnknownKey,
    VerificationError,
)
from .merkle import (
    EMPTY_ROOT,
    MerkleAppender,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_leaf_hashes,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)
from .note import (
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    open_note,
    parse_note,
    sign_note,
    verifier_from_vkey,
)
from .tlog_proof import TlogProof

__all__ = [
    "EMPTY_ROOT",
    "BadSignature",
    "Checkpoint",
    "CosignatureVerifier",
    "Cosigner",
    "Ed25519Signer",
    "Ed25519Verifier",
    "MalformedInput",
    "MerkleAppender",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "ProofError",
    "TlogProof",
    "UnexpectedOrigin",
    "UnknownKey",
    "VerificationError",
    "canonical_json",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "open_note",
    "parse_note",
    "root",
    "root_from_leaf_hashes",
    "sign_checkpoint",
    "sign_note",
    "subtree_hash",
    "verifier_from_vkey",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
