"""Every transition writes one immutable event and one ledger leaf, or nothing at all."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from dataip.errors import GuardFailed
from dataip.evidence.commitments import EVENT_SCHEMA_V2, open_leaf
from dataip.evidence.merkle import leaf_hash
from dataip.ledger.models import LogEntry
from dataip.registry.events import event_openings
from dataip.registry.models import Application, Event
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas


def test_each_transition_has_its_event_and_leaf(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    events = list(Event.objects.filter(application=app))
    assert [e.action for e in events] == [
        "submit",
        "start_formal_examination",
        "pass_formal_examination",
        "assign_expert",
        "assign_expert",
        "assign_expert",
        "record_opinion",
        "record_opinion",
        "record_opinion",
        "approve",
        "announce",
        "register",
    ]
    previous = None
    for event in events:
        assert event.leaf_index is not None
        entry = LogEntry.objects.get(index=event.leaf_index)
        leaf = json.loads(entry.body)
        assert leaf["schema"] == EVENT_SCHEMA_V2
        body = open_leaf(leaf, event_openings(event)).fields  # the leaf holds commitments
        assert entry.leaf_hash == leaf_hash(entry.body.encode()).hex()
        assert (body["type"], body["from"], body["to"]) == (
            event.action,
            event.from_status,
            event.to_status,
        )
        assert body["payload_sha256"] == event.payload_digest
        assert body["prev"] == previous
        previous = entry.leaf_hash
    last = LogEntry.objects.get(index=events[-1].leaf_index or 0)
    opened = open_leaf(json.loads(last.body), event_openings(events[-1]))
    assert opened.get("registration") == app.registration_number


def test_a_refused_action_leaves_no_trace(personas: Personas) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    before = (Event.objects.count(), LogEntry.objects.count(), app.revision)
    with pytest.raises(GuardFailed):
        examination.approve(app.pk, actor=personas.examiner.actor, at=day(9))
    app.refresh_from_db()
    assert (Event.objects.count(), LogEntry.objects.count(), app.revision) == before
    assert app.status == Status.EXPERT_REVIEW


def test_a_failure_inside_the_effect_rolls_everything_back(personas: Personas) -> None:
    app = at_stage(personas, Status.APPROVED)
    before = (Event.objects.count(), LogEntry.objects.count())
    from dataip.registry.services.transition import transition
    from dataip.registry.workflow import Action

    def broken_effect(application: Application, when: object) -> None:
        application.announcement_ends = day(30).date()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        transition(app.pk, Action.ANNOUNCE, actor=personas.examiner.actor, effect=broken_effect)
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert app.announcement_ends is None
    assert (Event.objects.count(), LogEntry.objects.count()) == before


@pytest.mark.parametrize("table", ["registry_event", "ledger_logentry", "ledger_lognode"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_history(
    personas: Personas, table: str, statement: str
) -> None:
    at_stage(personas, Status.SUBMITTED)
    sql = statement.format(table=table)
    if table == "ledger_logentry":
        sql = sql.replace("id = id", '"index" = "index"')
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Event.objects.exists()
    assert LogEntry.objects.exists()
