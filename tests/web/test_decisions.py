"""Safe decisions: every irreversible action on the case page names its consequence, is taken
only with the confirmation ticked (otherwise nothing changes and the field says why), and says
afterwards what happened and what comes next, in both languages."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from dataip.registry.models import Application, Objection
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import SYSTEM, Action, Context, Status, follow_up
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn

AFTER_ANNOUNCEMENT = day(30)
"""A day after the announcement (from day 6) is over."""
DURING_ANNOUNCEMENT = day(8)


def _panel_in_favour(p: Personas) -> Application:
    app = build(p, Status.EXPERT_REVIEW)
    for expert in p.experts:
        examination.assign_expert(app.pk, actor=p.registrar.actor, expert=expert.user, at=day(4))
    for expert in p.experts:
        examination.record_opinion(
            app.pk, actor=expert.actor, approves=True, opinion="具备创新性", at=day(5)
        )
    return app


def _object(p: Personas, app: Application, statement: str = "数据属于我方") -> Objection:
    return publicity.file_objection(
        app.pk,
        actor=p.objector.actor,
        user=p.objector.user,
        ground="ownership_dispute",
        statement=statement,
        evidence=[("proof.pdf", io.BytesIO(b"%PDF-1.4 proof"))],
        at=day(8),
    )


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", content.decode())


@dataclass(frozen=True)
class Case:
    stage: Status
    action: str
    reason: str
    after: Status
    consequence: str
    outcome: str
    now: datetime = DURING_ANNOUNCEMENT
    with_objection: bool = False


CASES = {
    "pass": Case(
        Status.FORMAL_EXAMINATION,
        "pass_formal_examination",
        "",
        Status.EXPERT_REVIEW,
        "This passes the formal examination of {number} and sends it to expert review.",
        "{number} passed the formal examination. {number} is now in expert review",
    ),
    "refuse (formal)": Case(
        Status.FORMAL_EXAMINATION,
        "reject",
        "材料与申报不符",
        Status.REJECTED,
        "This refuses to register {number}. The application will be “Rejected”.",
        "Registration of {number} was refused. The application {number} is closed; the "
        "applicant is told the reasons.",
    ),
    "request correction": Case(
        Status.FORMAL_EXAMINATION,
        "request_correction",
        "缺少来源证明",
        Status.CORRECTION_REQUESTED,
        "This returns {number} to the applicant for correction",
        "The applicant may correct {number} until {correction_due}; otherwise it is deemed "
        "withdrawn.",
    ),
    "approve (after the panel)": Case(
        Status.EXPERT_REVIEW,
        "approve",
        "",
        Status.APPROVED,
        "This approves {number}; it is then announced to the public.",
        "{number} was approved. {number} now waits to be announced.",
    ),
    "refuse (expert examination)": Case(
        Status.EXPERT_REVIEW,
        "reject",
        "专家组认为不具备创新性",
        Status.REJECTED,
        "This refuses to register {number}.",
        "Registration of {number} was refused.",
    ),
    "announce": Case(
        Status.APPROVED,
        "announce",
        "",
        Status.UNDER_PUBLICITY,
        "This publishes {number} for its announcement period; anyone may then object.",
        "{number} is now in announcement until {announcement_ends}; objections may be filed "
        "until then.",
    ),
    "register": Case(
        Status.UNDER_PUBLICITY,
        "register",
        "",
        Status.REGISTERED,
        "This registers {number} and issues a certificate. The application will be “Registered”.",
        "{number} was registered. {number} is registered as {registration_number}, certificate "
        "{certificate_number}, valid until {valid_until}",
        now=AFTER_ANNOUNCEMENT,
    ),
    "close the announcement": Case(
        Status.UNDER_PUBLICITY,
        "close_publicity",
        "",
        Status.OBJECTION_REVIEW,
        "This closes the announcement of {number}; its pending objections are decided next.",
        "The announcement of {number} has ended; 1 pending objection(s) must be decided",
        now=AFTER_ANNOUNCEMENT,
        with_objection=True,
    ),
}


def _fill(template: str, app: Application) -> str:
    return template.format(
        number=app.number,
        registration_number=app.registration_number,
        certificate_number=app.certificate_number,
        valid_until=app.valid_until.isoformat() if app.valid_until else "",
        announcement_ends=app.announcement_ends.isoformat() if app.announcement_ends else "",
        correction_due=app.correction_due.isoformat() if app.correction_due else "",
    )


def _prepare(personas: Personas, case: Case) -> Application:
    if case.stage == Status.EXPERT_REVIEW and case.action == "approve":
        return _panel_in_favour(personas)
    if case.stage == Status.EXPERT_REVIEW:
        app = build(personas, Status.EXPERT_REVIEW)
        for expert in personas.experts:
            examination.assign_expert(
                app.pk, actor=personas.registrar.actor, expert=expert.user, at=day(4)
            )
            examination.record_opinion(
                app.pk, actor=expert.actor, approves=False, opinion="不具备创新性", at=day(5)
            )
        return app
    app = build(personas, case.stage)
    if case.with_objection:
        _object(personas, app)
    return app


@pytest.mark.parametrize("name", list(CASES))
def test_each_decision_names_its_consequence_asks_to_confirm_then_says_what_comes_next(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    case = CASES[name]
    app = _prepare(personas, case)
    freeze(monkeypatch, case.now)
    client = sign_in(personas.examiner)
    page = client.get(f"/examine/{app.pk}")
    button = next(b for b in page.context["buttons"] if b["action"] == case.action)
    assert button["confirm"]
    assert _fill(case.consequence, app) in _text(page)
    assert "This cannot be undone." in button["consequence"]

    posted = {"action": case.action, "reason": case.reason}
    events = app.events.count()
    unconfirmed = client.post(f"/examine/{app.pk}/act", posted)
    assert unconfirmed.status_code == 422
    text = _text(unconfirmed)
    assert "this step cannot be undone." in text
    assert 'aria-invalid="true"' in text
    if case.reason:
        assert case.reason in text  # what was typed is kept
    app.refresh_from_db()
    assert app.status == case.stage  # nothing changed
    assert app.events.count() == events

    done = client.post(f"/examine/{app.pk}/act", {**posted, "confirm": "on"}, follow=True)
    assert done.status_code == 200
    app.refresh_from_db()
    assert app.status == case.after
    shown = [str(m) for m in done.context["messages"]]
    assert len(shown) == 1
    assert _fill(case.outcome, app) in shown[0]
    assert "Done." not in _text(done)


def test_a_missing_reason_is_said_by_its_field_and_changes_nothing(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(personas, Status.FORMAL_EXAMINATION)
    freeze(monkeypatch)
    client = sign_in(personas.examiner)
    refused = client.post(
        f"/examine/{app.pk}/act", {"action": "reject", "reason": " ", "confirm": "on"}
    )
    assert refused.status_code == 422
    reject = next(b for b in refused.context["buttons"] if b["action"] == "reject")
    assert reject["errors"] == {"reason": ["A reason is required."]}
    assert 'id="reason-reject-error"' in refused.content.decode()
    app.refresh_from_db()
    assert app.status == Status.FORMAL_EXAMINATION


def test_each_action_has_its_own_labelled_reason_and_refusals_look_dangerous(
    personas: Personas, sign_in: SignIn
) -> None:
    app = build(personas, Status.FORMAL_EXAMINATION)
    page = sign_in(personas.examiner).get(f"/examine/{app.pk}")
    text = _text(page)
    assert '<label for="reason-reject">Reason for: refuse registration' in text
    assert '<label for="reason-request_correction">Reason for: request correction' in text
    assert "Reason (required)" not in text
    styles = {b["action"]: b["style"] for b in page.context["buttons"]}
    assert styles == {
        "request_correction": "btn btn-primary",
        "pass_formal_examination": "btn btn-primary",
        "reject": "btn btn-danger",
    }
    assert '<button type="submit" class="btn btn-danger">Refuse registration</button>' in text
    assert "/static/web/decisions.css" in text


def test_the_case_page_in_chinese_names_the_consequence_and_the_result(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(personas, Status.UNDER_PUBLICITY)
    freeze(monkeypatch, AFTER_ANNOUNCEMENT)
    client = sign_in(personas.examiner, language="zh-hans")
    page = _text(client.get(f"/examine/{app.pk}"))
    assert f'我确认： <span class="consequence-text">这将登记 {app.number} 并颁发证书。' in page
    assert "此操作无法撤销。" in page
    unconfirmed = client.post(f"/examine/{app.pk}/act", {"action": "register"})
    assert unconfirmed.status_code == 422
    assert "请勾选确认后再予以登记：此操作无法撤销。" in _text(unconfirmed)
    done = client.post(f"/examine/{app.pk}/act", {"action": "register", "confirm": "on"})
    assert done.status_code == 302
    app.refresh_from_db()
    message = _text(client.get(f"/examine/{app.pk}"))
    assert (
        f"{app.number} 已登记。 {app.number} 已登记，登记号 {app.registration_number}，"
        f"证书编号 {app.certificate_number}，有效期至 {app.valid_until}" in message
    )  # fmt: skip


# ── objections ─────────────────────────────────────────────────────────────────────────────


def _decide(client: Client, objection: Objection, decision: str, **extra: str) -> HttpResponse:
    data = {"decision": decision, "reason": "理由充分", **extra}
    response = client.post(f"/examine/objections/{objection.pk}/decide", data)
    assert isinstance(response, HttpResponse)
    return response


def test_dismissing_an_objection_during_the_announcement_asks_first_and_says_what_follows(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    freeze(monkeypatch)
    client = sign_in(personas.examiner)
    page = _text(client.get(f"/examine/{app.pk}"))
    assert f"This dismisses objection {objection.reference} against {app.number}." in page
    assert (
        f"This upholds objection {objection.reference} and refuses to register {app.number}. "
        "The application will be “Rejected”." in page
    )
    assert f'<label for="objection-{objection.pk}-dismiss-reason">Reason for: dismiss' in page

    unconfirmed = _decide(client, objection, "dismiss")
    assert unconfirmed.status_code == 422
    assert "Tick the confirmation to dismiss the objection" in _text(unconfirmed)
    assert "理由充分" in _text(unconfirmed)
    assert Objection.objects.get(pk=objection.pk).status == "pending"

    done = _decide(client, objection, "dismiss", confirm="on")
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.UNDER_PUBLICITY
    message = _text(client.get(f"/examine/{app.pk}"))
    assert (
        f"Objection {objection.reference} was dismissed. {app.number} is now in announcement "
        f"until {app.announcement_ends}; objections may be filed until then."
        in message
    )  # fmt: skip


def test_upholding_an_objection_refuses_registration_once_confirmed(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    freeze(monkeypatch)
    client = sign_in(personas.examiner)
    assert _decide(client, objection, "uphold").status_code == 422
    app.refresh_from_db()
    assert app.status == Status.UNDER_PUBLICITY
    assert _decide(client, objection, "uphold", confirm="on").status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    message = _text(client.get(f"/examine/{app.pk}"))
    assert (
        f"Objection {objection.reference} was upheld. The application {app.number} is closed; "
        "the applicant is told the reasons." in message
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dismissing_the_last_objection_after_the_announcement_says_it_registers(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    app = build(personas, Status.UNDER_PUBLICITY)
    objection = _object(personas, app)
    publicity.close_publicity(app.pk, actor=SYSTEM, at=AFTER_ANNOUNCEMENT)
    freeze(monkeypatch, AFTER_ANNOUNCEMENT)
    client = sign_in(personas.examiner, language=language)
    page = _text(client.get(f"/examine/{app.pk}"))
    if language == "en":
        assert (
            f"This dismisses objection {objection.reference} against {app.number}. It is the "
            "last pending objection and the announcement is over, so at once: This registers "
            f"{app.number} and issues a certificate. The application will be “Registered”." in page
        )
    else:
        assert (
            f"这将驳回针对 {app.number} 的异议 {objection.reference}。 这是最后一件待决定的异议，"
            f"且公示期已结束，因此将立即：这将登记 {app.number} 并颁发证书。 申请将变为“已登记”。"
            in page
        )
    assert _decide(client, objection, "dismiss").status_code == 422
    app.refresh_from_db()
    assert app.status == Status.OBJECTION_REVIEW
    assert _decide(client, objection, "dismiss", confirm="on").status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REGISTERED
    message = _text(client.get(f"/examine/{app.pk}"))
    registered = (
        f"registered as {app.registration_number}"
        if language == "en"
        else f"登记号 {app.registration_number}"
    )
    assert registered in message


def test_the_workflow_names_what_follows_a_dismissal_at_once() -> None:
    review = Context(status=Status.OBJECTION_REVIEW, today=day(30).date(), pending_objections=1)
    assert follow_up(review, Action.DISMISS_OBJECTION) == Action.REGISTER
    two = Context(status=Status.OBJECTION_REVIEW, today=day(30).date(), pending_objections=2)
    assert follow_up(two, Action.DISMISS_OBJECTION) is None
    running = Context(status=Status.UNDER_PUBLICITY, today=day(8).date(), pending_objections=1)
    assert follow_up(running, Action.DISMISS_OBJECTION) is None
    assert follow_up(review, Action.UPHOLD_OBJECTION) is None


# ── the registrar's revocation, the holder's cancellation, the applicant's withdrawal ──────


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_revocation_is_confirmed_by_a_box_naming_its_consequence(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    registrar = sign_in(personas.registrar, language=language)
    url = f"/examine/{registered.pk}/revoke"
    consequence = (
        f"I confirm: This revokes registration {registered.registration_number}; the public "
        "record and verification will show it as revoked."
        if language == "en"
        else f"我确认：这将撤销登记 {registered.registration_number}；公开记录和验证页面将显示"
        "其已被撤销。"
    )
    form = registrar.get(url)
    assert consequence in _text(form)
    assert ("Reason for revoking" if language == "en" else "撤销理由") in _text(form)
    assert 'class="btn btn-danger"' in _text(form)
    posted = {"reason": "法院判决", "reference": "(2026)沪73民初1号"}
    document = SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf")
    unconfirmed = registrar.post(url, {**posted, "decision": document})
    assert unconfirmed.status_code == 422
    assert unconfirmed.context["form"].errors["confirm"]
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    document = SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf")
    done = registrar.post(url, {**posted, "decision": document, "confirm": "on"}, follow=True)
    registered.refresh_from_db()
    assert registered.status == Status.REVOKED
    said = (
        f"Registration {registered.registration_number} was revoked. The registration "
        f"{registered.registration_number} is revoked; the public record and verification "
        "show it."
        if language == "en"
        else f"登记 {registered.registration_number} 已撤销。 登记 "
        f"{registered.registration_number} 已撤销，公开记录和验证页面将显示此情况。"
    )
    assert [str(m) for m in done.context["messages"]] == [said]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_cancellation_shows_its_consequence_before_the_confirmed_post_acts(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    holder = sign_in(personas.applicant, language=language)
    url = f"/applications/{registered.pk}/rights/cancel"
    first = holder.post(url, {"reason": "不再运营"})
    assert first.status_code == 200
    number = registered.registration_number
    consequence = (
        f"This cancels registration {number}; it cannot be restored"
        if language == "en"
        else f"这将注销登记 {number}，注销后不能恢复"
    )
    assert consequence in _text(first)
    assert 'class="btn btn-danger"' in _text(first)
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    done = holder.post(url, {"reason": "不再运营", "confirmed": "True"}, follow=True)
    registered.refresh_from_db()
    assert registered.status == Status.CANCELLED
    said = (
        f"Registration {number} was cancelled. The registration {number} is cancelled; the "
        "public record shows it."
        if language == "en"
        else f"登记 {number} 已注销。 登记 {number} 已注销，公开记录将显示此情况。"
    )
    assert [str(m) for m in done.context["messages"]] == [said]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_withdrawing_an_application_needs_the_ticked_consequence(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.SUBMITTED)
    client = sign_in(personas.applicant, language=language)
    page = _text(client.get(f"/applications/{app.pk}"))
    consequence = (
        f"This withdraws application {app.number}; its examination ends"
        if language == "en"
        else f"这将撤回申请 {app.number}，审查随即终止"
    )
    assert consequence in page
    unconfirmed = client.post(f"/applications/{app.pk}/withdraw", {"reason": "不再需要"})
    assert unconfirmed.status_code == 422
    assert (
        "Tick the confirmation to withdraw: this step cannot be undone."
        if language == "en"
        else "请勾选确认后再撤回"
    ) in _text(unconfirmed)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    done = client.post(
        f"/applications/{app.pk}/withdraw", {"reason": "不再需要", "confirm": "on"}, follow=True
    )
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    said = (
        f"Application {app.number} was withdrawn. The application {app.number} is closed."
        if language == "en"
        else f"申请 {app.number} 已撤回。 申请 {app.number} 已终结。"
    )
    assert [str(m) for m in done.context["messages"]] == [said]
