"""Objections filed by the public during the announcement."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.registry import clock
from dataip.registry.models import Application, Objection, ObjectionAnswer
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn, read_download


@pytest.fixture
def announced(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> str:
    freeze(monkeypatch)
    return str(build(personas, Status.UNDER_PUBLICITY).number)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_files_an_objection_with_evidence(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    client = sign_in(personas.objector, language=language)
    assert client.get(f"/registry/{announced}").context["can_object"]
    assert client.get(f"/announcements/{announced}/objection").status_code == 200
    evidence = [
        SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf"),
        SimpleUploadedFile("b.txt", "证据".encode(), "text/plain"),
    ]
    response = client.post(
        f"/announcements/{announced}/objection",
        {"ground": "ownership_dispute", "statement": "数据属于我方", "evidence": evidence},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.objector == personas.objector.user
    assert objection.evidence.count() == 2


def test_it_refuses_bad_evidence_next_to_the_field(
    personas: Personas, sign_in: SignIn, announced: str
) -> None:
    response = sign_in(personas.objector).post(
        f"/announcements/{announced}/objection",
        {
            "ground": "other",
            "statement": "理由",
            "evidence": [SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")],
        },
    )
    assert response.status_code == 422
    assert 'id="id_evidence_error"' in response.content.decode()
    assert not Objection.objects.exists()


def test_applicant_cannot_object_to_its_own_application(
    personas: Personas, sign_in: SignIn, announced: str
) -> None:
    client = sign_in(personas.applicant)
    assert not client.get(f"/registry/{announced}").context["can_object"]
    response = client.post(
        f"/announcements/{announced}/objection", {"ground": "other", "statement": "自己反对自己"}
    )
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_anonymous_cannot_object_without_signing_in(sign_in: SignIn, announced: str) -> None:
    response = sign_in(None).get(f"/announcements/{announced}/objection")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login")


# ── both sides: the objector's reference and decision, the holder's answer ─────────────────


def _file(client: Client, number: str, **extra: Any) -> Any:
    data = {"ground": "ownership_dispute", "statement": "数据属于我方", **extra}
    return client.post(f"/announcements/{number}/objection", data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_objector_gets_a_reference_and_reads_the_decision(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    objector = sign_in(personas.objector, language=language)
    response = _file(objector, announced)
    objection = Objection.objects.get()
    assert objection.reference
    assert response["Location"] == f"/objections/{objection.reference}"
    page = objector.get("/objections/").content.decode()
    assert objection.reference in page
    assert ("My objections" if language == "en" else "我的异议") in page
    publicity.uphold_objection(objection.pk, actor=personas.examiner.actor, reason="权属证据充分")
    detail = objector.get(f"/objections/{objection.reference}").content.decode()
    assert "权属证据充分" in detail
    assert ("Upheld" if language == "en" else "异议成立") in detail
    # Another person never sees it.
    assert (
        sign_in(personas.other_applicant).get(f"/objections/{objection.reference}").status_code
        == 404
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_holder_sees_the_objection_and_answers_it_with_files(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    _file(
        sign_in(personas.objector),
        announced,
        evidence=[SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", "application/pdf")],
    )
    objection = Objection.objects.get()
    app = objection.application
    holder = sign_in(personas.applicant, language=language)
    overview = holder.get(f"/applications/{app.pk}").content.decode()
    assert f">{objection.reference}<" in overview
    assert ("to answer" if language == "en" else "待答辩") in overview
    url = f"/applications/{app.pk}/objections/{objection.pk}"
    page = holder.get(url)
    text = page.content.decode()
    assert "数据属于我方" in text
    assert "proof.pdf" in text
    assert personas.objector.user.username not in text  # never who objected
    evidence = objection.evidence.get()
    assert read_download(holder.get(f"/objections/{objection.pk}/files/{evidence.pk}")) == (
        b"%PDF-1.4 proof"
    )
    assert sign_in(personas.other_applicant).get(url).status_code == 404
    answered = holder.post(
        url,
        {
            "statement": "我方有合法授权",
            "confirm": "on",
            "evidence": [SimpleUploadedFile("licence.pdf", b"%PDF-1.4 ok", "application/pdf")],
        },
    )
    assert answered.status_code == 302
    answer = ObjectionAnswer.objects.get()
    assert answer.statement == "我方有合法授权"
    assert answer.evidence.get().original_name == "licence.pdf"
    again = holder.post(url, {"statement": "再次", "confirm": "on"})
    assert again.status_code == 409
    assert ObjectionAnswer.objects.count() == 1
    # The examiner reads the answer on the case, beside the objection.
    case = sign_in(personas.examiner).get(f"/examine/{app.pk}").content.decode()
    assert "我方有合法授权" in case
    assert "licence.pdf" in case


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_refused_form_keeps_the_text_and_asks_for_the_files_again(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    objector = sign_in(personas.objector, language=language)
    refused = objector.post(
        f"/announcements/{announced}/objection",
        {
            "ground": "other",
            "statement": "",
            "evidence": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf")],
        },
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'value="other" selected' in text or 'value="other" checked' in text
    again = "Choose the evidence files again" if language == "en" else "请重新选择证据文件"
    assert again in text
    refused = objector.post(
        f"/announcements/{announced}/objection", {"ground": "made_up", "statement": "我的理由"}
    )
    assert "我的理由" in refused.content.decode()
    assert not Objection.objects.exists()
    # The holder's answer form likewise.
    _file(objector, announced)
    objection = Objection.objects.get()
    holder = sign_in(personas.applicant, language=language)
    url = f"/applications/{objection.application_id}/objections/{objection.pk}"
    refused = holder.post(
        url,
        {
            "statement": "写好的答辩",
            "evidence": [SimpleUploadedFile("b.pdf", b"%PDF-1.4 b", "application/pdf")],
        },
    )  # not confirmed
    assert refused.status_code == 422
    assert "写好的答辩" in refused.content.decode()
    assert again in refused.content.decode()
    assert not ObjectionAnswer.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_is_offered_only_while_the_announcement_runs(
    personas: Personas,
    sign_in: SignIn,
    announced: str,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Application.objects.get(number=announced)
    assert app.announcement_ends is not None
    after = datetime.combine(app.announcement_ends + timedelta(days=1), time(12), UTC)
    freeze(monkeypatch, after)
    objector = sign_in(personas.objector, language=language)
    assert not objector.get(f"/registry/{announced}").context["can_object"]
    closed = objector.get(f"/announcements/{announced}/objection")
    assert closed.status_code == 409
    assert "<form" not in closed.content.decode().split("<main", 1)[-1]
    assert ("ended on" if language == "en" else "公示已于") in closed.content.decode()
    assert _file(objector, announced).status_code == 409
    assert not Objection.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_examiners_queue_flags_overdue_and_due_soon_objections(
    personas: Personas, sign_in: SignIn, announced: str, language: str
) -> None:
    # Three objections: two by the objector (the most one person may file), one by Beta.
    for who in (personas.objector, personas.objector, personas.other_applicant):
        assert _file(sign_in(who), announced).status_code == 302
    first, second, _third = Objection.objects.order_by("id")
    today = clock.local_date(clock.now())
    Objection.objects.filter(pk=first.pk).update(decision_due=today - timedelta(days=1))
    Objection.objects.filter(pk=second.pk).update(decision_due=today + timedelta(days=2))
    examiner = sign_in(personas.examiner, language=language)
    page = examiner.get("/examine/objections")
    rows = [r["deadline"] for r in page.context["page"].object_list]
    assert rows == ["overdue", "due_soon", "on_time"]
    text = page.content.decode()
    assert ("1 overdue." if language == "en" else "1 项已逾期。") in text
    assert ("1 due soon." if language == "en" else "1 项即将到期。") in text
    queue = examiner.get("/examine/").content.decode()
    assert "/examine/objections" in queue
    assert ("3 objections wait for a decision" if language == "en" else "3 件异议待决定") in queue
