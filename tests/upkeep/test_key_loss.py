"""A lost log key is never replaced silently; `rotate-key --after-loss` replaces it as a logged
event signed by the new key, and the log goes on, its audit clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.evidence import Ed25519Signer, Ed25519Verifier, VerificationError, open_note
from dataip.evidence.event_types import event_name
from dataip.evidence.key_history import verify_key_history
from dataip.keystore import KeyMissing
from dataip.ledger import checkpoints, key_history, keys
from dataip.ledger.audit import AuditReport
from dataip.ledger.models import Checkpoint
from dataip.registry.models import Application, Event
from dataip.registry.services.publicity import register
from dataip.registry.workflow import SYSTEM, Status
from dataip.upkeep.audit import run_audit
from dataip.upkeep.rotation import (
    REPLACEMENT_EVENT,
    ReplacementRefused,
    finish_interrupted_rotation,
    replace_lost_key,
    rotate_key,
)
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _signed(personas: Personas, stage: Status) -> Application:
    """An application at ``stage``, its events covered by a checkpoint (signed by the key)."""
    application = at_stage(personas, stage)
    assert checkpoints.sign_latest() is not None
    return application


def _findings() -> list[str]:
    *findings, report = list(run_audit())
    assert isinstance(report, AuditReport)
    return [str(finding) for finding in findings]


def test_an_empty_log_makes_its_first_key(key_folder: Path) -> None:
    assert not (key_folder / "log.key").exists()
    assert keys.missing_key() is None
    assert keys.signer().vkey == keys.vkey()
    assert (key_folder / "log.key").exists()


def test_a_lost_key_is_refused_not_replaced(personas: Personas, key_folder: Path) -> None:
    _signed(personas, Status.SUBMITTED)
    assert Checkpoint.objects.exists()
    shutil.rmtree(key_folder)
    with pytest.raises(KeyMissing) as refused:
        keys.signer()
    assert "log.key" in refused.value.explain("en")
    assert "dataip rotate-key --after-loss" in refused.value.explain("zh")
    assert not (key_folder / "log.key").exists()


def test_a_lost_key_is_replaced_by_a_logged_event_signed_by_the_new_key(
    personas: Personas, key_folder: Path
) -> None:
    application = _signed(personas, Status.UNDER_PUBLICITY)
    old = keys.vkey()
    before = checkpoints.latest()
    assert before is not None
    shutil.rmtree(key_folder)

    with pytest.raises(ReplacementRefused, match="--old-key"):
        replace_lost_key()  # log.vkeys was lost too: the old key must be named
    stranger = Ed25519Signer.generate(keys.origin()).vkey
    with pytest.raises(ReplacementRefused, match="not the key that was lost"):
        replace_lost_key(stranger)
    assert not (key_folder / "log.key").exists()

    replaced = replace_lost_key(old, at=day(20))
    assert replaced.old_vkey == old
    assert keys.vkey() == replaced.new_vkey != old
    assert keys.all_vkeys() == [old, replaced.new_vkey]
    event = Event.objects.get(action=REPLACEMENT_EVENT)
    assert event.application is None
    assert event.leaf_index == replaced.leaf_index
    assert event.payload == {"old_vkey": old, "new_vkey": replaced.new_vkey, "old_key": "lost"}
    covering = Checkpoint.objects.filter(size__gt=replaced.leaf_index).order_by("size")[0]
    new_verifier = Ed25519Verifier.from_vkey(replaced.new_vkey)
    open_note(covering.note, [new_verifier])
    with pytest.raises(VerificationError):
        open_note(covering.note, [Ed25519Verifier.from_vkey(old)])
    open_note(before.note, [Ed25519Verifier.from_vkey(old)])  # old evidence: old key

    register(application.pk, actor=SYSTEM, at=day(30))  # the log goes on with the new key
    latest = checkpoints.sign_latest()
    assert latest is not None
    assert latest.size > covering.size
    open_note(latest.note, [new_verifier])
    assert _findings() == []
    assert event_name(REPLACEMENT_EVENT, "en") == "log signing key replaced after its loss"
    # The published key history follows the replacement: the new key signed the lost key's
    # record, whose period ends with the last checkpoint the lost key signed.
    periods = verify_key_history(key_history.document(), replaced.new_vkey)
    assert [p.vkey for p in periods] == [old, replaced.new_vkey]
    assert periods[0].until_size == before.size
    assert periods[0].successor == replaced.new_vkey
    assert periods[1].covers(latest.size)
    assert not periods[0].covers(latest.size)


def test_a_key_that_is_not_lost_is_not_replaced(personas: Personas) -> None:
    _signed(personas, Status.SUBMITTED)
    with pytest.raises(ReplacementRefused, match="not lost"):
        replace_lost_key(keys.vkey())
    assert not Event.objects.filter(action=REPLACEMENT_EVENT).exists()


def test_after_a_rotation_the_log_remembers_every_key(personas: Personas, key_folder: Path) -> None:
    _signed(personas, Status.SUBMITTED)
    first = keys.vkey()
    rotated = rotate_key(at=day(10))
    shutil.rmtree(key_folder)
    replaced = replace_lost_key(rotated.new_vkey, at=day(11))
    assert keys.all_vkeys() == [first, rotated.new_vkey, replaced.new_vkey]
    assert _findings() == []


def test_a_replacement_stopped_after_its_event_is_finished_by_tick(
    personas: Personas, key_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _signed(personas, Status.SUBMITTED)
    old = keys.vkey()
    shutil.rmtree(key_folder)

    def crash(leaf_index: int, lost_vkey: str) -> None:
        raise SystemExit("power cut")

    monkeypatch.setattr("dataip.upkeep.rotation._complete_replacement", crash)
    with pytest.raises(SystemExit):
        replace_lost_key(old)
    monkeypatch.undo()
    assert (key_folder / "log.key.next").exists()
    assert finish_interrupted_rotation()
    event = Event.objects.get(action=REPLACEMENT_EVENT)
    assert keys.vkey() == event.payload["new_vkey"]
    assert _findings() == []


def test_the_command_speaks_both_languages(personas: Personas, key_folder: Path) -> None:
    _signed(personas, Status.SUBMITTED)
    old = keys.vkey()
    shutil.rmtree(key_folder)
    refused = runner.invoke(app, ["rotate-key", "--after-loss"])
    assert refused.exit_code == 2
    assert "--old-key" in refused.output
    assert "公钥" in refused.output
    done = runner.invoke(app, ["rotate-key", "--after-loss", "--old-key", old])
    assert done.exit_code == 0, done.output
    assert "The lost log signing key was replaced" in done.output
    assert "遗失的日志签名密钥已由新密钥替换" in done.output
    assert old in done.output
    audited = runner.invoke(app, ["audit"])
    assert audited.exit_code == 0, audited.output
