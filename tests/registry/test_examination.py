"""Formal examination, corrections, the expert panel and the decision."""

from __future__ import annotations

import pytest

from dataip.errors import GuardFailed, PermissionDenied, TransitionNotAllowed
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Event
from dataip.registry.services import applications as filing
from dataip.registry.services import examination
from dataip.registry.services.schedule import tick
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas


def test_a_correction_request_sets_the_regimes_deadline(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    app = examination.request_correction(
        app.pk, actor=personas.examiner.actor, reason="请补充样例说明", at=day(3)
    )
    assert app.status == Status.CORRECTION_REQUESTED
    # Shanghai: 30 calendar days from 2026-03-05.
    assert app.correction_due is not None
    assert app.correction_due.isoformat() == "2026-04-04"
    event = Event.objects.get(application=app, action="request_correction")
    assert event.reason == "请补充样例说明"
    assert event.payload == {"correction_due": "2026-04-04"}


def test_a_correction_request_needs_a_reason(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    with pytest.raises(Exception, match="reason is required"):
        examination.request_correction(app.pk, actor=personas.examiner.actor, reason=" ")
    app.refresh_from_db()
    assert app.status == Status.FORMAL_EXAMINATION


def test_the_applicant_corrects_and_resubmits_in_time(personas: Personas) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(app.pk, actor=personas.examiner.actor, reason="补正", at=day(3))
    filing.update_draft(
        app.pk, actor=personas.applicant.actor, values={"summary": "补充后的摘要"}, at=day(10)
    )
    app = filing.resubmit(
        app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(10)
    )
    assert app.status == Status.SUBMITTED
    assert app.correction_due is None
    assert app.product.summary == "补充后的摘要"


def test_a_late_correction_is_refused_and_tick_deems_the_application_withdrawn(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.FORMAL_EXAMINATION)
    examination.request_correction(app.pk, actor=personas.examiner.actor, reason="补正", at=day(3))
    with pytest.raises(GuardFailed, match="deadline"):
        filing.resubmit(
            app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor, at=day(40)
        )
    with pytest.raises(GuardFailed, match="deadline"):
        filing.update_draft(
            app.pk, actor=personas.applicant.actor, values={"name": "x"}, at=day(40)
        )
    assert tick(at=day(33)) == {}, "the deadline day itself is still open"
    assert tick(at=day(34)) == {"deem_withdrawn": 1}
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    assert tick(at=day(35)) == {}, "tick is idempotent"


def test_a_conflicted_expert_cannot_be_assigned(personas: Personas) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    with pytest.raises(GuardFailed, match="conflict of interest"):
        examination.assign_expert(
            app.pk, actor=personas.registrar.actor, expert=personas.conflicted_expert.user
        )
    with pytest.raises(GuardFailed, match="registered expert"):
        examination.assign_expert(
            app.pk, actor=personas.registrar.actor, expert=personas.objector.user
        )
    assert not app.panel.exists()


def test_only_the_registrar_assigns_experts_and_only_panel_experts_give_opinions(
    personas: Personas,
) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    with pytest.raises(PermissionDenied):
        examination.assign_expert(
            app.pk, actor=personas.examiner.actor, expert=personas.experts[0].user
        )
    examination.assign_expert(
        app.pk, actor=personas.registrar.actor, expert=personas.experts[0].user
    )
    with pytest.raises(GuardFailed, match="already on the panel"):
        examination.assign_expert(
            app.pk, actor=personas.registrar.actor, expert=personas.experts[0].user
        )
    with pytest.raises(PermissionDenied):
        examination.record_opinion(
            app.pk, actor=personas.experts[1].actor, approves=True, opinion="not on the panel"
        )
    examination.record_opinion(
        app.pk, actor=personas.experts[0].actor, approves=False, opinion="创新性不足"
    )
    assert app.panel.get().approves is False


def test_the_decision_follows_the_panel(personas: Personas) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    for expert in personas.experts:
        examination.assign_expert(app.pk, actor=personas.registrar.actor, expert=expert.user)
    with pytest.raises(GuardFailed, match="opinion"):
        examination.approve(app.pk, actor=personas.examiner.actor)
    for expert, approves in zip(personas.experts, [False, False, True], strict=True):
        examination.record_opinion(app.pk, actor=expert.actor, approves=approves, opinion="意见")
    with pytest.raises(GuardFailed, match="majority"):
        examination.approve(app.pk, actor=personas.examiner.actor)
    app = examination.reject(app.pk, actor=personas.examiner.actor, reason="专家组多数不同意")
    assert app.status == Status.REJECTED
    assert app.decision_reason == "专家组多数不同意"
    with pytest.raises(TransitionNotAllowed):
        examination.approve(app.pk, actor=personas.examiner.actor)


def test_formal_only_regimes_skip_the_panel(personas: Personas) -> None:
    app = filing.create_draft(
        actor=personas.applicant.actor,
        user=personas.applicant.user,
        kind="data_collection",
        regime_code="zhejiang",
    )
    from tests.support.builders import complete_values

    filing.update_draft(app.pk, actor=personas.applicant.actor, values=complete_values())
    import io

    from dataip.registry.regimes import load_regime
    from tests.support.builders import PDF

    for kind in sorted(load_regime("zhejiang").required_materials(filed_by_agent=False)):
        filing.add_material(
            app.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            kind=kind,
            name="m.pdf",
            content=io.BytesIO(PDF),
        )
    filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=personas.applicant.actor)
    examination.start_formal_examination(app.pk, actor=personas.examiner.actor)
    app = examination.approve(app.pk, actor=personas.examiner.actor)
    assert app.status == Status.APPROVED


def test_the_applicant_may_withdraw_before_approval_only(personas: Personas) -> None:
    app = at_stage(personas, Status.EXPERT_REVIEW)
    app = filing.withdraw(app.pk, actor=personas.applicant.actor, reason="业务调整")
    assert app.status == Status.WITHDRAWN
    approved = at_stage(personas, Status.APPROVED)
    with pytest.raises(TransitionNotAllowed):
        filing.withdraw(approved.pk, actor=personas.applicant.actor)
