"""``dataip audit``: an honest log passes; a row changed behind the triggers' back is named."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from typer.testing import CliRunner

from dataip.cli import app as cli
from dataip.evidence import Checkpoint as CheckpointBody
from dataip.evidence import Ed25519Signer, canonical_json, sign_checkpoint
from dataip.evidence.commitments import commit, new_salt
from dataip.ledger import keys, log
from dataip.ledger.audit import AuditReport, Finding
from dataip.ledger.models import Checkpoint, LogEntry
from dataip.registry.models import Event
from dataip.registry.workflow import Status
from dataip.upkeep.audit import run_audit
from tests.ledger._support import committed, tamper
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _audit(chunk: int = 4096) -> tuple[list[Finding], AuditReport]:
    results = list(run_audit(chunk))
    report = results.pop()
    assert isinstance(report, AuditReport)
    findings = [f for f in results if isinstance(f, Finding)]
    assert report.findings == len(findings)
    return findings, report


@pytest.fixture
def registered(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Event:
    """A registered application, committed step by step (a checkpoint after each)."""
    with committed(django_capture_on_commit_callbacks):
        application = at_stage(personas, Status.REGISTERED)
    return Event.objects.get(application=application, action="register")


def test_it_finds_nothing_wrong_in_an_honest_log(registered: Event) -> None:
    findings, report = _audit()
    assert findings == []
    assert report.ok
    assert report.entries == report.records == Event.objects.count() == log.size()
    assert report.checkpoints == Checkpoint.objects.count() >= 1
    assert report.nodes == 2 * log.size() - bin(log.size()).count("1")


def test_it_names_the_entry_whose_body_was_changed(registered: Event) -> None:
    index = int(registered.leaf_index or 0)
    leaf = json.loads(LogEntry.objects.get(index=index).body)
    leaf["commitments"]["to"] = commit(new_salt(), "rejected")  # "to" committed anew
    body = canonical_json(leaf).decode()
    assert tamper('UPDATE ledger_logentry SET body = %s WHERE "index" = %s', [body, index]) == 1
    findings, _ = _audit()
    assert {f.entry for f in findings} == {index}
    assert {f.code for f in findings} == {"leaf_hash", "event_opening"}
    assert {f.params.get("event") for f in findings} - {None} == {registered.pk}
    assert "to" in findings[-1].message("en")
    assert f"第 {index} 号条目" in findings[0].message("zh")


def test_it_names_the_event_whose_row_was_changed(registered: Event) -> None:
    tamper(
        "UPDATE registry_event SET to_status = %s, reason = %s WHERE id = %s",
        ["rejected", "quietly changed", registered.pk],
    )
    findings, _ = _audit()
    assert {(f.params.get("event"), f.entry) for f in findings} == {
        (registered.pk, registered.leaf_index)
    }
    assert sorted(str(f.params["field"]) for f in findings) == ["reason_sha256", "to"]


def test_it_names_a_changed_node(registered: Event) -> None:
    tamper('UPDATE ledger_lognode SET "hash" = %s WHERE "level" = 1 AND "index" = 0', ["ab" * 32])
    findings, _ = _audit()
    assert [(f.code, f.params["level"], f.params["index"]) for f in findings] == [
        ("node_mismatch", 1, 0)
    ]


def test_it_names_a_deleted_entry(registered: Event) -> None:
    tamper('DELETE FROM ledger_logentry WHERE "index" = %s', [1])
    findings, _ = _audit()
    assert [(f.code, f.entry) for f in findings] == [("entry_missing", 1)]


def _unsigned_size() -> int:
    """A tree size that has no stored checkpoint yet."""
    taken = set(Checkpoint.objects.values_list("size", flat=True))
    return next(size for size in range(log.size(), 0, -1) if size not in taken)


def test_it_names_a_checkpoint_signed_by_another_key(registered: Event) -> None:
    size = _unsigned_size()
    forger = Ed25519Signer(keys.origin(), b"\x66" * 32)
    note = sign_checkpoint(CheckpointBody(keys.origin(), size, log.root(size)), forger)
    Checkpoint.objects.create(
        size=size, root_hash=log.root(size).hex(), note=note, created_at=timezone.now()
    )
    findings, _ = _audit()
    assert [(f.code, f.checkpoint) for f in findings] == [("checkpoint_signature", size)]
    assert "no signature from a trusted key" in findings[0].message("en")


def test_it_names_a_checkpoint_of_a_rewritten_history(registered: Event) -> None:
    size = _unsigned_size()
    fake_root = b"\x01" * 32
    note = sign_checkpoint(CheckpointBody(keys.origin(), size, fake_root), keys.signer())
    Checkpoint.objects.create(
        size=size, root_hash=fake_root.hex(), note=note, created_at=timezone.now()
    )
    findings, _ = _audit()
    assert [(f.code, f.checkpoint) for f in findings] == [("checkpoint_root", size)]


def test_it_gives_the_same_answer_a_few_entries_at_a_time(registered: Event) -> None:
    tamper('UPDATE ledger_lognode SET "hash" = %s WHERE "level" = 2 AND "index" = 1', ["cd" * 32])
    tamper('DELETE FROM ledger_logentry WHERE "index" = %s', [0])
    whole, _ = _audit()
    assert [f.code for f in whole] == ["entry_missing", "node_mismatch"]
    assert _audit(chunk=3)[0] == whole


def test_the_command_exits_non_zero_and_names_the_entry(registered: Event) -> None:
    runner = CliRunner()
    clean = runner.invoke(cli, ["audit"])
    assert clean.exit_code == 0, clean.output
    assert "审计完成" in clean.stdout
    assert "0 finding(s)" in clean.stdout
    body = LogEntry.objects.get(index=2).body + " "
    tamper('UPDATE ledger_logentry SET body = %s WHERE "index" = 2', [body])
    result = runner.invoke(cli, ["audit", "--lang", "en"])
    assert result.exit_code == 1
    assert "entry 2: its body does not hash to its stored leaf hash" in result.stdout
    assert "1 finding(s)" in result.stdout


def _openings_with(event: Event, field: str, **change: str) -> str:
    """The event's stored openings, with one field's salt or value changed (as JSON)."""
    openings = dict(event.openings or {})
    openings[field] = {**openings[field], **change}
    return json.dumps(openings)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("payload_sha256", {"salt": "ab" * 32}),
        ("to", {"value": "rejected"}),
        ("prev", {"value": "00" * 32}),
    ],
)
def test_it_names_an_event_whose_stored_opening_was_changed(
    registered: Event, field: str, change: dict[str, str]
) -> None:
    changed = _openings_with(registered, field, **change)
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = f"UPDATE registry_event SET openings = {value} WHERE id = %s"  # noqa: S608 - no input
    assert tamper(sql, [changed, registered.pk]) == 1
    findings, _ = _audit()
    assert [(f.code, f.entry, f.params["field"]) for f in findings] == [
        ("event_opening", registered.leaf_index, field)
    ]
    assert f"the stored opening of {field} does not open" in findings[0].message("en")
    assert "开示值" in findings[0].message("zh")


def test_it_names_an_event_row_that_disagrees_with_its_opened_leaf(registered: Event) -> None:
    tamper("UPDATE registry_event SET action = %s WHERE id = %s", ["reject", registered.pk])
    findings, _ = _audit()
    assert [(f.code, f.params["field"], f.params["row"], f.params["leaf"]) for f in findings] == [
        ("event_field", "type", "reject", "register")
    ]
