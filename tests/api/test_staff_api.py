"""The staff API (a staff token of an examiner or a registrar): the queue of requests after
registration, corrections of particulars and certificate re-issues; every persona."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.accounts.models import User
from dataip.accounts.tokens import create_token, revoke_token
from dataip.api.api import api as api_of_the_site
from dataip.registry.models import (
    AnswerEvidence,
    Application,
    ChangeRequest,
    DecisionDocument,
    Event,
    Holder,
    Objection,
)
from dataip.registry.services import changes, identity, lifecycle, publicity
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Personas, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def staff_tokens(personas: Personas) -> dict[str, str]:
    old, revoked = create_token(personas.registrar.user, "old")
    revoke_token(personas.registrar.user, old.pk)
    return {
        "examiner": create_token(personas.examiner.user, "queue")[1],
        "registrar": create_token(personas.registrar.user, "desk")[1],
        "revoked_staff": revoked,
    }


def _number(app: Application) -> str:
    return app.registration_number or ""


CASES: dict[str, tuple[str, Any, Any, dict[str, int]]] = {
    # name: (method, path(app), body, status per persona)
    "queue": ("GET", lambda a: "staff/queue", None, {"examiner": 200, "registrar": 200}),
    "applications": (
        "GET",
        lambda a: "staff/applications?status=registered&sort=number",
        None,
        {"examiner": 200, "registrar": 200},
    ),
    "dashboard": ("GET", lambda a: "staff/dashboard", None, {"examiner": 200, "registrar": 200}),
    "correct": (
        "POST",
        lambda a: f"staff/registrations/{_number(a)}/corrections",
        {"name": "更正后的名称", "reason": "笔误"},
        {"examiner": 403, "registrar": 200},
    ),
    "reissue": (
        "POST",
        lambda a: f"staff/registrations/{_number(a)}/certificate-reissues",
        {"ground": "damaged", "reason": "PDF 损坏"},
        {"examiner": 403, "registrar": 200},
    ),
}
CASES |= {
    "objection_queue": (
        "GET",
        lambda a: "staff/objections",
        None,
        {"examiner": 200, "registrar": 200},
    ),
    "decide_objection": (
        "POST",
        lambda a: f"staff/objections/{_objection().pk}/decision",
        {"decision": "dismiss", "reason": "无据"},
        {"examiner": 200, "registrar": 409},  # decided once: the second decision is refused
    ),
    "staff_objection_file": (
        "GET",
        lambda a: f"staff/objections/{_objection().pk}/files/{_objection().evidence.get().pk}",
        None,
        {"examiner": 200, "registrar": 200},
    ),
    "staff_answer_file": (
        "GET",
        lambda a: (
            f"staff/objections/{_objection().pk}/answer-files/{AnswerEvidence.objects.get().pk}"
        ),
        None,
        {"examiner": 200, "registrar": 200},
    ),
}


CASES |= {
    "decide_change": (
        "POST",
        lambda a: f"staff/changes/{ChangeRequest.objects.get().pk}/decision",
        {"decision": "refuse", "reason": "与事实不符"},
        {"examiner": 200, "registrar": 409},  # decided once: the second decision is refused
    ),
    "revoke": (
        "POST",
        lambda a: f"staff/registrations/{_number(a)}/revocation",
        lambda: {
            "reason": "法院判决",
            "reference": "(2026)沪73民初1号",
            "decision": SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf"),
        },
        {"examiner": 403, "registrar": 200},
    ),
    "staff_decision_file": (
        "GET",
        lambda a: (
            f"staff/registrations/{_number(a)}/decision-files/{DecisionDocument.objects.get().pk}"
        ),
        None,
        {"examiner": 200, "registrar": 200},
    ),
    # Identity of organisations (主体认证): the registrar's queue and decisions
    "organisations_queue": (
        "GET",
        lambda a: "staff/organisations",
        None,
        {"examiner": 403, "registrar": 200},
    ),
    "organisations_case": (
        "GET",
        lambda a: f"staff/organisations/organisation/{_pending().pk}",
        None,
        {"examiner": 403, "registrar": 200},
    ),
    "organisations_document": (
        "GET",
        lambda a: (
            f"staff/organisations/organisation/{_pending().pk}/documents/"
            f"{_pending().identity_documents.get().pk}"
        ),
        None,
        {"examiner": 403, "registrar": 200},
    ),
    "organisations_approve": (
        "POST",
        lambda a: f"staff/organisations/organisation/{_pending().pk}/approve",
        None,
        {"examiner": 403, "registrar": 200},
    ),
    "organisations_refuse": (
        "POST",
        lambda a: f"staff/organisations/organisation/{_pending().pk}/refuse",
        {"reason": "执照不清晰"},
        {"examiner": 403, "registrar": 200},
    ),
}
CASES |= {
    "staff_statistics": (
        "GET",
        lambda a: "staff/statistics?from=2026-01-01&province=31",
        None,
        {"examiner": 200, "registrar": 200},
    ),
}
CASES |= {
    # examination acts on a registered application: possible for nobody any more
    "cases_act": (
        "POST",
        lambda a: f"staff/applications/{a.pk}/actions",
        {"action": "announce", "confirm": True},
        {"examiner": 409, "registrar": 409},
    ),
    "cases_panel": (
        "GET",
        lambda a: f"staff/applications/{a.pk}/panel",
        None,
        {"examiner": 200, "registrar": 200},
    ),
    "cases_assign": (
        "POST",
        lambda a: f"staff/applications/{a.pk}/panel",
        {"experts": [1]},
        {"examiner": 403, "registrar": 422},
    ),
}
MULTIPART = {"revoke"}


def _pending() -> Holder:
    """The organisation that signed up and waits for verification (or was just decided)."""
    return Holder.objects.exclude(identity_documents=None).get()


def pending_organisation() -> None:
    """A new organisation signed up with its business licence, pending verification."""
    user = User(username="newco", email="newco@example.cn")
    user.set_password("a long enough passphrase 2026")
    identity.sign_up(
        user,
        kind="legal_person",
        org_type="holder",
        name="待认证的新公司",
        identifier=valid_uscc(140),
        province_code="31",
        documents={"business_licence": ("licence.pdf", io.BytesIO(PDF))},
    )


def _objection() -> Objection:
    return Objection.objects.get()


def revoked(personas: Personas, registered: Application) -> None:
    """The registration revoked by the registrar, with the decision's document."""
    lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)沪73民初1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
    )


def objected(personas: Personas) -> Application:
    """An announced application with an objection (and its evidence) and the holder's answer."""
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    objection = publicity.file_objection(
        app.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="other",
        statement="异议",
        evidence=[("proof.pdf", io.BytesIO(PDF))],
        at=day(8),
    )
    publicity.answer_objection(
        objection.pk,
        actor=personas.applicant.actor,
        user=personas.applicant.user,
        statement="答辩",
        evidence=[("answer.pdf", io.BytesIO(PDF))],
        at=day(9),
    )
    return app


PERSONAS = ("anonymous", "revoked", "revoked_staff", "own", "other", "bank", "examiner")


@pytest.mark.parametrize("name", list(CASES))
def test_staff_routes_as_every_persona(
    name: str,
    api: Api,
    tokens: Tokens,
    staff_tokens: dict[str, str],
    registered: Application,
    personas: Personas,
) -> None:
    method, path, body, allowed = CASES[name]
    if "objection" in name or "answer" in name:
        objected(personas)
    if name == "decide_change":
        changes.request_change(
            registered.pk, actor=personas.applicant.actor, values={"name": "新名称"}
        )
    if name == "staff_decision_file":
        revoked(personas, registered)
    if name.startswith("organisations_"):
        pending_organisation()
    expected = {"anonymous": 401, "revoked": 401, "revoked_staff": 401} | dict.fromkeys(
        ("own", "other", "bank"), 403
    )
    expected |= allowed
    for persona in (*PERSONAS, "registrar"):
        secret = staff_tokens.get(persona) or tokens.of(persona.replace("_staff", ""))
        if persona == "revoked_staff":
            secret = staff_tokens["revoked_staff"]
        sent = body() if callable(body) else body
        kwargs: dict[str, Any] = {"content_type": None} if name in MULTIPART else {}
        response = api.as_(secret).call(method, path(registered), sent, **kwargs)
        assert response.status_code == expected[persona], (persona, response.content)
        if expected[persona] >= 400:
            assert_problem(response, expected[persona])
    corrected = Event.objects.filter(action__in=["correct_particulars", "reissue_certificate"])
    acts = name in {"correct", "reissue"}
    assert corrected.count() == (1 if acts else 0), "only the registrar's act counts"
    decided = Event.objects.filter(action="dismiss_objection").count()
    assert decided == (1 if name == "decide_objection" else 0), "decided once, by the examiner"


def test_every_staff_route_is_covered() -> None:
    schema = api_of_the_site.get_openapi_schema(path_prefix="")
    routes = {
        operation["operationId"].rsplit("_routers_staff_", 1)[1]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "_routers_staff_" in operation["operationId"]
    }
    assert routes == set(CASES)


def test_a_staff_token_opens_no_organisations_route(
    api: Api, staff_tokens: dict[str, str], registered: Application
) -> None:
    staff = api.as_(staff_tokens["registrar"])
    assert_problem(staff.get("applications"), 401)
    assert_problem(staff.get(f"registrations/{_number(registered)}/licences"), 401)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_queue_names_kinds_and_deadlines(
    api: Api,
    staff_tokens: dict[str, str],
    personas: Personas,
    registered: Application,
    language: str,
) -> None:
    change = changes.request_change(
        registered.pk, actor=personas.applicant.actor, values={"name": "新名称"}
    )
    examiner = api.as_(staff_tokens["examiner"])
    examiner.language = language
    body = examiner.get("staff/queue").json()
    assert body["counts"]["change"] == 1
    [item] = [i for i in body["items"] if i["kind"] == "change"]
    assert item["recordId"] == change.pk
    assert item["registrationNumber"] == registered.registration_number
    assert item["due"] > item["since"]
    assert item["overdue"] is False
    assert item["waitsFor"] == "examiner"
    assert item["kindLabel"] == (
        "Change request to examine" if language == "en" else "待审查的变更申请"
    )
    only = examiner.get("staff/queue?kind=pledge").json()
    assert [i["kind"] for i in only["items"]] == []
    assert_problem(examiner.get("staff/queue?kind=nonsense"), 422)


def test_corrections_name_each_refused_field_as_sent(
    api: Api, staff_tokens: dict[str, str], registered: Application
) -> None:
    registrar = api.as_(staff_tokens["registrar"])
    path = f"staff/registrations/{_number(registered)}/corrections"
    refused = registrar.post(path, {"holderName": " ", "reason": "笔误"})
    assert field_names(assert_problem(refused, 422)) == ["holderName"]
    unknown = registrar.post(path, {"registrationNumber": "X", "reason": "笔误"})
    assert_problem(unknown, 422)
    assert_problem(registrar.post("staff/registrations/NOSUCH/corrections", {"reason": "x"}), 404)
    done = registrar.post(path, {"holderAddress": "上海市浦东新区 1 号", "reason": "地址笔误"})
    assert done.status_code == 200, done.content
    assert done.json()["certificateVersion"] == registered.certificate_version + 1
    registered.filed_by.refresh_from_db()
    assert registered.filed_by.address == "上海市浦东新区 1 号"


@pytest.mark.parametrize(
    ("language", "reason"),
    [("en", "Attach the decision's document."), ("zh", "请附上决定文书。")],
)
def test_a_revocation_without_its_document_is_refused_and_changes_nothing(
    api: Api, staff_tokens: dict[str, str], registered: Application, language: str, reason: str
) -> None:
    registrar = Api(api.client, staff_tokens["registrar"], language)
    path = f"staff/registrations/{_number(registered)}/revocation"
    refused = registrar.post(
        path, data={"reason": "法院判决", "reference": "(2026)1号"}, content_type=None
    )
    body = assert_problem(refused, 422)
    assert reason in str(body)
    assert "decision" in field_names(body)
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    assert not DecisionDocument.objects.exists()
    done = registrar.post(
        path,
        data={
            "reason": "法院判决",
            "reference": "(2026)1号",
            "decision": SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf"),
        },
        content_type=None,
    )
    assert done.status_code == 200, done.content
    answer = done.json()
    assert answer["status"] == "revoked"
    assert answer["decisionReference"] == "(2026)1号"
    (document,) = answer["decisionFiles"]
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    fetched = registrar.get(document["url"].split("/api/v1/", 1)[1])
    assert fetched.status_code == 200
    assert fetched.content == PDF


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_staff_queue_of_applications_is_filtered_and_flagged(
    api: Api,
    staff_tokens: dict[str, str],
    personas: Personas,
    registered: Application,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from dataip.registry import clock

    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    examiner = api.as_(staff_tokens["examiner"])
    examiner.language = language
    body = examiner.get("staff/applications?status=registered").json()
    assert [i["registrationNumber"] for i in body["items"]] == [_number(registered)]
    assert body["total"] == 1
    assert body["items"][0]["deadline"]["state"] == ""
    assert announced.announcement_ends is not None
    later = day((announced.announcement_ends - day(0).date()).days + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    flagged = examiner.get("staff/applications?status=under_publicity&overdue=true").json()
    [item] = flagged["items"]
    assert item["applicationNumber"] == announced.number
    assert item["deadline"]["due"] == announced.announcement_ends.isoformat()
    assert item["deadline"]["overdue"] is True
    assert item["deadline"]["kindLabel"] == (
        "announcement ends" if language == "en" else "公示截止日期"
    )
    before = (announced.announcement_ends - timedelta(days=1)).isoformat()
    none = examiner.get(f"staff/applications?status=under_publicity&deadlineBefore={before}")
    assert none.json()["items"] == []
    found = examiner.get("staff/applications?status=registered&q=已登记不存在").json()
    assert found["items"] == []
    refused = assert_problem(examiner.get("staff/applications?status=nonsense"), 422)
    assert field_names(refused) == ["status"]
    assert_problem(examiner.get("staff/applications?sort=sideways"), 422)
    dashboard = examiner.get("staff/dashboard").json()
    assert [c["applicationNumber"] for c in dashboard["overdue"]] == [announced.number]
    sizes = {q["status"]: q["size"] for q in dashboard["queues"]}
    assert sizes["under_publicity"] == 1
    assert dashboard["monthStart"] == later.date().replace(day=1).isoformat()
