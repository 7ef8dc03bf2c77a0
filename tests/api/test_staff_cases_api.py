"""The staff API for examination: an application taken from submission to registration by
staff tokens alone, the confirmation of acts that cannot be undone, and the review panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from dataip.accounts.tokens import create_token
from dataip.registry import clock
from dataip.registry.models import Application, Event
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.api._support import Api, assert_problem, field_names
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(api: Api, personas: Personas) -> dict[str, Api]:
    """The examiner's and the registrar's API clients (staff tokens)."""
    return {
        "examiner": api.as_(create_token(personas.examiner.user, "desk")[1]),
        "registrar": api.as_(create_token(personas.registrar.user, "desk")[1]),
    }


def _act(client: Api, app: Application, action: str, **more: Any) -> Any:
    return client.post(f"staff/applications/{app.pk}/actions", {"action": action, **more})


def _status(app: Application) -> str:
    app.refresh_from_db()
    return app.status


def test_an_application_is_examined_announced_and_registered_through_the_api(
    desk: dict[str, Api], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    examiner, registrar = desk["examiner"], desk["registrar"]

    started = _act(examiner, app, "start_formal_examination")
    assert started.status_code == 200, started.content
    assert started.json()["case"]["status"] == "formal_examination"
    assert started.json()["outcome"]
    assert _act(examiner, app, "pass_formal_examination", confirm=True).json()["case"][
        "status"
    ] == ("expert_review")

    experts = [e.user.pk for e in personas.experts]
    panel = registrar.post(f"staff/applications/{app.pk}/panel", {"experts": experts})
    assert panel.status_code == 200, panel.content
    assert [seat["expert"] for seat in panel.json()["panel"]] == experts
    for expert in personas.experts:
        examination.record_opinion(app.pk, actor=expert.actor, approves=True, opinion="可以")
    seats = examiner.get(f"staff/applications/{app.pk}/panel").json()["panel"]
    assert [seat["approves"] for seat in seats] == [True] * len(experts)

    for action in ("approve", "announce"):
        unconfirmed = assert_problem(_act(examiner, app, action), 422)
        assert field_names(unconfirmed) == ["confirm"]
        before = _status(app)
        assert _act(examiner, app, action, confirm=True).status_code == 200
        assert _status(app) != before
    assert _status(app) == Status.UNDER_PUBLICITY
    assert app.announcement_ends is not None
    after = clock.now() + timedelta(
        days=(app.announcement_ends - clock.local_date(clock.now())).days + 1
    )
    monkeypatch.setattr(clock, "now", lambda: after)

    registered = _act(registrar, app, "register", confirm=True)
    assert registered.status_code == 200, registered.content
    assert registered.json()["case"]["status"] == "registered"
    assert registered.json()["case"]["registrationNumber"]
    acts = list(Event.objects.filter(application=app).values_list("action", flat=True))
    assert acts[-1] == "register"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_irreversible_act_without_confirm_changes_nothing_and_says_what_would_follow(
    desk: dict[str, Api], personas: Personas, language: str
) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examiner = desk["examiner"]
    examiner.language = language
    events = Event.objects.count()
    problem = assert_problem(_act(examiner, app, "reject", reason="材料不全"), 422)
    [error] = problem["errors"]
    assert error["name"] == "confirm"
    assert ("cannot be undone" in error["reason"]) == (language == "en")
    assert ("撤销" in error["reason"] or "无法" in error["reason"]) == (language == "zh")
    assert Event.objects.count() == events
    assert _status(app) == Status.FORMAL_EXAMINATION


def test_a_correction_request_without_its_reason_names_the_reason(
    desk: dict[str, Api], personas: Personas
) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    problem = assert_problem(_act(desk["examiner"], app, "request_correction", confirm=True), 422)
    assert "reason" in field_names(problem)
    assert _status(app) == Status.FORMAL_EXAMINATION
    asked = _act(
        desk["examiner"], app, "request_correction", reason="请补充数据来源说明", confirm=True
    )
    assert asked.json()["case"]["status"] == "correction_requested"


def test_an_act_the_workflow_does_not_allow_now_is_refused(
    desk: dict[str, Api], personas: Personas
) -> None:
    app = at_stage(personas, Status.SUBMITTED)
    refused = _act(desk["examiner"], app, "register", confirm=True)
    assert refused.status_code in (403, 409), refused.content
    assert_problem(refused, refused.status_code)
    assert _status(app) == Status.SUBMITTED
    assert_problem(_act(desk["examiner"], app, "nonsense"), 422)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_conflicted_expert_is_named_and_nobody_is_assigned(
    desk: dict[str, Api], personas: Personas, language: str
) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    registrar = desk["registrar"]
    registrar.language = language
    chosen = [personas.experts[0].user.pk, personas.conflicted_expert.user.pk]
    problem = assert_problem(
        registrar.post(f"staff/applications/{app.pk}/panel", {"experts": chosen}), 422
    )
    [error] = problem["errors"]
    assert error["name"] == "experts"
    assert str(personas.conflicted_expert.user) in error["reason"]
    assert ("Nobody was assigned" in error["reason"]) == (language == "en")
    assert app.panel.count() == 0
    assert_problem(
        desk["examiner"].post(f"staff/applications/{app.pk}/panel", {"experts": [1]}), 403
    )
