"""A key rotation is a logged event, signed by the old key; one stopped half-way is finished."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from dataip.evidence import Ed25519Signer, Ed25519Verifier, open_note, verify_checkpoint
from dataip.ledger import checkpoints, keys
from dataip.ledger.audit import AuditReport, Finding
from dataip.ledger.models import Checkpoint
from dataip.registry.models import Event
from dataip.registry.workflow import Status
from dataip.upkeep.audit import run_audit
from dataip.upkeep.rotation import ROTATION_EVENT, finish_interrupted_rotation, rotate_key
from tests.ledger._support import tamper
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _rotation_checkpoint(index: int) -> Checkpoint:
    found = Checkpoint.objects.filter(size__gt=index).order_by("size").first()
    assert found is not None
    return found


def test_it_rotates_the_key_as_an_event_signed_by_the_old_key(
    personas: Personas, client: Client
) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    old = keys.vkey()
    rotation = rotate_key(at=day(20))
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
    rotation = rotate_key(at=day(20))
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
    keys.write_key(key_folder / "log.key.next", new)
    with transaction.atomic():
        record_event(
            None,
            ROTATION_EVENT,
            actor=SYSTEM,
            at=day(1),
            from_status=None,
            to_status=None,
            payload={"old_vkey": old.vkey, "new_vkey": new.vkey},
        )
    assert finish_interrupted_rotation()
    assert keys.vkey() == new.vkey
    assert not (key_folder / "log.key.next").exists()
    verify_checkpoint(_rotation_checkpoint(0).note, old.verifier())


def test_it_drops_a_rotation_that_stopped_before_its_event(key_folder: Path) -> None:
    old = keys.vkey()
    keys.write_key(key_folder / "log.key.next", Ed25519Signer.generate(keys.origin()))
    assert finish_interrupted_rotation()
    assert keys.vkey() == old
    assert not (key_folder / "log.key.next").exists()


def test_the_command_rotates_the_key_and_names_both() -> None:
    from typer.testing import CliRunner

    from dataip.cli import app as cli

    old = keys.vkey()
    result = CliRunner().invoke(cli, ["rotate-key"])
    assert result.exit_code == 0, result.output
    new = keys.vkey()
    assert new != old
    assert f"old / 旧公钥: {old}" in result.stdout
    assert f"new / 新公钥: {new}" in result.stdout
    assert "日志签名密钥已更换" in result.stdout
    assert Event.objects.filter(action=ROTATION_EVENT).count() == 1


def test_the_audit_names_a_rotation_whose_event_was_changed() -> None:
    rotation = rotate_key(at=day(20))
    stranger = Ed25519Signer.generate(keys.origin()).vkey
    changed = json.dumps({"old_vkey": rotation.old_vkey, "new_vkey": stranger})
    event = Event.objects.get(action=ROTATION_EVENT)
    tamper("UPDATE registry_event SET payload = %s WHERE id = %s", [changed, event.pk])
    findings = [item for item in run_audit() if isinstance(item, Finding)]
    assert [(f.code, f.entry, f.params.get("detail", f.params.get("field"))) for f in findings] == [
        ("rotation", 0, "its payload does not match the logged digest"),
        ("rotation", 0, "the current signing key was never introduced by a logged rotation"),
        ("event_field", 0, "payload"),
    ]
