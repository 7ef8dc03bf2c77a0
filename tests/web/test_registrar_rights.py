"""Examiners and the registrar on registered rights: the change queue, deciding a change
request, revoking a registration; each with a confirmation and in the user's language."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dataip.registry.models import Application, ChangeRequest, DecisionDocument
from dataip.registry.services import changes
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage
from tests.support.personas import Personas, make_holder, make_person
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def change(personas: Personas, registered: Application) -> ChangeRequest:
    return changes.request_change(
        registered.pk, actor=personas.applicant.actor, values={"name": "新名称数据集"}
    )


def test_the_change_queue_lists_pending_requests_for_examiners_only(
    personas: Personas, change: ChangeRequest
) -> None:
    page = client_for(personas.examiner.user).get("/examine/changes")
    assert page.status_code == 200
    assert f"/examine/changes/{change.pk}" in page.content.decode()
    bank = make_person("bank", make_holder(60, "Bank"))
    for who in (personas.applicant, personas.other_applicant, bank, personas.experts[0]):
        assert client_for(who.user).get("/examine/changes").status_code == 404
        assert client_for(who.user).get(f"/examine/changes/{change.pk}").status_code == 404
    assert client_for(None).get("/examine/changes").status_code == 302
    unverified = client_for(personas.examiner.user, verified=False)
    assert unverified.get("/examine/changes")["Location"].startswith("/account/two-factor")


def test_an_examiner_approves_a_change_after_confirming(
    personas: Personas, change: ChangeRequest, registered: Application
) -> None:
    client = client_for(personas.examiner.user)
    page = client.get(f"/examine/changes/{change.pk}").content.decode()
    assert "城市交通出行数据集" in page
    assert "新名称数据集" in page
    unticked = client.post(f"/examine/changes/{change.pk}", {"decision": "approve"})
    assert unticked.status_code == 422
    change.refresh_from_db()
    assert change.status == "pending"
    done = client.post(f"/examine/changes/{change.pk}", {"decision": "approve", "confirm": "on"})
    assert done.status_code == 302
    change.refresh_from_db()
    registered.refresh_from_db()
    assert change.status == "approved"
    assert registered.product.name == "新名称数据集"
    assert f"/examine/changes/{change.pk}" not in client.get("/examine/changes").content.decode()


def test_a_refusal_needs_a_reason_named_in_chinese_and_keeps_what_was_typed(
    personas: Personas, change: ChangeRequest, registered: Application
) -> None:
    client = client_for(personas.examiner.user, language="zh-hans")
    response = client.post(
        f"/examine/changes/{change.pk}", {"decision": "refuse", "confirm": "on", "reason": " "}
    )
    assert response.status_code == 422
    assert "必须填写理由。" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(
        f"/examine/changes/{change.pk}",
        {"decision": "refuse", "confirm": "on", "reason": "与事实不符"},
    )
    change.refresh_from_db()
    assert (change.status, change.reason) == ("refused", "与事实不符")
    registered.refresh_from_db()
    assert registered.product.name == "城市交通出行数据集"


def test_the_registrar_revokes_with_the_decisions_reference_after_confirming(
    personas: Personas, registered: Application
) -> None:
    url = f"/examine/{registered.pk}/revoke"
    assert (
        url in client_for(personas.registrar.user).get(f"/examine/{registered.pk}").content.decode()
    )
    assert (
        url
        not in client_for(personas.examiner.user).get(f"/examine/{registered.pk}").content.decode()
    )
    for who in (personas.examiner, personas.applicant, personas.other_applicant):
        assert client_for(who.user).post(url, {"confirm": "on"}).status_code == 404
    registrar = client_for(personas.registrar.user, language="zh-hans")
    missing = registrar.post(url, {"reason": "法院判决", "confirm": "on"})
    assert missing.status_code == 422
    text = missing.content.decode()
    assert "法院判决" in text, "what was typed is kept"
    assert "此字段为必填项。" in text, "the decision's reference is required"
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    no_file = registrar.post(
        url, {"reason": "法院判决", "reference": "(2026)沪73民初1号", "confirm": "on"}
    )
    assert no_file.status_code == 422
    assert "(2026)沪73民初1号" in no_file.content.decode(), "what was typed is kept"
    not_a_document = registrar.post(
        url,
        {
            "reason": "法院判决",
            "reference": "(2026)沪73民初1号",
            "confirm": "on",
            "decision": SimpleUploadedFile("decision.exe", b"MZ\x90\x00binary"),
        },
    )
    assert not_a_document.status_code == 422
    assert "决定文书须为不超过 20 MiB 的 PDF 文件或图片。" in not_a_document.content.decode()
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    assert not DecisionDocument.objects.exists(), "a refused revocation stores nothing"
    done = registrar.post(
        url,
        {
            "reason": "法院判决",
            "reference": "(2026)沪73民初1号",
            "confirm": "on",
            "decision": SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert done.status_code == 302
    registered.refresh_from_db()
    assert registered.status == Status.REVOKED
    assert registered.decision_reference == "(2026)沪73民初1号"
    document = DecisionDocument.objects.get()
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    event = registered.events.get(action="revoke")
    assert event.payload["decision"] == [document.sha256], "the event commits to the document"
    case = registrar.get(f"/examine/{registered.pk}").content.decode()
    file_url = f"/applications/{registered.pk}/decision-files/{document.pk}"
    assert "已被登记机构撤销" in case
    assert file_url in case
    holder = client_for(personas.applicant.user, language="en")
    page = holder.get(f"/applications/{registered.pk}").content.decode()
    assert "Revoked by the registry" in page
    assert file_url in page
    for reader in (holder, registrar):
        download = reader.get(file_url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client_for(personas.other_applicant.user).get(file_url).status_code == 404
    assert Client().get(file_url).status_code == 302, "anonymous: sign in first"
    assert registrar.get(url).status_code == 404, "only a registration in force is revoked"
