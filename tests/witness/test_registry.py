"""The registry's side: submit each checkpoint to its witnesses, publish only with K of N
cosignatures, the cosigned note in the log API and in bundles, refusals that stop signing.

The witness runs as its own process (``dataip witness serve``) on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from dataip.evidence import CosignatureVerifier, Ed25519Verifier
from dataip.evidence.bundle import verify_bundle
from dataip.evidence.tlog_witness import AddCheckpoint
from dataip.evidence.witness_policy import QuorumNotMet, WitnessPolicy, check_policy
from dataip.ledger import appending, bundles, checkpoints, keys, witnessing
from dataip.ledger.models import Checkpoint, WitnessCosignature, WitnessRefusal
from dataip.upkeep import tick
from tests.ledger._support import body, commit_batches
from tests.witness._support import free_port, post, witness_process

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


class Running:
    """A witness process and what the registry needs to know about it."""

    def __init__(self, url: str, vkey: str, folder: Path) -> None:
        self.url, self.vkey, self.folder = url, vkey, folder

    @property
    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_vkey(self.vkey)


def _start(tmp_path: Path, name: str) -> Iterator[Running]:
    from dataip.witness.config import create_key

    folder = tmp_path / name
    vkey = create_key(folder, f"{name}.example/w1").vkey
    logs = tmp_path / f"{name}-logs.txt"
    logs.write_text(f"log {keys.vkey()}\n")
    with witness_process(folder, logs, free_port()) as url:
        yield Running(url, vkey, folder)


@pytest.fixture
def witness(tmp_path: Path, settings: Any) -> Iterator[Running]:
    """One witness, quorum 1."""
    for running in _start(tmp_path, "notary"):
        settings.DATAIP_WITNESSES = [(running.vkey, running.url)]
        settings.DATAIP_WITNESS_QUORUM = 1
        yield running


def _cosigned_sizes(running: Running) -> list[int]:
    rows = WitnessCosignature.objects.filter(witness=running.vkey)
    return sorted(rows.values_list("checkpoint__size", flat=True))


def test_each_checkpoint_is_cosigned_right_after_it_is_signed(
    witness: Running, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3, 2, 4)
    assert _cosigned_sizes(witness) == [3, 5, 9]
    published = checkpoints.published()
    assert published is not None
    assert published.size == 9
    note = checkpoints.published_note(published)
    assert note.startswith(published.note)
    policy = WitnessPolicy.parse(f"witness notary {witness.vkey}\nquorum notary\n")
    assert check_policy(note, policy) == ["notary"]


def test_without_the_quorum_nothing_new_is_published(
    tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DATAIP_WITNESSES = [
        ("down.example/w1+" + _unused_vkey_tail(), f"http://127.0.0.1:{free_port()}")
    ]
    settings.DATAIP_WITNESS_QUORUM = 1
    settings.DATAIP_WITNESS_TIMEOUT = 1
    commit_batches(django_capture_on_commit_callbacks, 2)
    assert Checkpoint.objects.count() == 1, "signed and stored..."
    assert checkpoints.published() is None, "...but not published without a cosignature"
    response = Client().get("/api/v1/log/checkpoint")
    assert response.status_code == 404
    with pytest.raises(checkpoints.NotWitnessed):
        bundles.bundle_for_entry(0)
    answer = Client().get("/api/v1/log/entries/0/bundle", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 503
    assert answer.json()["code"] == "not_witnessed_yet"
    assert "见证方联署" in answer.json()["detail"]


def _unused_vkey_tail() -> str:
    from dataip.evidence import Cosigner

    return Cosigner.generate("down.example/w1").vkey.split("+", 1)[1]


def test_the_log_api_serves_the_cosigned_checkpoint(
    witness: Running, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 4)
    response = Client().get("/api/v1/log/checkpoint")
    assert response.status_code == 200
    note = response.content.decode()
    assert "\n— notary.example/w1 " in note
    assert check_policy(note, WitnessPolicy.parse(f"witness n {witness.vkey}\nquorum n\n"))
    info = Client().get("/api/v1/log").json()
    assert info["signedTreeHead"] == note
    assert info["treeSize"] == 4


def test_bundles_carry_the_cosigned_checkpoint(
    witness: Running, django_capture_on_commit_callbacks: Capture
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3)
    data = bundles.bundle_for_entry(1)
    verified = verify_bundle(data, keys.vkey())
    assert verified.checkpoint.size == 3
    assert witness.verifier.name in json.loads(data)["proof"]
    policy = WitnessPolicy.parse(
        f"log {keys.vkey()}\nwitness notary {witness.vkey}\nquorum notary\n"
    )
    assert check_policy(verified.checkpoint_note, policy) == ["notary"]
    other = WitnessPolicy.parse(
        f"witness notary {witness.vkey}\nwitness bank {_unused_cosigner_vkey()}\n"
        "group both all notary bank\nquorum both\n"
    )
    with pytest.raises(QuorumNotMet):
        check_policy(verified.checkpoint_note, other)


def _unused_cosigner_vkey() -> str:
    from dataip.evidence import Cosigner

    return Cosigner.generate("bank.example/w1").vkey


def test_a_witness_that_was_down_is_asked_again_by_tick(
    tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    for running in _start(tmp_path, "late"):
        settings.DATAIP_WITNESSES = [(running.vkey, f"http://127.0.0.1:{free_port()}")]
        settings.DATAIP_WITNESS_QUORUM = 1
        settings.DATAIP_WITNESS_TIMEOUT = 1
        commit_batches(django_capture_on_commit_callbacks, 2)
        assert checkpoints.published() is None
        settings.DATAIP_WITNESSES = [(running.vkey, running.url)]  # it is back
        done = tick.tick()
        assert done["witness_cosigned"] == 1
        published = checkpoints.published()
        assert published is not None
        assert published.size == 2


def test_a_witness_ahead_on_the_same_tree_is_caught_up_after_its_409(
    witness: Running, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DATAIP_WITNESSES = []  # sign without asking, like another registry process
    commit_batches(django_capture_on_commit_callbacks, 3)
    signed = checkpoints.latest()
    assert signed is not None
    status, _, _ = post(
        witness.url + "/add-checkpoint", AddCheckpoint(0, (), signed.note).to_bytes()
    )
    assert status == 200  # the witness now knows size 3; the registry's database does not
    settings.DATAIP_WITNESSES = [(witness.vkey, witness.url)]
    assert witnessing.submit(signed) == {"cosigned": 1}  # 409 "3", then again from 3
    with transaction.atomic():
        appending.append_many([body(100)])
    checkpoints.sign_pending()
    assert witnessing.witness_round() == {"cosigned": 1}
    assert _cosigned_sizes(witness) == [3, 4]
    assert not WitnessRefusal.objects.exists()


def test_an_older_checkpoint_sent_after_a_newer_one_is_no_refusal(
    witness: Running, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DATAIP_WITNESSES = []
    commit_batches(django_capture_on_commit_callbacks, 3, 2)
    older, newer = Checkpoint.objects.order_by("size")
    request = AddCheckpoint(0, (), newer.note).to_bytes()
    assert post(witness.url + "/add-checkpoint", request)[0] == 200  # another process, first
    settings.DATAIP_WITNESSES = [(witness.vkey, witness.url)]
    assert witnessing.submit(older) == {"older": 1}  # 409 "5": a later one, not a fork
    assert not WitnessRefusal.objects.exists()
    assert witnessing.submit(newer) == {"cosigned": 1}


def test_no_witnesses_and_quorum_zero_publish_as_before(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 2, 1)
    latest = checkpoints.latest()
    assert latest is not None
    assert checkpoints.published() == latest
    assert checkpoints.published_note(latest) == latest.note
    response = Client().get("/api/v1/log/checkpoint")
    assert response.content.decode() == latest.note
    assert verify_bundle(bundles.bundle_for_entry(0), keys.vkey()).checkpoint.size == 2
    Ed25519Verifier.from_vkey(keys.vkey())


def test_a_bad_witness_setting_is_a_configuration_error(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.DATAIP_WITNESSES = [("not-a-vkey", "http://127.0.0.1:1")]
    with pytest.raises(ImproperlyConfigured, match="DATAIP_WITNESSES"):
        witnessing.configured()
    settings.DATAIP_WITNESSES = [(_unused_cosigner_vkey(), "ftp://x")]
    with pytest.raises(ImproperlyConfigured, match="http"):
        witnessing.configured()
    settings.DATAIP_WITNESS_QUORUM = 2
    with pytest.raises(ImproperlyConfigured, match="DATAIP_WITNESS_QUORUM"):
        witnessing.quorum()
