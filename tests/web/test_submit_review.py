"""Submit with confidence: the review step (as the examiner and as the public will see it), the
missing items linked to their steps, required marks, ticked steps, the declaration of
truthfulness and the applicant's PDF copy of the submitted application."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape
from pyhanko.pdf_utils.reader import PdfFileReader

from dataip.registry.declaration import DECLARATION
from dataip.registry.models import Application, Event
from dataip.registry.workflow import Status
from tests.certificates._support import pdftotext
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import SignIn

EN = "en"
ZH = "zh-hans"
WORDS = {
    EN: {
        "public": "public",
        "confidential": "confidential",
        "required": "(required)",
        "completed": "(completed)",
        "declaration": "Accept the declaration of truthfulness",
        "examiner": "As the examiner will see it",
        "public view": "As the public will see it",
        "copy": "Download the submitted application",
    },
    ZH: {
        "public": "公开",
        "confidential": "保密",
        "required": "（必填）",
        "completed": "（已完成）",
        "declaration": "请接受真实性声明",
        "examiner": "审查员看到的内容",
        "public view": "公众看到的内容",
        "copy": "下载已提交的申请书",
    },
}


def _row(html: str, label: str) -> str:
    """The review table's row whose header starts with ``label``."""
    found = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(label)}.*?</tr>", html, re.S)
    assert found, label
    return found.group(0)


def _section(html: str, css_class: str) -> str:
    found = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    assert found, css_class
    return found.group(0)


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_review_shows_each_field_as_examiner_and_public_will_see_it(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.DRAFT)
    page = sign_in(personas.applicant, language=language).get(
        f"/applications/{app.pk}/steps/review"
    )
    assert page.status_code == 200
    html = page.content.decode()
    words = WORDS[language]
    examiner = _section(html, "review-examiner")
    public = _section(html, "review-public")
    assert words["examiner"] in examiner
    assert words["public view"] in public
    lawful = _row(examiner, "How the data was lawfully obtained" if language == EN else "数据合法")
    name = _row(examiner, "Product name" if language == EN else "产品名称")
    assert "用户协议授权" in lawful
    assert f'confidential">{words["confidential"]}<' in lawful
    assert "城市交通出行数据集" in name
    assert f'public">{words["public"]}<' in name
    # each row links to the field where it is changed
    assert f'/applications/{app.pk}/steps/source#id_lawful_basis"' in lawful
    assert f'/applications/{app.pk}/steps/details#id_detail_format"' in examiner
    # the public sees the public fields and the holders, never a confidential one
    assert "城市交通出行数据集" in public
    assert personas.applicant.holder.name in public
    assert "用户协议授权" not in public
    assert "保密的算法细节" not in public
    # materials (with their hashes) and the declaration to accept
    material = app.materials.first()
    assert material is not None
    assert material.sha256 in examiner
    assert escape(DECLARATION.text(language == EN)) in html
    assert f'name="declaration" value="{DECLARATION.version}"' in html
    assert 'required aria-required="true"' in html


@pytest.mark.parametrize("language", [EN, ZH])
def test_each_missing_item_links_to_its_step_and_field(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.DRAFT, complete=False, name="缺项的数据集")
    page = sign_in(personas.applicant, language=language).get(
        f"/applications/{app.pk}/steps/review"
    )
    missing = {m["name"]: m for m in page.context["missing"]}
    assert missing["lawful_basis"]["url"] == f"/applications/{app.pk}/steps/source#id_lawful_basis"
    assert missing["summary"]["url"] == f"/applications/{app.pk}/steps/basics#id_summary"
    assert missing["details.format"]["url"].endswith("/steps/details#id_detail_format")
    assert any(n.startswith("materials.") for n in missing)
    assert all(
        m["url"].endswith("/steps/materials#id_kind")
        for n, m in missing.items()
        if n.startswith("materials.")
    )
    html = page.content.decode()
    label = "Summary" if language == EN else "概要"
    assert f'<a href="/applications/{app.pk}/steps/basics#id_summary">{label}</a>' in html
    assert 'name="declaration"' not in html  # nothing to submit yet
    # the anchors exist on the steps they point to
    basics = sign_in(personas.applicant, language=language).get(missing["summary"]["url"])
    assert 'id="id_summary"' in basics.content.decode()


@pytest.mark.parametrize("language", [EN, ZH])
def test_required_fields_are_marked_in_every_step(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.DRAFT, complete=False)
    client = sign_in(personas.applicant, language=language)
    words = WORDS[language]
    basics = client.get(f"/applications/{app.pk}/steps/basics").content.decode()
    name_input = re.search(r'<input[^>]*id="id_name"[^>]*>', basics)
    english_name = re.search(r'<input[^>]*id="id_name_en"[^>]*>', basics)
    assert name_input
    assert english_name
    assert 'aria-required="true"' in name_input.group(0)
    assert " required" in name_input.group(0)
    assert "required" not in english_name.group(0)
    label = re.search(r'<label[^>]*for="id_name"[^>]*>.*?</label>', basics, re.S)
    assert label
    assert words["required"] in label.group(0)
    assert 'class="required-mark"' in label.group(0)
    source = client.get(f"/applications/{app.pk}/steps/source").content.decode()
    lawful = re.search(r'<textarea[^>]*id="id_lawful_basis"[^>]*>', source)
    assert lawful
    assert 'aria-required="true"' in lawful.group(0)
    details = client.get(f"/applications/{app.pk}/steps/details").content.decode()
    detail = re.search(r'<input[^>]*id="id_detail_format"[^>]*>', details)
    assert detail
    assert 'aria-required="true"' in detail.group(0)
    holders = client.get(f"/applications/{app.pk}/steps/holders").content.decode()
    first_holder = re.search(r'<input[^>]*id="id_identifier_1"[^>]*>', holders)
    assert first_holder
    assert 'aria-required="true"' in first_holder.group(0)
    # saving a draft without the required fields still works (they are required to submit)
    app.refresh_from_db()
    saved = client.post(
        f"/applications/{app.pk}/steps/basics",
        {"revision": app.revision, "kind": "data_collection", "name": "草稿"},
    )
    assert saved.status_code == 302


@pytest.mark.parametrize("language", [EN, ZH])
def test_completed_steps_are_ticked(personas: Personas, sign_in: SignIn, language: str) -> None:
    client = sign_in(personas.applicant, language=language)
    partial = build(personas, Status.DRAFT, complete=False, name="部分", summary="摘要")
    html = client.get(f"/applications/{partial.pk}/steps/review").content.decode()
    ticked = re.findall(r'<li class="done">.*?</li>', html, re.S)
    assert not any("/steps/source" in li for li in ticked)  # the lawful basis is missing
    complete = build(personas, Status.DRAFT, name="完整")
    html = client.get(f"/applications/{complete.pk}/steps/basics").content.decode()
    ticked = re.findall(r'<li class="done">.*?</li>', html, re.S)
    assert len(ticked) == 6  # every step but "check and submit"
    assert all("✓" in li and WORDS[language]["completed"] in li for li in ticked)


@pytest.mark.parametrize("language", [EN, ZH])
def test_submitting_without_the_declaration_is_refused_and_changes_nothing(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = build(personas, Status.DRAFT)
    client = sign_in(personas.applicant, language=language)
    events, revision = Event.objects.count(), app.revision
    refused = client.post(f"/applications/{app.pk}/submit", {"revision": app.revision})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert WORDS[language]["declaration"] in html
    assert 'id="declaration-error"' in html
    assert 'aria-invalid="true"' in html
    wrong = client.post(
        f"/applications/{app.pk}/submit", {"revision": app.revision, "declaration": "0"}
    )
    assert wrong.status_code == 422
    app.refresh_from_db()
    assert (app.status, app.number, app.revision) == (Status.DRAFT, None, revision)
    assert Event.objects.count() == events


def _submit(client: Client, app: Application) -> Application:
    app.refresh_from_db()
    response = client.post(
        f"/applications/{app.pk}/submit",
        {"revision": app.revision, "declaration": DECLARATION.version},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    return app


@pytest.mark.parametrize("language", [EN, ZH])
def test_with_the_declaration_it_submits_and_records_the_acceptance(
    personas: Personas, sign_in: SignIn, language: str
) -> None:
    app = _submit(sign_in(personas.applicant, language=language), build(personas, Status.DRAFT))
    assert app.status == Status.SUBMITTED
    assert app.number
    event = Event.objects.get(application=app, action="submit")
    declared = event.payload["declaration"]
    assert (declared["version"], declared["sha256"]) == (DECLARATION.version, DECLARATION.sha256)
    assert declared["accepted_at"].startswith(event.occurred_at.isoformat()[:16])


def _text(pdf: bytes, folder: Path) -> str:
    return re.sub(r"\s+", " ", pdftotext(pdf, folder))


@pytest.mark.parametrize("language", [EN, ZH])
def test_the_applicant_downloads_a_pdf_copy_of_the_submitted_application(
    personas: Personas, sign_in: SignIn, language: str, tmp_path: Path
) -> None:
    client = sign_in(personas.applicant, language=language)
    app = build(personas, Status.DRAFT)
    url = f"/applications/{app.pk}/application.pdf"
    assert client.get(url).status_code == 404  # a draft has no copy yet
    assert url not in client.get(f"/applications/{app.pk}").content.decode()
    app = _submit(client, app)
    page = client.get(f"/applications/{app.pk}").content.decode()
    assert url in page
    assert WORDS[language]["copy"] in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{app.number}-application.pdf" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert app.number is not None
    reader = PdfFileReader(io.BytesIO(pdf))
    info = reader.trailer["/Info"]
    assert str(info["/Title"]) == f"{app.number} 城市交通出行数据集"
    text = _text(pdf, tmp_path)
    assert app.number in text
    assert "城市交通出行数据集" in text
    assert "用户协议授权" in text  # the applicant's own copy keeps the confidential fields
    assert "Confidential" in text
    assert DECLARATION.version in text


def test_another_holder_cannot_download_the_copy(personas: Personas, sign_in: SignIn) -> None:
    app = build(personas, Status.SUBMITTED)
    url = f"/applications/{app.pk}/application.pdf"
    assert sign_in(personas.other_applicant).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    assert sign_in(personas.examiner).get(url).status_code == 200
