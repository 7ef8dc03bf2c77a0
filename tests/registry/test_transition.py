"""The generic transition: what it returns, and the consequences it queues as jobs with the
change and runs after the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction
from django_tasks import task

from dataip.errors import GuardFailed
from dataip.registry.models import Application, Event, PanelAssignment
from dataip.registry.services import examination, publicity
from dataip.registry.services.transition import (
    Made,
    Outcome,
    bind_subscribers,
    bound_subscribers,
    transition,
)
from dataip.registry.workflow import SYSTEM, TRANSITIONS, Action, Consequence, Status
from tests.ledger._support import committed
from tests.support.builders import at_stage, day
from tests.support.personas import Personas
from tests.support.subscribers import subscribers_bound

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


SEEN: list[tuple[Consequence, int]] = []


@task()
def record_certificate(application_id: int) -> None:
    """A job that records that it ran, for the certificate's consequence."""
    SEEN.append((Consequence.ISSUE_CERTIFICATE, application_id))


@task()
def broken(application_id: int) -> None:
    """A job that fails."""
    raise OSError("the printer is on fire")


@pytest.fixture
def calls() -> Iterator[list[tuple[Consequence, int]]]:
    """Bind a recording job to every consequence; yield what it was called with."""
    SEEN.clear()
    with subscribers_bound({Consequence.ISSUE_CERTIFICATE: record_certificate}):
        yield SEEN


def test_it_returns_the_application_and_what_the_effect_made(personas: Personas) -> None:
    app = at_stage(personas, Status.APPROVED)

    def effect(application: Application, when: datetime) -> Made[str]:
        application.announcement_starts = day(20).date()
        application.announcement_ends = day(35).date()
        return Made("the record", {"ends": "2026-04-06"})

    outcome = transition(app.pk, Action.ANNOUNCE, actor=personas.examiner.actor, effect=effect)
    assert isinstance(outcome, Outcome)
    assert outcome.made == "the record"
    assert outcome.application.pk == app.pk
    assert outcome.application.status == Status.UNDER_PUBLICITY
    assert outcome.application.revision == app.revision + 1
    event = Event.objects.filter(application=app).latest("id")
    assert (event.action, event.payload) == ("announce", {"ends": "2026-04-06"})


def test_an_effect_that_makes_nothing_gives_none(personas: Personas) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    outcome = transition(app.pk, Action.START_FORMAL_EXAMINATION, actor=personas.examiner.actor)
    assert outcome.made is None
    assert outcome.application.status == Status.FORMAL_EXAMINATION


def test_a_service_returns_the_record_its_effect_made(personas: Personas) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    expert = personas.experts[0].user
    assignment = examination.assign_expert(app.pk, actor=personas.registrar.actor, expert=expert)
    assert assignment == PanelAssignment.objects.get(application=app, expert=expert)


def test_the_consequences_run_after_the_commit_with_the_application(
    personas: Personas,
    calls: list[tuple[Consequence, int]],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with committed(django_capture_on_commit_callbacks):
        publicity.register(app.pk, actor=SYSTEM, at=day(40))
        assert calls == []  # not before the commit
    assert calls == [(Consequence.ISSUE_CERTIFICATE, app.pk)]


def test_a_rule_without_consequences_runs_none(
    personas: Personas,
    calls: list[tuple[Consequence, int]],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    app = at_stage(personas, Status.APPROVED)
    with committed(django_capture_on_commit_callbacks):
        publicity.announce(app.pk, actor=personas.examiner.actor, at=day(20))
    assert calls == []


def test_a_transition_rolled_back_has_no_consequences(
    personas: Personas,
    calls: list[tuple[Consequence, int]],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)

    def register_then_fail() -> None:
        with transaction.atomic():
            publicity.register(app.pk, actor=SYSTEM, at=day(40))
            raise RuntimeError("the caller's transaction fails after the registration")

    with committed(django_capture_on_commit_callbacks), pytest.raises(RuntimeError):
        register_then_fail()
    assert calls == []
    app.refresh_from_db()
    assert app.status == Status.UNDER_PUBLICITY


def test_a_failing_subscriber_is_logged_and_does_not_undo_the_transition(
    personas: Personas,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with (
        subscribers_bound({Consequence.ISSUE_CERTIFICATE: broken}),
        committed(django_capture_on_commit_callbacks),
    ):
        registered = publicity.register(app.pk, actor=SYSTEM, at=day(40))
    assert registered.status == Status.REGISTERED
    app.refresh_from_db()
    assert app.status == Status.REGISTERED
    assert Event.objects.filter(application=app, action="register").count() == 1
    assert f"job broken({app.pk},) failed after the commit" in caplog.text
    assert "will retry" in caplog.text
    assert "the printer is on fire" in caplog.text


def test_a_refused_transition_schedules_nothing(
    personas: Personas,
    calls: list[tuple[Consequence, int]],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with committed(django_capture_on_commit_callbacks), pytest.raises(GuardFailed):
        publicity.register(app.pk, actor=SYSTEM, at=day(20))  # the announcement still runs
    assert calls == []


def test_binding_needs_a_subscriber_for_every_consequence() -> None:
    before = dict(bound_subscribers())
    with pytest.raises(ValueError, match="issue_certificate"):
        bind_subscribers({})
    assert bound_subscribers() == before

    with subscribers_bound({Consequence.ISSUE_CERTIFICATE: record_certificate}):
        assert bound_subscribers()[Consequence.ISSUE_CERTIFICATE] is record_certificate
    assert bound_subscribers() == before


def test_every_rule_that_issues_a_certificate_is_declared() -> None:
    issuing = {
        key for key, rule in TRANSITIONS.items() if Consequence.ISSUE_CERTIFICATE in rule.then
    }
    assert issuing == {
        (Status.UNDER_PUBLICITY, Action.REGISTER),
        (Status.OBJECTION_REVIEW, Action.REGISTER),
        (Status.REGISTERED, Action.REQUEST_CHANGE),
        (Status.REGISTERED, Action.APPROVE_CHANGE),
        (Status.REGISTERED, Action.CONFIRM_TRANSFER),
        (Status.REGISTERED, Action.RENEW),
        (Status.REGISTERED, Action.CORRECT_PARTICULARS),
        (Status.REGISTERED, Action.REISSUE_CERTIFICATE),
    }
