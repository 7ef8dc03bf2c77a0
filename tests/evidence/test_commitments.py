"""Private leaves (dip.event/v2): salted commitments, their openings, and bundles that carry them.

Pure: no Django. The bundles here are built over a small log of v2 leaves, sealed exactly as
``dataip.registry.events.record_event`` seals them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from dataip.evidence import (
    Checkpoint,
    Ed25519Signer,
    MalformedInput,
    MerkleAppender,
    ProofError,
    TlogProof,
    canonical_json,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
)
from dataip.evidence.bundle import make_bundle, verify_bundle
from dataip.evidence.commitments import (
    COMMIT_TAG,
    COMMITTED_FIELDS,
    EVENT_SCHEMA_V2,
    PUBLIC_FIELDS,
    Opening,
    commit,
    new_salt,
    open_leaf,
    openings_from_json,
    openings_to_json,
    seal_event,
)

from ._vectors import NodeStore

ORIGIN = "registry.example.cn/log/v1"
LOG = Ed25519Signer(ORIGIN, b"\x11" * 32)
TIME = "2026-03-31T02:00:00Z"


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": "register",
        "application": "SQ2026310000013",
        "registration": "DJ2026310000001",
        "from": "under_publicity",
        "to": "registered",
        "actor_role": "system",
        "reason_sha256": hashlib.sha256(b"").hexdigest(),
        "payload_sha256": "11" * 32,
        "prev": "22" * 32,
    }
    fields.update(changes)
    return fields


def test_a_commitment_is_sha256_of_tag_salt_and_canonical_value() -> None:
    salt = bytes(range(32))
    value = {"b": 1, "a": "数据"}
    expected = hashlib.sha256(COMMIT_TAG + salt + canonical_json(value)).hexdigest()
    assert commit(salt, value) == expected
    assert COMMIT_TAG == b"dip.commit/v1\n"


def test_fresh_salts_make_equal_values_commit_differently() -> None:
    salts = {new_salt() for _ in range(50)}
    assert len(salts) == 50
    assert all(len(s) == 32 for s in salts)
    assert len({commit(s, "registered") for s in salts}) == 50


@pytest.mark.parametrize("size", [0, 16, 31, 33])
def test_a_salt_must_be_32_bytes(size: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        commit(b"\x00" * size, "x")


def test_a_sealed_leaf_says_nothing_but_its_schema_and_time() -> None:
    fields = _fields(**{"from": None, "to": None, "registration": None})
    leaf, openings = seal_event(fields, TIME)
    assert set(leaf) == {"schema", "time", "commitments"}
    assert (leaf["schema"], leaf["time"]) == (EVENT_SCHEMA_V2, TIME)
    assert tuple(leaf["commitments"]) == COMMITTED_FIELDS
    text = canonical_json(leaf).decode()
    for value in fields.values():
        if value is not None:
            assert str(value) not in text
    # three None values, each under its own salt: three different commitments
    assert len(set(leaf["commitments"].values())) == len(COMMITTED_FIELDS)
    assert {name: o.value for name, o in openings.items()} == fields


def test_every_field_must_be_given_exactly_once() -> None:
    fields = _fields()
    del fields["prev"]
    with pytest.raises(ValueError, match="missing \\['prev'\\]"):
        seal_event(fields, TIME)
    with pytest.raises(ValueError, match="unknown \\['amount'\\]"):
        seal_event({**_fields(), "amount": 5}, TIME)


def test_the_stored_salts_recompute_the_same_leaf() -> None:
    leaf, openings = seal_event(_fields(), TIME)
    again, _ = seal_event(_fields(), TIME, {n: o.salt for n, o in openings.items()})
    assert canonical_json(again) == canonical_json(leaf)


def test_openings_open_the_leaf_all_or_some() -> None:
    leaf, openings = seal_event(_fields(), TIME)
    whole = open_leaf(leaf, openings)
    assert whole.schema == EVENT_SCHEMA_V2
    assert whole.time == TIME
    assert dict(whole.fields) == _fields()
    assert whole.sealed == ()
    public = open_leaf(leaf, {n: o for n, o in openings.items() if n in PUBLIC_FIELDS})
    assert public.get("to") == "registered"
    assert public.sealed == ("reason_sha256", "payload_sha256", "prev")
    assert public.get("payload_sha256") is None
    nothing = open_leaf(leaf, {})
    assert nothing.fields == {}
    assert nothing.sealed == COMMITTED_FIELDS


def test_an_altered_opening_does_not_open() -> None:
    leaf, openings = seal_event(_fields(), TIME)
    other_value = {**openings, "to": Opening(openings["to"].salt, "rejected")}
    with pytest.raises(ProofError, match="opening of 'to' does not match"):
        open_leaf(leaf, other_value)
    other_salt = {**openings, "payload_sha256": Opening(new_salt(), "11" * 32)}
    with pytest.raises(ProofError, match="opening of 'payload_sha256'"):
        open_leaf(leaf, other_salt)
    # the opening of one field presented as another field's
    swapped = {"registration": openings["application"]}
    with pytest.raises(ProofError, match="'registration'"):
        open_leaf(leaf, swapped)


def test_openings_of_what_the_leaf_does_not_hold_are_refused() -> None:
    leaf, openings = seal_event(_fields(), TIME)
    with pytest.raises(MalformedInput, match="no commitment named 'amount'"):
        open_leaf(leaf, {"amount": Opening(new_salt(), 5)})
    v1 = {"schema": "dip.event/v1", "time": TIME, **_fields()}
    assert open_leaf(v1, {}).get("application") == "SQ2026310000013"
    with pytest.raises(MalformedInput, match="nothing to open"):
        open_leaf(v1, openings)
    broken = {**leaf, "type": "register"}
    with pytest.raises(MalformedInput, match="exactly schema, time, commitments"):
        open_leaf(broken, {})
    short = {**leaf, "commitments": {"type": leaf["commitments"]["type"]}}
    with pytest.raises(MalformedInput, match="commits to exactly"):
        open_leaf(short, {})


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ([], "must be a JSON object"),
        ({"to": "x"}, "opening of 'to' must be an object"),
        ({"to": {"salt": "00" * 32}}, "opening of 'to' must be an object"),
        ({"to": {"salt": "00" * 31, "value": "x"}}, "salt must be 32 bytes"),
        ({"to": {"salt": "zz" * 32, "value": "x"}}, "salt is not hex"),
    ],
)
def test_malformed_openings_name_the_field(obj: Any, match: str) -> None:
    with pytest.raises(MalformedInput, match=match):
        openings_from_json(obj)


def test_openings_round_trip_through_json() -> None:
    _, openings = seal_event(_fields(), TIME)
    text = json.dumps(openings_to_json(openings))
    assert openings_from_json(json.loads(text)) == openings


# ── bundles of v2 leaves ────────────────────────────────────────────────────────────────


SIZE, INDEX = 9, 6
SEALED = [seal_event(_fields(application=f"SQ20263100000{i:02d}"), TIME) for i in range(SIZE)]
BODIES = [canonical_json(leaf) for leaf, _ in SEALED]


def _bundle(openings: dict[str, Opening] | None) -> bytes:
    store, appender = NodeStore(), MerkleAppender()
    for body in BODIES:
        store.store(appender.append(leaf_hash(body)))
    note = sign_checkpoint(Checkpoint(ORIGIN, SIZE, appender.root()), LOG)
    proof = TlogProof(INDEX, tuple(inclusion_proof(INDEX, SIZE, store)), note)
    return make_bundle(body=BODIES[INDEX], proof=proof, vkey=LOG.vkey, openings=openings)


def test_a_bundle_with_every_opening_proves_the_whole_event() -> None:
    verified = verify_bundle(_bundle(SEALED[INDEX][1]), LOG.vkey)
    assert verified.schema == EVENT_SCHEMA_V2
    assert verified.event_type == "register"
    assert verified.application == "SQ2026310000006"
    assert verified.registration == "DJ2026310000001"
    assert verified.event_time == TIME
    assert verified.sealed == ()
    assert verified.opened.get("prev") == "22" * 32
    english, chinese = verified.summary("en"), verified.summary("zh")
    assert "SQ2026310000006" in english
    assert "SQ2026310000006" in chinese
    assert "sealed (not opened by this bundle): none" in english
    assert "未开示（保密）字段：无" in chinese
    assert f"prev={'22' * 32}" in english


def test_a_bundle_without_openings_proves_inclusion_and_reveals_nothing() -> None:
    verified = verify_bundle(_bundle(None), LOG.vkey)
    assert verified.event_type == ""
    assert verified.application is None
    assert verified.sealed == COMMITTED_FIELDS
    english = verified.summary("en")
    assert "application number: -" in english
    assert "sealed (not opened by this bundle): type, application" in english
    assert "SQ2026310000006" not in english


def test_a_bundle_whose_opening_was_altered_fails_at_the_openings_step() -> None:
    document = json.loads(_bundle(SEALED[INDEX][1]))
    document["openings"]["registration"]["value"] = "DJ2026310000002"
    with pytest.raises(ProofError, match="opening of 'registration'") as caught:
        verify_bundle(json.dumps(document).encode(), LOG.vkey)
    assert caught.value.step == "openings"
    # the openings of another leaf of the same log do not open this one
    document = json.loads(_bundle(SEALED[INDEX][1]))
    document["openings"] = openings_to_json(SEALED[INDEX - 1][1])
    with pytest.raises(ProofError, match="does not match") as caught:
        verify_bundle(json.dumps(document).encode(), LOG.vkey)
    assert caught.value.step == "openings"


def test_no_two_leaves_of_a_log_share_a_commitment() -> None:
    seen = [c for leaf, _ in SEALED for c in leaf["commitments"].values()]
    assert len(seen) == len(set(seen)) == SIZE * len(COMMITTED_FIELDS)


def test_dataip_verify_prints_the_opened_and_sealed_fields(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dataip.cli import app

    runner = CliRunner()
    public = {n: o for n, o in SEALED[INDEX][1].items() if n in PUBLIC_FIELDS}
    good = tmp_path / "entry.bundle.json"
    good.write_bytes(_bundle(public))
    result = runner.invoke(app, ["verify", str(good), "--key", LOG.vkey])
    assert result.exit_code == 0, result.output
    assert "SQ2026310000006" in result.stdout
    sealed = "reason_sha256, payload_sha256, prev"
    assert f"sealed (not opened by this bundle): {sealed}" in result.stdout
    assert f"未开示（保密）字段：{sealed}" in result.stdout
    document = json.loads(good.read_bytes())
    document["openings"]["to"]["value"] = "rejected"
    bad = tmp_path / "altered.bundle.json"
    bad.write_text(json.dumps(document))
    failed = runner.invoke(app, ["verify", str(bad), "--key", LOG.vkey])
    assert failed.exit_code == 1
    assert "checking the openings of the event's commitments" in failed.stderr
    assert "核对事件字段的承诺开示值" in failed.stderr
    assert "opening of 'to' does not match" in failed.stderr
