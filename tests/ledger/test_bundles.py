"""Evidence bundles for real registry events, verified offline like a court would."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from dataip.evidence.bundle import verify_bundle
from dataip.ledger import bundles, keys
from dataip.ledger.errors import EntryNotFound
from dataip.ledger.models import Checkpoint
from dataip.registry.models import Event
from dataip.registry.workflow import Status
from tests.ledger._support import committed
from tests.ledger._tsa import serve, shared_tsa
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_it_proves_a_registration_offline(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    event = Event.objects.get(application=app, action="register")
    assert not Checkpoint.objects.exists()  # the test's transaction never committed
    verified = verify_bundle(bundles.bundle_for_event(event), keys.vkey())
    assert verified.index == event.leaf_index
    assert verified.event_type == "register"
    assert verified.application == app.number
    assert verified.registration == app.registration_number
    assert verified.event_time == day(30).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert verified.checkpoint.size == Event.objects.count()
    assert str(app.registration_number) in verified.summary("zh")
    assert Checkpoint.objects.count() == 1  # signed on demand to cover the entry


def test_it_uses_the_first_checkpoint_that_covers_the_event(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with committed(django_capture_on_commit_callbacks):
        app = at_stage(personas, Status.SUBMITTED)
    with committed(django_capture_on_commit_callbacks):
        at_stage(personas, Status.SUBMITTED)
    first = Event.objects.get(application=app, action="submit")
    document = json.loads(bundles.bundle_for_event(first))
    sizes = sorted(Checkpoint.objects.values_list("size", flat=True))
    assert len(sizes) == 2
    assert f"\n{sizes[0]}\n" in document["proof"]


def test_it_carries_the_tsa_token_when_there_is_one(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    tsa = shared_tsa()
    with serve(tsa) as url:
        settings.DATAIP_TSA_URL = url
        with committed(django_capture_on_commit_callbacks):
            app = at_stage(personas, Status.REGISTERED)
        event = Event.objects.get(application=app, action="register")
        data = bundles.bundle_for_event(event)
    document = json.loads(data)
    assert document["timestamp"]["tsa_url"] == url
    verified = verify_bundle(data, keys.vkey(), tsa_ca_pem=tsa.ca_pem)
    assert verified.timestamp is not None
    assert verified.timestamp.trusted
    assert "existed no later than" in verified.summary("en")


def test_it_refuses_an_entry_that_does_not_exist() -> None:
    with pytest.raises(EntryNotFound) as caught:
        bundles.bundle_for_entry(5)
    assert caught.value.http_status == 404
