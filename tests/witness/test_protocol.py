"""The witness's side of C2SP tlog-witness, against the C2SP/Go test vectors.

The derived vector of ``signed-note.json`` is a checkpoint of the 8-leaf reference tree signed
by the golang.org/x/mod test key, and its Ed25519 ``cosignature/v1`` by a witness key made from
the same seed at a fixed time: our witness must produce exactly that line. Proofs come from the
reference tree (``merkle-tree-8leaves.json``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dataip.evidence import (
    Checkpoint,
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    consistency_proof,
    sign_checkpoint,
)
from dataip.evidence.note import open_note
from dataip.evidence.tlog_witness import AddCheckpoint, parse_size_response
from dataip.witness.config import parse_logs
from dataip.witness.core import Witness
from dataip.witness.store import Latest, Store
from tests.evidence._vectors import b64, hx
from tests.witness._support import derived, go_seed_skey, tree

ORIGIN = "example.com/testlog"


def _log_signer() -> Ed25519Signer:
    return Ed25519Signer.from_skey(go_seed_skey())


def _cosigner(timestamp: int | None = None) -> Cosigner:
    """The derived vector's witness: the Go test seed under the name witness.example/w1."""
    seed = b64(go_seed_skey().split("+", 4)[4])[1:]
    return Cosigner("witness.example/w1", seed, timestamp=timestamp)


def _root(size: int) -> bytes:
    return hx(tree()["root_by_tree_size"][str(size)])


def _checkpoint(size: int, root: bytes | None = None, signer: Ed25519Signer | None = None) -> str:
    body = Checkpoint(ORIGIN, size, _root(size) if root is None else root)
    return sign_checkpoint(body, signer or _log_signer())


def _proof(size1: int, size2: int) -> tuple[bytes, ...]:
    levels = tree()["node_hashes_by_level"]
    return tuple(consistency_proof(size1, size2, lambda lv, ix: hx(levels[lv][ix])))


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    logs = parse_logs(f"# the Go test log\nlog {_log_signer().vkey} {ORIGIN}\n")
    return Witness(_cosigner(1700000000), logs, Store(tmp_path / "witness.sqlite3"))


def _add(witness: Witness, old: int, proof: tuple[bytes, ...], note: str) -> tuple[int, bytes]:
    answer = witness.add_checkpoint(AddCheckpoint(old, proof, note).to_bytes())
    return answer.status, answer.body


def test_the_derived_vector_is_cosigned_byte_for_byte(witness: Witness) -> None:
    vector = derived()
    assert _cosigner().vkey == vector["cosigner_vkey"]
    assert _checkpoint(8) == vector["signed_checkpoint"]
    status, body = _add(witness, 0, (), vector["signed_checkpoint"])
    assert status == 200
    assert vector["signed_checkpoint"] + body.decode() == vector["cosigned_checkpoint"]
    latest = witness.store.latest(ORIGIN)
    assert latest is not None
    assert (latest.size, latest.root) == (8, _root(8))
    assert latest.note == vector["cosigned_checkpoint"]


def test_the_derived_cosignature_verifies_with_its_vkey() -> None:
    vector = derived()
    verifier = CosignatureVerifier.from_vkey(vector["cosigner_vkey"])
    opened = open_note(vector["cosigned_checkpoint"], [verifier])
    signature = opened.signed_by(verifier)
    assert signature is not None
    assert signature.timestamp == vector["cosignature_timestamp"]


def test_consistent_checkpoints_advance_the_witness(witness: Witness) -> None:
    assert _add(witness, 0, (), _checkpoint(2))[0] == 200
    assert _proof(2, 5) == tuple(hx(h) for h in _vector_proof(2, 5))
    assert _add(witness, 2, _proof(2, 5), _checkpoint(5))[0] == 200
    assert _add(witness, 5, _proof(5, 8), _checkpoint(8))[0] == 200
    assert _add(witness, 8, (), _checkpoint(8))[0] == 200  # the same head again
    latest = witness.store.latest(ORIGIN)
    assert latest is not None
    assert latest.size == 8


def _vector_proof(size1: int, size2: int) -> list[str]:
    for case in tree()["consistency_proofs"]:
        if (case["size1"], case["size2"]) == (size1, size2):
            return list(case["proof"])
    raise LookupError((size1, size2))


def test_a_wrong_old_size_is_409_with_the_witness_size(witness: Witness) -> None:
    _add(witness, 0, (), _checkpoint(2))
    answer = witness.add_checkpoint(AddCheckpoint(0, (), _checkpoint(5)).to_bytes())
    assert answer.status == 409
    assert answer.content_type == "text/x.tlog.size"
    assert parse_size_response(answer.body) == 2
    answer = witness.add_checkpoint(AddCheckpoint(6, _proof(6, 8), _checkpoint(8)).to_bytes())
    assert (answer.status, answer.body) == (409, b"2\n")


def test_a_fork_is_refused_with_422_and_not_stored(witness: Witness) -> None:
    _add(witness, 0, (), _checkpoint(2))
    forked = bytes(32 - len(b"fork")) + b"fork"
    status, body = _add(witness, 2, _proof(2, 5), _checkpoint(5, root=forked))
    assert status == 422
    assert b"not consistent" in body
    same_size = _add(witness, 2, (), _checkpoint(2, root=forked))
    assert same_size[0] == 422
    latest = witness.store.latest(ORIGIN)
    assert latest is not None
    assert (latest.size, latest.root) == (2, _root(2))


def test_a_bad_proof_is_422(witness: Witness) -> None:
    _add(witness, 0, (), _checkpoint(2))
    assert _add(witness, 2, _proof(2, 6), _checkpoint(5))[0] == 422
    assert _add(witness, 2, (), _checkpoint(5))[0] == 422


def test_unknown_origin_is_404(witness: Witness) -> None:
    other = Checkpoint("example.com/other", 2, _root(2))
    assert _add(witness, 0, (), sign_checkpoint(other, _log_signer()))[0] == 404


def test_a_checkpoint_not_signed_by_the_log_is_403(witness: Witness) -> None:
    stranger = Ed25519Signer.generate("PeterNeumann")
    assert _add(witness, 0, (), _checkpoint(2, signer=stranger))[0] == 403
    note = _checkpoint(2)
    text, line = note.rsplit("— PeterNeumann ", 1)
    tampered = text + "— PeterNeumann " + line[:10] + ("A" if line[10] != "A" else "B") + line[11:]
    assert _add(witness, 0, (), tampered)[0] == 403
    assert witness.store.latest(ORIGIN) is None


@pytest.mark.parametrize(
    "body",
    [
        b"old 0\n",  # no blank line, no checkpoint
        b"old x\n\n" + _checkpoint(2).encode(),
        b"old 01\n\n" + _checkpoint(2).encode(),
        b"new 0\n\n" + _checkpoint(2).encode(),
        b"old 0\nnot-base64\n\n" + _checkpoint(2).encode(),
        b"old 0\n\nno signature\n",
    ],
)
def test_malformed_requests_are_400(witness: Witness, body: bytes) -> None:
    assert witness.add_checkpoint(body).status == 400


def test_old_above_the_checkpoint_size_is_400(witness: Witness) -> None:
    assert _add(witness, 5, _proof(2, 5), _checkpoint(2))[0] == 400


def test_a_proof_from_size_zero_is_400(witness: Witness) -> None:
    assert _add(witness, 0, _proof(2, 5), _checkpoint(5))[0] == 400


def test_the_store_swaps_only_from_the_state_it_was_checked_against(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.sqlite3")
    first = Latest(2, _root(2), "n2")
    assert store.advance(ORIGIN, None, first)
    assert not store.advance(ORIGIN, None, Latest(5, _root(5), "n5"))  # someone was first
    assert store.advance(ORIGIN, first, Latest(5, _root(5), "n5"))
    assert not store.advance(ORIGIN, first, Latest(6, _root(6), "n6"))  # stale expectation
    assert store.latest(ORIGIN) == Latest(5, _root(5), "n5")


def test_two_concurrent_requests_cannot_both_advance(witness: Witness) -> None:
    _add(witness, 0, (), _checkpoint(2))
    requests = [(5, _proof(2, 5)), (6, _proof(2, 6)), (7, _proof(2, 7)), (8, _proof(2, 8))]
    barrier = threading.Barrier(len(requests))
    answers: dict[int, int] = {}

    def send(size: int, proof: tuple[bytes, ...]) -> None:
        barrier.wait()
        answers[size] = _add(witness, 2, proof, _checkpoint(size))[0]

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, status in answers.items() if status == 200]
    assert len(winners) == 1
    assert sorted(answers.values()) == [200, 409, 409, 409]
    latest = witness.store.latest(ORIGIN)
    assert latest is not None
    assert latest.size == winners[0]
