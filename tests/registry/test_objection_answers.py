"""Objections, both sides: reference numbers, the decision's due date, the holder's answer."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from dataip.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from dataip.evidence.bundle import verify_bundle
from dataip.ledger import bundles, keys
from dataip.registry import clock
from dataip.registry.events import digest
from dataip.registry.identifiers import parse_objection_reference
from dataip.registry.models import AnswerEvidence, Application, Objection, ObjectionAnswer
from dataip.registry.queries import objections as found
from dataip.registry.regimes import load_regime
from dataip.registry.services import publicity
from dataip.registry.services.schedule import tick
from dataip.registry.workflow import Action, Status
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _object(personas: Personas, app: Application, at: int = 8) -> Objection:
    return publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="数据属于我方",
        evidence=[("proof.pdf", io.BytesIO(PDF))],
        at=day(at),
    )


def test_each_objection_gets_a_reference_and_a_decision_due_date(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    first, second = _object(personas, app), _object(personas, app, at=9)
    regime = load_regime(app.regime_code)
    parts = parse_objection_reference(first.reference or "")
    assert (parts.year, parts.registry_code, parts.serial) == (2026, regime.registry_code, 1)
    assert parse_objection_reference(second.reference or "").serial == 2
    filed = clock.local_date(day(8))
    assert clock.local_date(first.filed_at) == filed
    assert first.decision_due == filed + timedelta(days=60)  # Shanghai: 60 calendar days
    assert regime.objection_decision.length == 60


def test_the_holder_answers_once_with_files_before_the_decision(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    answer = publicity.answer_objection(
        objection.pk,
        actor=personas.applicant.actor,
        user=personas.applicant.user,
        statement="我方拥有合法来源的授权",
        evidence=[("licence.pdf", io.BytesIO(PDF))],
        at=day(9),
    )
    assert answer.evidence.get().sha256
    assert answer.answered_by == personas.applicant.user
    event = app.events.get(action=Action.ANSWER_OBJECTION)
    assert event.actor_role == "applicant"
    assert event.to_status == Status.UNDER_PUBLICITY
    # The holder's evidence bundle of that step opens the leaf's commitment to the payload,
    # which names the objection and the answer's files by their digests.
    assert event.payload["evidence"] == [answer.evidence.get().sha256]
    assert event.payload["reference"] == objection.reference
    verified = verify_bundle(bundles.bundle_for_event(event), keys.vkey())
    assert verified.event_type == "answer_objection"
    assert verified.sealed == ()  # every field opened for the holder
    assert verified.opened.get("payload_sha256") == digest(event.payload)
    with pytest.raises(Conflict):
        publicity.answer_objection(
            objection.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            statement="again",
            at=day(10),
        )
    assert ObjectionAnswer.objects.count() == 1


def test_no_one_but_the_holder_answers(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    for person in (personas.objector, personas.other_applicant, personas.examiner):
        with pytest.raises(PermissionDenied):
            publicity.answer_objection(
                objection.pk, actor=person.actor, user=person.user, statement="x", at=day(9)
            )
    assert not ObjectionAnswer.objects.exists()


def test_a_refused_answer_leaves_nothing(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    with pytest.raises(ValidationFailed) as caught:
        publicity.answer_objection(
            objection.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            statement=" ",
            evidence=[("x.exe", io.BytesIO(b"MZ"))],
            at=day(9),
        )
    assert set(caught.value.errors) == {"statement", "evidence.0"}
    assert not ObjectionAnswer.objects.exists()
    assert not AnswerEvidence.objects.exists()
    assert not app.events.filter(action=Action.ANSWER_OBJECTION).exists()


def test_a_decided_objection_cannot_be_answered(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    publicity.dismiss_objection(objection.pk, actor=personas.examiner.actor, reason="无据")
    with pytest.raises((Conflict, TransitionNotAllowed)):
        publicity.answer_objection(
            objection.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            statement="late",
            at=day(9),
        )


def test_the_holder_answers_while_the_objection_is_reviewed_after_the_announcement(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    tick(at=day(22))
    app.refresh_from_db()
    assert app.status == Status.OBJECTION_REVIEW
    publicity.answer_objection(
        objection.pk,
        actor=personas.applicant.actor,
        user=personas.applicant.user,
        statement="答辩",
        at=day(23),
    )
    assert ObjectionAnswer.objects.filter(objection=objection).exists()


def test_each_side_sees_only_its_own(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    assert list(found.objections_filed_by(personas.objector.user)) == [objection]
    assert not found.objections_filed_by(personas.other_applicant.user).exists()
    assert found.get_filed_objection(personas.objector.user, objection.reference or "") == objection
    assert found.objections_against(personas.applicant.actor, app.pk) == [objection]
    evidence = objection.evidence.get()
    assert (
        found.objection_file_for(personas.applicant.actor, objection.pk, evidence.pk).pk
        == evidence.pk
    )
    assert (
        found.objection_file_for(personas.examiner.actor, objection.pk, evidence.pk).pk
        == evidence.pk
    )
    for person in (personas.other_applicant, personas.objector):
        with pytest.raises(Exception, match="No such"):
            found.objections_against(person.actor, app.pk)
        with pytest.raises(Exception, match="No such"):
            found.objection_file_for(person.actor, objection.pk, evidence.pk)
    with pytest.raises(Exception, match="No such"):
        found.get_filed_objection(personas.other_applicant.user, objection.reference or "")


def test_deadlines_are_flagged_due_soon_then_overdue(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    due = objection.decision_due
    assert due is not None
    assert found.deadline_state(due, due - timedelta(days=8), decided=False) == "on_time"
    assert found.deadline_state(due, due - timedelta(days=7), decided=False) == "due_soon"
    assert found.deadline_state(due, due, decided=False) == "due_soon"
    assert found.deadline_state(due, due + timedelta(days=1), decided=False) == "overdue"
    assert found.deadline_state(due, due + timedelta(days=1), decided=True) == "decided"
    assert list(found.undecided_objections()) == [objection]


def test_objections_are_open_only_while_the_announcement_runs(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    assert app.announcement_ends is not None
    assert found.objections_open(app, app.announcement_ends)
    assert not found.objections_open(app, app.announcement_ends + timedelta(days=1))
    registered = at_stage(personas, Status.REGISTERED)
    assert not found.objections_open(registered, clock.local_date(day(0)))
