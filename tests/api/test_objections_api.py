"""Objections through the API, both sides: the objector files (and gets a reference), the
holder answers with files, the examiner decides within the regime's limit, the objector reads
the decision and its reasons; in both languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.accounts.tokens import create_token
from dataip.registry.identifiers import parse_objection_reference
from dataip.registry.models import Application, Objection, ObjectionAnswer
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names, today
from tests.support.builders import PDF, at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(personas: Personas) -> Application:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    Application.objects.filter(pk=app.pk).update(
        announcement_starts=today(), announcement_ends=today() + timedelta(days=14)
    )
    app.refresh_from_db()
    return app


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def _file(api: Api, app: Application, **data: Any) -> Any:
    path = f"announcements/{app.number}/objections"
    return api.post(path, data={"ground": "ownership_dispute", **data}, content_type=None)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_both_sides_through_the_api(
    api: Api, tokens: Tokens, personas: Personas, announced: Application, language: str
) -> None:
    objector = api.as_(tokens.other)
    objector.language = language
    filed = _file(objector, announced, statement="数据属于乙方", evidence=[_pdf("proof.pdf")])
    assert filed.status_code == 201, filed.content
    body = filed.json()
    reference = body["reference"]
    assert parse_objection_reference(reference).serial == 1
    assert body["decisionDue"] == (today() + timedelta(days=60)).isoformat()
    assert (body["status"], body["deadline"], body["answeredAt"]) == ("pending", "on_time", None)
    assert body["groundLabel"] == (
        "The ownership is disputed" if language == "en" else "权属存在争议"
    )
    assert [f["name"] for f in body["files"]] == ["proof.pdf"]
    assert objector.get("objections").json()["items"][0]["reference"] == reference

    # The holder sees the ground, statement and evidence (never who objected) and answers.
    holder = api.as_(tokens.own)
    holder.language = language
    [seen] = holder.get(f"applications/{announced.pk}/objections").json()["items"]
    assert (seen["reference"], seen["statement"], seen["answer"]) == (
        reference,
        "数据属于乙方",
        None,
    )
    assert "other_applicant" not in str(seen)
    assert personas.other_applicant.holder.name not in str(seen)
    download = holder.get(seen["files"][0]["url"])
    assert download.content == PDF
    assert download["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    path = f"applications/{announced.pk}/objections/{seen['id']}/answer"
    answered = holder.post(
        path,
        data={"statement": "我方有合法授权", "evidence": [_pdf("licence.pdf")]},
        content_type=None,
    )
    assert answered.status_code == 201, answered.content
    answer = answered.json()["answer"]
    assert answer["statement"] == "我方有合法授权"
    assert [f["name"] for f in answer["files"]] == ["licence.pdf"]
    assert_problem(holder.post(path, data={"statement": "again"}, content_type=None), 409)

    # The examiner decides; the objector reads the decision and its reasons.
    examiner = api.as_(create_token(personas.examiner.user, "desk")[1])
    queue = examiner.get("staff/objections").json()
    assert queue["counts"] == {"waiting": 1, "overdue": 0, "dueSoon": 0}
    assert queue["items"][0]["answer"]["statement"] == "我方有合法授权"
    decided = examiner.post(
        f"staff/objections/{seen['id']}/decision", {"decision": "dismiss", "reason": "证据不足"}
    )
    assert decided.status_code == 200, decided.content
    mine = objector.get(f"objections/{reference}").json()
    assert (mine["status"], mine["deadline"], mine["decisionReason"]) == (
        "dismissed",
        "decided",
        "证据不足",
    )
    assert mine["statusLabel"] == ("Dismissed" if language == "en" else "异议不成立")
    assert mine["answeredAt"] is not None


def test_the_holder_cannot_object_and_nothing_is_kept_of_a_refused_objection(
    api: Api, tokens: Tokens, announced: Application
) -> None:
    assert_problem(_file(api.as_(tokens.own), announced, statement="自己"), 403)
    refused = _file(
        api.as_(tokens.other),
        announced,
        statement="",
        evidence=[SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")],
    )
    assert set(field_names(assert_problem(refused, 422))) == {"statement", "evidence.0"}
    assert not Objection.objects.exists()


def test_no_objection_after_the_announcement(
    api: Api, tokens: Tokens, announced: Application
) -> None:
    Application.objects.filter(pk=announced.pk).update(
        announcement_ends=today() - timedelta(days=1)
    )
    assert_problem(_file(api.as_(tokens.other), announced, statement="太迟"), 409)
    assert not Objection.objects.exists()


def test_overdue_and_due_soon_objections_are_flagged(
    api: Api, tokens: Tokens, personas: Personas, announced: Application
) -> None:
    # Two objections by Beta (the most one person may file), one by the bank.
    for token in (tokens.other, tokens.other, tokens.bank):
        assert _file(api.as_(token), announced, statement="异议").status_code == 201
    first, second, _third = Objection.objects.order_by("id")
    Objection.objects.filter(pk=first.pk).update(decision_due=today() - timedelta(days=1))
    Objection.objects.filter(pk=second.pk).update(decision_due=today() + timedelta(days=3))
    examiner = api.as_(create_token(personas.examiner.user, "desk")[1])
    body = examiner.get("staff/objections").json()
    assert body["counts"] == {"waiting": 3, "overdue": 1, "dueSoon": 1}
    assert [i["deadline"] for i in body["items"]] == ["overdue", "due_soon", "on_time"]
    assert not ObjectionAnswer.objects.exists()
