"""Evidence bundles: what a valid one proves, and a clear error for every way one can be bad."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from dataip.evidence import (
    Checkpoint,
    Ed25519Signer,
    MalformedInput,
    MerkleAppender,
    ProofError,
    TlogProof,
    UnexpectedOrigin,
    UnknownKey,
    VerificationError,
    canonical_json,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
)
from dataip.evidence.bundle import FORMAT, STEPS, make_bundle, verify_bundle
from dataip.evidence.timestamp import TimestampError, timestamp_request, token_from_response
from tests.ledger._tsa import LocalTsa, shared_tsa

from ._vectors import NodeStore

ORIGIN = "registry.example.cn/log/v1"
LOG = Ed25519Signer(ORIGIN, b"\x11" * 32)
OTHER = Ed25519Signer(ORIGIN, b"\x22" * 32)
SIZE = 21
INDEX = 13


def _event(i: int) -> dict[str, Any]:
    return {
        "schema": "dip.event/v1",
        "type": "register" if i == INDEX else "submit",
        "application": f"SQ20263100{i:05d}",
        "registration": "DJ2026310000001" if i == INDEX else None,
        "from": "under_publicity",
        "to": "registered",
        "actor_role": "system",
        "time": "2026-03-31T02:00:00Z",
        "reason_sha256": "00" * 32,
        "payload_sha256": "11" * 32,
        "prev": None,
    }


BODIES = [canonical_json(_event(i)) for i in range(SIZE)]


def _proof(
    index: int = INDEX, size: int = SIZE, signer: Ed25519Signer = LOG, origin: str = ORIGIN
) -> TlogProof:
    store, appender = NodeStore(), MerkleAppender()
    for body in BODIES[:size]:
        store.store(appender.append(leaf_hash(body)))
    note = sign_checkpoint(Checkpoint(origin, size, appender.root()), signer)
    return TlogProof(index, tuple(inclusion_proof(index, size, store)), note)


def _token(tsa: LocalTsa, proof: TlogProof) -> bytes:
    query = timestamp_request(proof.checkpoint_note.encode())
    return token_from_response(tsa.reply(query), query)


def _bundle(**overrides: Any) -> bytes:
    proof = overrides.pop("proof", None) or _proof()
    values: dict[str, Any] = {"body": BODIES[proof.index], "proof": proof, "vkey": LOG.vkey}
    values.update(overrides)
    return make_bundle(**values)


def _edit(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(_bundle())
    change(document)
    return json.dumps(document).encode()


def test_it_verifies_a_bundle_and_says_what_it_proves() -> None:
    verified = verify_bundle(_bundle(), LOG.vkey)
    assert (verified.index, verified.origin, verified.checkpoint.size) == (INDEX, ORIGIN, SIZE)
    assert verified.event_type == "register"
    assert verified.registration == "DJ2026310000001"
    assert verified.timestamp is None
    english, chinese = verified.summary("en"), verified.summary("zh")
    for text in (english, chinese):
        assert f"{INDEX}" in text
        assert ORIGIN in text
        assert "SQ2026310000013" in text
        assert "DJ2026310000001" in text
        assert "2026-03-31T02:00:00Z" in text
        assert f"{SIZE}" in text
    assert "registered" in english
    assert "予以登记" in chinese
    assert "证据包验证通过" in chinese


def test_it_is_a_json_file_with_a_format_tag_and_the_exact_leaf() -> None:
    document = json.loads(_bundle())
    assert document["format"] == FORMAT
    assert document["entry"]["body"].encode() == BODIES[INDEX]
    assert document["entry"]["leaf_hash"] == leaf_hash(BODIES[INDEX]).hex()
    assert document["proof"].startswith("c2sp.org/tlog-proof@v1\nindex 13\n")
    assert document["log"] == {"origin": ORIGIN, "vkey": LOG.vkey}


def test_it_proves_the_time_with_a_tsa_token() -> None:
    tsa = shared_tsa()
    proof = _proof()
    token = _token(tsa, proof)
    verified = verify_bundle(_bundle(timestamp_token=token), LOG.vkey, tsa_ca_pem=tsa.ca_pem)
    assert verified.timestamp is not None
    assert verified.timestamp.trusted
    when = verified.timestamp.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert when in verified.summary("en")
    assert when in verified.summary("zh")
    # the same token checks with openssl against the checkpoint note verbatim
    assert tsa.openssl_verify(token, proof.checkpoint_note.encode()).returncode == 0


def test_it_says_when_the_tsa_certificate_was_not_checked() -> None:
    token = _token(shared_tsa(), _proof())
    verified = verify_bundle(_bundle(timestamp_token=token), LOG.vkey)
    assert verified.timestamp is not None
    assert not verified.timestamp.trusted
    assert "NOT checked" in verified.summary("en")
    assert "未对照" in verified.summary("zh")


def test_it_accepts_any_of_several_trusted_keys() -> None:
    assert verify_bundle(_bundle(), [OTHER.vkey, LOG.vkey]).key == LOG.vkey


def _truncate_proof(document: dict[str, Any]) -> None:
    lines = document["proof"].split("\n")
    del lines[3]  # one audit-path hash fewer
    document["proof"] = "\n".join(lines)


def _cut_proof(document: dict[str, Any]) -> None:
    document["proof"] = document["proof"][:60]


def _future_size(document: dict[str, Any]) -> None:
    proof = _proof(index=INDEX - 1, size=INDEX)  # a checkpoint before the entry existed
    document["proof"] = proof.to_text().replace(f"index {INDEX - 1}", f"index {INDEX}")


def _other_key(document: dict[str, Any]) -> None:
    document["proof"] = _proof(signer=OTHER).to_text()


def _swap_body(document: dict[str, Any]) -> None:
    document["entry"]["body"] = BODIES[INDEX + 1].decode()
    document["entry"].pop("leaf_hash")


def _edit_body(document: dict[str, Any]) -> None:
    document["entry"]["body"] = document["entry"]["body"].replace("registered", "rejected")


def _flip_hash(document: dict[str, Any]) -> None:
    lines = document["proof"].split("\n")
    raw = bytearray(base64.b64decode(lines[2]))
    raw[0] ^= 1
    lines[2] = base64.b64encode(bytes(raw)).decode()
    document["proof"] = "\n".join(lines)


BAD: list[tuple[str, Callable[[], bytes], type[VerificationError], str, str]] = [
    ("not JSON", lambda: b"{not json", MalformedInput, "bundle", "not valid JSON"),
    ("not UTF-8", lambda: b"\xff\xfe", MalformedInput, "bundle", "not UTF-8"),
    ("a JSON list", lambda: b"[]", MalformedInput, "bundle", "not a JSON object"),
    (
        "another format",
        lambda: _edit(lambda d: d.update(format="other/v9")),
        MalformedInput,
        "bundle",
        "bundle format",
    ),
    (
        "no proof",
        lambda: _edit(lambda d: d.pop("proof")),
        MalformedInput,
        "proof",
        "'proof' is missing",
    ),
    (
        "index as text",
        lambda: _edit(lambda d: d["entry"].update(index="13")),
        MalformedInput,
        "entry",
        "'entry.index' has the wrong type",
    ),
    ("truncated proof", lambda: _edit(_cut_proof), MalformedInput, "proof", "truncated"),
    ("a hash short", lambda: _edit(_truncate_proof), ProofError, "inclusion", "too short"),
    ("altered hash", lambda: _edit(_flip_hash), ProofError, "inclusion", "does not lead"),
    ("future tree size", lambda: _edit(_future_size), ProofError, "inclusion", "beyond"),
    ("another log key", lambda: _edit(_other_key), UnknownKey, "signature", "not signed by"),
    ("swapped body", lambda: _edit(_swap_body), ProofError, "inclusion", "does not lead"),
    ("edited body", lambda: _edit(_edit_body), ProofError, "entry", "stated leaf hash"),
    (
        "duplicate keys",
        lambda: _bundle().replace(b'"format"', b'"format": "x", "format"', 1),
        MalformedInput,
        "bundle",
        "duplicate JSON key",
    ),
    ("huge", lambda: b" " * (2 << 20), MalformedInput, "bundle", "larger than"),
    (
        "another origin",
        lambda: _edit(lambda d: d["log"].update(origin="evil.example/log")),
        UnexpectedOrigin,
        "signature",
        "another log",
    ),
]


@pytest.mark.parametrize(
    ("data", "error", "step", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD],
)
def test_it_names_what_failed(
    data: Callable[[], bytes], error: type[VerificationError], step: str, match: str
) -> None:
    with pytest.raises(error, match=match) as caught:
        verify_bundle(data(), LOG.vkey)
    assert getattr(caught.value, "step", None) == step
    assert step in STEPS


def test_it_refuses_a_key_that_is_not_a_vkey() -> None:
    with pytest.raises(MalformedInput, match="trusted key") as caught:
        verify_bundle(_bundle(), "not-a-key")
    assert getattr(caught.value, "step", None) == "key"


def test_it_refuses_a_checkpoint_of_another_origin_signed_by_its_key() -> None:
    stranger = Ed25519Signer("evil.example/log", b"\x33" * 32)
    bundle = _bundle(proof=_proof(signer=stranger, origin="evil.example/log"))
    with pytest.raises(UnknownKey):
        verify_bundle(bundle, LOG.vkey)


def test_it_refuses_a_tampered_token() -> None:
    tsa = shared_tsa()
    token = bytearray(_token(tsa, _proof()))
    token[-3] ^= 0x40
    with pytest.raises(TimestampError) as caught:
        verify_bundle(_bundle(timestamp_token=bytes(token)), LOG.vkey, tsa_ca_pem=tsa.ca_pem)
    assert getattr(caught.value, "step", None) == "timestamp"


def test_it_refuses_a_token_over_another_checkpoint() -> None:
    tsa = shared_tsa()
    token = _token(tsa, _proof(index=INDEX, size=SIZE - 1))
    with pytest.raises(TimestampError, match="imprint"):
        verify_bundle(_bundle(timestamp_token=token), LOG.vkey, tsa_ca_pem=tsa.ca_pem)


def test_it_refuses_a_token_from_an_untrusted_tsa() -> None:
    token = _token(shared_tsa(), _proof())
    with pytest.raises(TimestampError, match="does not chain"):
        verify_bundle(
            _bundle(timestamp_token=token), LOG.vkey, tsa_ca_pem=shared_tsa("Other").ca_pem
        )
