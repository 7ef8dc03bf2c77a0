"""Examiners, the registrar and experts: queue, checklist, decisions, panel, opinions."""

from __future__ import annotations

import io

import pytest

from dataip.registry.models import Objection
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.support.builders import day
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn, read_download


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_lists_the_queue_by_status_with_deadlines(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    submitted = build(personas, Status.SUBMITTED, name="待审数据")
    build(personas, Status.EXPERT_REVIEW, name="专家审数据")
    client = sign_in(personas.examiner, language=language)
    page = client.get("/examine/")
    assert [a.pk for a in page.context["page"].object_list] == [submitted.pk]
    assert page.context["rows"][0]["deadline"].due is None
    tabs = {value: n for value, _, n in page.context["tabs"]}
    assert tabs["submitted"] == 1
    assert tabs["expert_review"] == 1
    review = client.get("/examine/", {"status": "expert_review"})
    assert [a.product.name for a in review.context["page"].object_list] == ["专家审数据"]
    draft = client.get("/examine/", {"status": "draft"})
    assert draft.status_code == 400  # drafts are the applicant's: said, not silently replaced
    assert draft.context["unknown_status"] == "draft"


def test_it_shows_the_formal_examination_checklist(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.FORMAL_EXAMINATION)
    page = sign_in(personas.examiner).get(f"/examine/{app.pk}")
    text = page.content.decode()
    assert page.context["missing"] == []
    for material in app.materials.all():
        assert material.sha256 in text
    assert "用户协议授权" in text  # confidential field, for the examiner
    assert "保密的算法细节" in text
    actions = [b["action"] for b in page.context["buttons"]]
    assert actions == ["request_correction", "pass_formal_examination", "reject"]
    reasons = {b["action"]: b["reason_required"] for b in page.context["buttons"]}
    assert reasons == {
        "request_correction": True,
        "pass_formal_examination": False,
        "reject": True,
    }


def test_it_takes_actions_and_requires_a_reason_where_the_workflow_does(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(personas.examiner)
    assert (
        client.post(f"/examine/{app.pk}/act", {"action": "start_formal_examination"}).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == Status.FORMAL_EXAMINATION
    assert app.examiner_id == personas.examiner.user.pk
    unconfirmed = client.post(
        f"/examine/{app.pk}/act", {"action": "request_correction", "reason": "缺少来源证明"}
    )
    assert unconfirmed.status_code == 422
    assert (
        "Tick the confirmation to request correction: this step cannot be undone."
        in unconfirmed.content.decode()
    )
    app.refresh_from_db()
    assert app.status == Status.FORMAL_EXAMINATION
    refused = client.post(
        f"/examine/{app.pk}/act", {"action": "request_correction", "reason": " ", "confirm": "on"}
    )
    assert refused.status_code == 422
    assert "reason is required" in refused.content.decode()
    done = client.post(
        f"/examine/{app.pk}/act",
        {"action": "request_correction", "reason": "缺少来源证明", "confirm": "on"},
    )
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.CORRECTION_REQUESTED
    too_late = client.post(f"/examine/{app.pk}/act", {"action": "approve"})
    assert too_late.status_code == 409
    assert client.post(f"/examine/{app.pk}/act", {"action": "nonsense"}).status_code == 404


def test_registrar_assigns_the_panel_and_conflicts_are_refused(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.EXPERT_REVIEW)
    registrar = sign_in(personas.registrar)
    page = registrar.get(f"/examine/{app.pk}")
    assert page.context["can_assign"]
    expert = personas.experts[0].user
    assert registrar.post(f"/examine/{app.pk}/assign", {"expert": expert.pk}).status_code == 302
    assert app.panel.filter(expert=expert).exists()
    conflicted = registrar.post(
        f"/examine/{app.pk}/assign", {"expert": personas.conflicted_expert.user.pk}
    )
    assert conflicted.status_code == 409
    assert "conflict of interest" in conflicted.content.decode()


def test_examiner_cannot_assign_experts(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.EXPERT_REVIEW)
    client = sign_in(personas.examiner)
    assert not client.get(f"/examine/{app.pk}").context["can_assign"]
    expert = personas.experts[0].user
    assert client.post(f"/examine/{app.pk}/assign", {"expert": expert.pk}).status_code == 404


def test_it_takes_expert_opinions_then_the_decision(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.EXPERT_REVIEW)
    registrar = sign_in(personas.registrar)
    for expert in personas.experts:
        registrar.post(f"/examine/{app.pk}/assign", {"expert": expert.user.pk})
    for expert in personas.experts:
        client = sign_in(expert, language="zh-hans")
        seats = client.get("/review/").context["seats"]
        assert [s.application_id for s in seats] == [app.pk]
        page = client.get(f"/review/{app.pk}")
        assert "保密的算法细节" in page.content.decode()  # the panel sees confidential fields
        assert (
            client.post(f"/review/{app.pk}", {"approves": "yes", "opinion": ""}).status_code == 422
        )
        assert (
            client.post(
                f"/review/{app.pk}", {"approves": "yes", "opinion": "具有创新性"}
            ).status_code
            == 302
        )
    examiner = sign_in(personas.examiner)
    actions = [b["action"] for b in examiner.get(f"/examine/{app.pk}").context["buttons"]]
    assert actions == ["approve"]
    for action in ("approve", "announce"):
        taken = examiner.post(f"/examine/{app.pk}/act", {"action": action, "confirm": "on"})
        assert taken.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.UNDER_PUBLICITY
    closed = sign_in(personas.experts[0]).post(
        f"/review/{app.pk}", {"approves": "no", "opinion": "改变主意"}
    )
    assert closed.status_code == 404


def test_expert_not_on_the_panel_cannot_see_the_review(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.APPROVED)  # panel: experts 0-2
    outsider = sign_in(personas.conflicted_expert)
    assert outsider.get(f"/review/{app.pk}").status_code == 404
    assert outsider.get("/review/").context["seats"] == []


def test_it_decides_objections_and_registers(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    app = build(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="数据属于我方",
        evidence=[("proof.pdf", io.BytesIO(b"%PDF-1.4 proof"))],
        at=day(8),
    )
    client = sign_in(personas.examiner)
    page = client.get(f"/examine/{app.pk}")
    assert page.context["can_decide_objections"]
    evidence = objection.evidence.get()
    download = client.get(f"/examine/objections/{objection.pk}/evidence/{evidence.pk}")
    assert download.status_code == 200
    read_download(download)
    assert (
        sign_in(personas.applicant)
        .get(f"/examine/objections/{objection.pk}/evidence/{evidence.pk}")
        .status_code
        == 404
    )
    missing_reason = client.post(
        f"/examine/objections/{objection.pk}/decide",
        {"decision": "dismiss", "reason": "", "confirm": "on"},
    )
    assert missing_reason.status_code == 422
    dismissed = client.post(
        f"/examine/objections/{objection.pk}/decide",
        {"decision": "dismiss", "reason": "证据不足", "confirm": "on"},
    )
    assert dismissed.status_code == 302
    assert Objection.objects.get(pk=objection.pk).status == "dismissed"


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("zh-hans", ["(申请人)", "(审查员)"], ["(applicant)", "(examiner)"]),
     ("en", ["(applicant)", "(examiner)"], ["(申请人)"])],
)  # fmt: skip
def test_the_history_names_the_roles_in_the_pages_language(
    personas: Personas, sign_in: SignIn, language: str, shown: list[str], not_shown: list[str]
) -> None:
    app = build(personas, Status.FORMAL_EXAMINATION)
    text = sign_in(personas.examiner, language=language).get(f"/examine/{app.pk}").content.decode()
    for role in shown:
        assert role in text
    for role in not_shown:
        assert role not in text
