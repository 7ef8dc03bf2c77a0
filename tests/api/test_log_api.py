"""The log API: Rekor-shaped JSON, proofs that verify, problem details for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dataip.evidence import (
    Ed25519Verifier,
    leaf_hash,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from dataip.evidence.bundle import verify_bundle
from dataip.ledger import checkpoints, keys
from tests.ledger._support import append_batches, body

pytestmark = pytest.mark.django_db
SIZE = 23


@pytest.fixture
def logged() -> None:
    """23 entries in three batches, with checkpoints at sizes 5 and 23."""
    append_batches(5)
    checkpoints.sign_latest()
    append_batches(8, 10, start=5)
    checkpoints.sign_latest()


def _json(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status, response.content
    return response.json()


def test_it_serves_the_latest_checkpoint_as_a_signed_note(client: Client, logged: None) -> None:
    response = client.get("/api/v1/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    signed = verify_checkpoint(
        response.content.decode(), Ed25519Verifier.from_vkey(keys.vkey()), origin=keys.origin()
    )
    assert signed.size == SIZE


def test_it_serves_the_tree_head_like_rekor(client: Client, logged: None) -> None:
    head = _json(client, "/api/v1/log")
    assert head["treeSize"] == SIZE
    assert head["origin"] == "dataip.local/log/v1"
    assert head["keys"] == [keys.vkey()]
    assert len(head["rootHash"]) == 64
    assert head["signedTreeHead"].startswith(f"dataip.local/log/v1\n{SIZE}\n")


def test_it_serves_an_entry_by_index(client: Client, logged: None) -> None:
    entry = _json(client, "/api/v1/log/entries/7")
    assert entry["logIndex"] == 7
    assert entry["body"].encode() == body(7)
    assert entry["leafHash"] == leaf_hash(body(7)).hex()
    assert isinstance(entry["integratedTime"], int)


def test_it_serves_entries_by_range(client: Client, logged: None) -> None:
    page = _json(client, "/api/v1/log/entries?start=20&end=30")
    assert (page["start"], page["end"], page["treeSize"]) == (20, SIZE, SIZE)
    assert [e["logIndex"] for e in page["entries"]] == [20, 21, 22]
    everything = _json(client, "/api/v1/log/entries")
    assert len(everything["entries"]) == SIZE
    assert _json(client, f"/api/v1/log/entries?start={SIZE}")["entries"] == []


def test_it_serves_inclusion_proofs_that_verify(client: Client, logged: None) -> None:
    for index, size in ((0, 1), (3, 5), (17, 23), (22, 23)):
        proof = _json(client, f"/api/v1/log/proof/inclusion?index={index}&treeSize={size}")
        assert (proof["logIndex"], proof["treeSize"]) == (index, size)
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
        root = bytes.fromhex(proof["rootHash"])
        verify_inclusion(index, size, leaf_hash(body(index)), hashes, root)
        assert proof["leafHash"] == leaf_hash(body(index)).hex()
    at_checkpoint = _json(client, "/api/v1/log/proof/inclusion?index=2")
    assert at_checkpoint["treeSize"] == SIZE
    assert at_checkpoint["checkpoint"].startswith("dataip.local/log/v1\n23\n")
    assert _json(client, "/api/v1/log/proof/inclusion?index=2&treeSize=6")["checkpoint"] is None


def test_it_serves_consistency_proofs_that_verify(client: Client, logged: None) -> None:
    for first, last in ((1, 23), (5, 23), (8, 13), (23, 23)):
        proof = _json(client, f"/api/v1/log/proof/consistency?firstSize={first}&lastSize={last}")
        verify_consistency(
            first,
            last,
            bytes.fromhex(proof["firstRootHash"]),
            bytes.fromhex(proof["rootHash"]),
            [bytes.fromhex(h) for h in proof["hashes"]],
        )
    assert _json(client, "/api/v1/log/proof/consistency?firstSize=5")["lastSize"] == SIZE


def test_it_downloads_an_evidence_bundle(client: Client, logged: None) -> None:
    response = client.get("/api/v1/log/entries/9/bundle")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="dataip-entry-9.bundle.json"' in response["Content-Disposition"]
    verified = verify_bundle(response.content, keys.vkey())
    assert (verified.index, verified.checkpoint.size) == (9, SIZE)


BAD = [
    ("/api/v1/log/entries/23", 404, "entry_not_found"),
    ("/api/v1/log/entries/23/bundle", 404, "entry_not_found"),
    ("/api/v1/log/entries/-1", 422, "invalid_parameters"),
    ("/api/v1/log/entries/x", 422, "invalid_parameters"),
    ("/api/v1/log/entries/99999999999999999999999", 422, "invalid_parameters"),
    ("/api/v1/log/entries?start=30", 404, "entry_not_found"),
    ("/api/v1/log/entries?start=5&end=5", 422, "bad_parameter"),
    ("/api/v1/log/entries?start=0&end=5000", 422, "bad_parameter"),
    ("/api/v1/log/proof/inclusion", 422, "invalid_parameters"),
    ("/api/v1/log/proof/inclusion?index=-3", 422, "invalid_parameters"),
    ("/api/v1/log/proof/inclusion?index=23", 422, "bad_parameter"),
    ("/api/v1/log/proof/inclusion?index=2&treeSize=24", 422, "bad_parameter"),
    ("/api/v1/log/proof/inclusion?index=5&treeSize=5", 422, "bad_parameter"),
    ("/api/v1/log/proof/inclusion?index=0&treeSize=0", 422, "invalid_parameters"),
    ("/api/v1/log/proof/consistency?firstSize=9&lastSize=4", 422, "bad_parameter"),
    ("/api/v1/log/proof/consistency?firstSize=0&lastSize=4", 422, "invalid_parameters"),
    ("/api/v1/log/proof/consistency?firstSize=3&lastSize=40", 422, "bad_parameter"),
    ("/api/v1/log/proof/consistency?firstSize=many", 422, "invalid_parameters"),
]


@pytest.mark.parametrize(("url", "status", "code"), BAD)
def test_it_answers_bad_parameters_with_problem_details(
    client: Client, logged: None, url: str, status: int, code: str
) -> None:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["type"] == f"urn:dataip:problem:{code}"
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"] == url.split("?")[0]


def test_it_names_the_bad_parameter(client: Client, logged: None) -> None:
    problem = _json(client, "/api/v1/log/proof/inclusion?index=2&treeSize=24", 422)
    assert problem["detail"] == "treeSize 24 is larger than the log (23 entries)."
    invalid = _json(client, "/api/v1/log/proof/inclusion?index=-3", 422)
    assert [(e["name"], e["location"]) for e in invalid["errors"]] == [("index", "query")]


def test_it_says_when_there_is_no_checkpoint_yet(client: Client) -> None:
    for url in ("/api/v1/log", "/api/v1/log/checkpoint", "/api/v1/log/proof/inclusion?index=0"):
        problem = _json(client, url, 404)
        assert problem["code"] == "no_checkpoint"


def test_it_serves_interactive_docs_from_its_own_files(client: Client) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "/static/ninja/" in html
    assert "cdn" not in html.lower()
    schema = _json(client, "/api/v1/openapi.json")
    assert "/api/v1/log/proof/inclusion" in schema["paths"]
