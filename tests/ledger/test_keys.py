"""The ledger's signing key: made once (0600), published, rotated as a logged event."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dataip.evidence import Ed25519Signer, Ed25519Verifier, open_note, verify_checkpoint
from dataip.ledger import checkpoints, keys
from dataip.ledger.audit import AuditReport, run_audit
from dataip.ledger.models import Checkpoint
from dataip.registry.models import Event
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def test_it_makes_the_key_on_first_use_readable_only_by_its_owner(key_folder: Path) -> None:
    assert not (key_folder / "log.key").exists()
    vkey = keys.vkey()
    path = key_folder / "log.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+dataip.local/log/v1+")
    assert vkey.startswith("dataip.local/log/v1+")
    assert Ed25519Verifier.from_vkey(vkey).name == "dataip.local/log/v1"


def test_it_keeps_the_same_key(key_folder: Path) -> None:
    first = keys.vkey()
    keys._cache.clear()
    assert keys.vkey() == first
    assert keys.all_vkeys() == [first]
    assert (key_folder / "log.vkeys").read_text() == first + "\n"


def test_it_names_the_key_after_the_configured_origin(settings: Any) -> None:
    settings.DATAIP_LOG_ORIGIN = "registry.example.cn/log/v1"
    assert keys.vkey().startswith("registry.example.cn/log/v1+")


def test_it_refuses_a_key_of_another_log(settings: Any, key_folder: Path) -> None:
    keys.vkey()
    settings.DATAIP_LOG_ORIGIN = "other.example/log"
    with pytest.raises(ImproperlyConfigured, match=re.escape("key of log 'dataip.local/log/v1'")):
        keys.signer()


def test_it_publishes_the_key_at_a_well_known_url(client: Client) -> None:
    response = client.get("/.well-known/dataip-log-key")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == keys.vkey() + "\n"


def _rotation_checkpoint(index: int) -> Checkpoint:
    found = Checkpoint.objects.filter(size__gt=index).order_by("size").first()
    assert found is not None
    return found


def test_it_rotates_the_key_as_an_event_signed_by_the_old_key(
    personas: Personas, client: Client
) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    old = keys.vkey()
    rotation = keys.rotate_key(at=day(20))
    assert rotation.old_vkey == old
    assert keys.vkey() == rotation.new_vkey != old
    assert keys.all_vkeys() == [old, rotation.new_vkey]
    event = Event.objects.get(action="ledger_key_rotation")
    assert event.application is None
    assert event.payload == {"old_vkey": old, "new_vkey": rotation.new_vkey}
    assert event.leaf_index == rotation.leaf_index
    covering = _rotation_checkpoint(rotation.leaf_index)
    verify_checkpoint(covering.note, Ed25519Verifier.from_vkey(old))
    with pytest.raises(Exception, match="no signature from a trusted key"):
        open_note(covering.note, [Ed25519Verifier.from_vkey(rotation.new_vkey)])
    body = client.get("/.well-known/dataip-log-keys").content.decode()
    assert body == f"{old}\n{rotation.new_vkey}\n"


def test_it_signs_with_the_new_key_after_a_rotation(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    rotation = keys.rotate_key(at=day(20))
    from dataip.registry.services.publicity import register
    from dataip.registry.workflow import SYSTEM

    register(app.pk, actor=SYSTEM, at=day(30))
    latest = checkpoints.sign_latest()
    assert latest is not None
    assert latest.size > rotation.leaf_index + 1
    verify_checkpoint(latest.note, Ed25519Verifier.from_vkey(rotation.new_vkey))
    results = list(run_audit())
    report = results[-1]
    assert isinstance(report, AuditReport)
    assert report.ok, [str(f) for f in results[:-1]]


def test_it_finishes_a_rotation_that_stopped_after_its_event(key_folder: Path) -> None:
    from django.db import transaction

    from dataip.registry.events import record_event
    from dataip.registry.workflow import SYSTEM

    old = keys.signer()
    new = Ed25519Signer.generate(keys.origin())
    keys._write_private(key_folder / "log.key.next", new.skey)
    with transaction.atomic():
        record_event(
            None,
            keys.ROTATION_EVENT,
            actor=SYSTEM,
            at=day(1),
            from_status=None,
            to_status=None,
            payload={"old_vkey": old.vkey, "new_vkey": new.vkey},
        )
    done = checkpoints.sign_pending()
    assert done.rotation_finished
    assert keys.vkey() == new.vkey
    assert not (key_folder / "log.key.next").exists()
    verify_checkpoint(_rotation_checkpoint(0).note, old.verifier())


def test_it_drops_a_rotation_that_stopped_before_its_event(key_folder: Path) -> None:
    old = keys.vkey()
    keys._write_private(key_folder / "log.key.next", Ed25519Signer.generate(keys.origin()).skey)
    assert checkpoints.sign_pending().rotation_finished
    assert keys.vkey() == old
    assert not (key_folder / "log.key.next").exists()
