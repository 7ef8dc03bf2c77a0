"""Stored checkpoints can be listed (paged by tree size) and fetched by size."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dataip.evidence import Ed25519Verifier, verify_checkpoint
from dataip.ledger import checkpoints, keys, log
from dataip.ledger.models import Checkpoint
from tests.ledger._support import append_batches

pytestmark = pytest.mark.django_db
SIZES = [5, 13, 23]


@pytest.fixture
def logged() -> None:
    """23 entries, with checkpoints stored at sizes 5, 13 and 23."""
    start = 0
    for size in SIZES:
        append_batches(size - start, start=start)
        checkpoints.sign_latest()
        start = size


def _get(client: Client, url: str, lang: str = "en") -> Any:
    return client.get(url, headers={"Accept-Language": lang})


def _verified(note: str) -> Any:
    verifier = Ed25519Verifier.from_vkey(keys.vkey())
    return verify_checkpoint(note, verifier, origin=keys.origin())


def test_it_lists_every_stored_checkpoint(client: Client, logged: None) -> None:
    response = _get(client, "/api/v1/log/checkpoints")
    assert response.status_code == 200
    page = response.json()
    assert [c["treeSize"] for c in page["checkpoints"]] == SIZES
    assert page["nextFromSize"] is None
    for listed in page["checkpoints"]:
        stored = Checkpoint.objects.get(size=listed["treeSize"])
        assert listed["note"] == stored.note
        assert listed["rootHash"] == stored.root_hash == log.root(stored.size).hex()
        assert listed["time"].startswith(stored.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
        assert _verified(listed["note"]).size == listed["treeSize"]


def test_it_pages_by_tree_size(client: Client, logged: None) -> None:
    first = _get(client, "/api/v1/log/checkpoints?limit=2").json()
    assert [c["treeSize"] for c in first["checkpoints"]] == [5, 13]
    assert first["nextFromSize"] == 23
    rest = _get(client, f"/api/v1/log/checkpoints?limit=2&fromSize={first['nextFromSize']}")
    assert [c["treeSize"] for c in rest.json()["checkpoints"]] == [23]
    assert rest.json()["nextFromSize"] is None
    middle = _get(client, "/api/v1/log/checkpoints?fromSize=6&limit=1").json()
    assert [c["treeSize"] for c in middle["checkpoints"]] == [13]
    assert middle["nextFromSize"] == 23
    beyond = _get(client, "/api/v1/log/checkpoints?fromSize=24").json()
    assert beyond == {"checkpoints": [], "nextFromSize": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("fromSize=0", "fromSize"),
        ("limit=x", "limit"),
    ],
)
def test_bad_paging_is_a_422_naming_the_field(
    client: Client, logged: None, query: str, field: str
) -> None:
    response = _get(client, f"/api/v1/log/checkpoints?{query}")
    assert response.status_code == 422
    assert field in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_it_fetches_the_stored_checkpoint_of_a_size(
    client: Client, logged: None, size: int
) -> None:
    response = _get(client, f"/api/v1/log/checkpoints/{size}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    note = response.content.decode()
    assert note == Checkpoint.objects.get(size=size).note
    signed = _verified(note)
    assert (signed.size, signed.root_hash) == (size, log.root(size))


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "No checkpoint of tree size 6 is stored"), ("zh-hans", "未存储树大小为 6 的检查点")],
)
def test_a_size_without_a_stored_checkpoint_is_a_404_problem(
    client: Client, logged: None, lang: str, words: str
) -> None:
    response = _get(client, "/api/v1/log/checkpoints/6", lang)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "checkpoint_not_found"
    assert words in problem["detail"]
    assert "/api/v1/log/checkpoints" in problem["detail"]


def test_a_size_that_is_not_a_positive_number_is_a_422(client: Client, logged: None) -> None:
    assert _get(client, "/api/v1/log/checkpoints/0").status_code == 422
    assert _get(client, "/api/v1/log/checkpoints/abc").status_code == 422
