"""The public page /verify: by number, from the QR code, by upload; in Chinese and English."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from dataip.certificates import pki
from dataip.certificates.content import CertificateContent
from dataip.certificates.models import Certificate
from dataip.certificates.render import render_certificate
from dataip.evidence.bundle import verify_bundle
from dataip.ledger import keys
from dataip.registry.services import changes
from tests.certificates._support import Capture, change_signed_byte, issued, pdf_of
from tests.ledger._support import committed
from tests.support.builders import day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db

TEXT = {
    "en": {
        "genuine_number": "This registry issued a certificate with this number",
        "genuine_pdf": "Genuine: this certificate was issued by this registry",
        "status": "Current status: valid",
        "superseded": "Current status: superseded",
        "unknown": "No such certificate",
        "forged": "Not genuine",
        "checksum": "The check character of this registration number is wrong",
        "too_large": "The file is larger than 20 MiB",
        "not_pdf": "The file cannot be read as a PDF",
    },
    "zh-hans": {
        "genuine_number": "本登记机构签发过该编号的证书",
        "genuine_pdf": "真实：本证书由本登记机构签发",
        "status": "当前状态：有效",
        "superseded": "当前状态：已被新版本替换",
        "unknown": "查无此证书",
        "forged": "不是真实证书",
        "checksum": "登记号的校验位不正确",
        "too_large": "文件超过 20 MiB",
        "not_pdf": "无法将该文件作为 PDF 读取",
    },
}
LANGUAGES = pytest.mark.parametrize("lang", ["en", "zh-hans"])


@pytest.fixture
def certificate(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Certificate:
    return issued(personas, django_capture_on_commit_callbacks)[1]


def _says(response: Any, lang: str, key: str) -> bool:
    text = " ".join(response.content.decode().split())
    return TEXT[lang][key] in text


@LANGUAGES
def test_it_answers_for_a_certificate_number_from_the_qr_code(
    client: Client, certificate: Certificate, lang: str
) -> None:
    url = f"/verify/{certificate.number}?v=1"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert _says(response, lang, "genuine_number")
    assert _says(response, lang, "status")
    assert str(certificate.application.registration_number) in response.content.decode()
    assert f"/verify/{certificate.number}/bundle.json?v=1" in response.content.decode()


@LANGUAGES
def test_it_answers_for_a_registration_number_typed_in_the_form(
    client: Client, certificate: Certificate, lang: str
) -> None:
    number = str(certificate.application.registration_number)
    spaced = f" {number[:4]} {number[4:8].lower()} {number[8:]} "
    response = client.get("/verify", {"number": spaced}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{number}"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    assert _says(page, lang, "genuine_number")


@LANGUAGES
def test_it_says_so_for_a_number_it_never_issued(client: Client, lang: str) -> None:
    response = client.get("/verify/20260431999999999", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert _says(response, lang, "unknown")


@LANGUAGES
def test_it_refuses_a_wrong_check_character_before_looking_anything_up(
    client: Client, certificate: Certificate, lang: str
) -> None:
    number = str(certificate.application.registration_number)
    wrong = number[:15] + ("0" if number[15] != "0" else "1")
    response = client.get(f"/verify/{wrong}", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert _says(response, lang, "checksum")


@LANGUAGES
def test_it_verifies_an_uploaded_genuine_pdf(
    client: Client, certificate: Certificate, lang: str
) -> None:
    upload = io.BytesIO(pdf_of(certificate))
    upload.name = "certificate.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert _says(response, lang, "genuine_pdf")
    assert _says(response, lang, "status")


@LANGUAGES
def test_it_calls_a_forged_pdf_not_genuine(
    client: Client, certificate: Certificate, lang: str
) -> None:
    upload = io.BytesIO(change_signed_byte(pdf_of(certificate), certificate.number.encode()))
    upload.name = "forged.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert _says(response, lang, "forged")
    expected = "数字签名无效" if lang != "en" else "The digital signature is invalid"
    assert expected in response.content.decode()


@LANGUAGES
def test_it_calls_an_unsigned_pdf_not_genuine(
    client: Client, certificate: Certificate, lang: str
) -> None:
    content = CertificateContent.from_json(certificate.data.encode())
    upload = io.BytesIO(render_certificate(content, certificate.qr_text))
    upload.name = "copy.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    assert _says(response, lang, "forged")


@LANGUAGES
def test_it_refuses_a_huge_upload_without_reading_it(client: Client, lang: str) -> None:
    upload = io.BytesIO(b"%PDF-1.4\n" + b"\0" * (21 * 1024 * 1024))
    upload.name = "huge.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert _says(response, lang, "too_large")


@LANGUAGES
def test_it_refuses_a_file_that_is_not_a_pdf(client: Client, lang: str) -> None:
    upload = io.BytesIO(b"GIF89a not a certificate")
    upload.name = "picture.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert _says(response, lang, "not_pdf")


def test_it_refuses_a_post_without_a_file(client: Client) -> None:
    response = client.post("/verify", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose a certificate PDF to upload." in response.content.decode()


def test_the_upload_form_is_protected_against_csrf(certificate: Certificate) -> None:
    strict = Client(enforce_csrf_checks=True)
    form = strict.get("/verify")
    assert form.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    upload = io.BytesIO(pdf_of(certificate))
    upload.name = "certificate.pdf"
    assert strict.post("/verify", {"pdf": upload}).status_code == 403


@LANGUAGES
def test_an_old_version_is_reported_superseded(
    client: Client,
    personas: Personas,
    certificate: Certificate,
    django_capture_on_commit_callbacks: Capture,
    lang: str,
) -> None:
    with committed(django_capture_on_commit_callbacks):
        change = changes.request_change(
            certificate.application_id, actor=personas.applicant.actor, values={"name": "新名称"}
        )
        changes.approve_change(change.pk, actor=personas.examiner.actor, at=day(41))
    old = client.get(f"/verify/{certificate.number}?v=1", HTTP_ACCEPT_LANGUAGE=lang)
    assert _says(old, lang, "superseded")
    new = client.get(f"/verify/{certificate.number}?v=2", HTTP_ACCEPT_LANGUAGE=lang)
    assert _says(new, lang, "status")
    upload = io.BytesIO(pdf_of(certificate))
    upload.name = "old.pdf"
    checked = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert _says(checked, lang, "genuine_pdf")
    assert _says(checked, lang, "superseded")


def test_it_offers_the_evidence_bundle_and_the_ca_for_download(
    client: Client, certificate: Certificate
) -> None:
    bundle = client.get(f"/verify/{certificate.number}/bundle.json?v=1")
    assert bundle.status_code == 200
    assert "attachment" in bundle["Content-Disposition"]
    verified = verify_bundle(bundle.content, keys.vkey())
    assert verified.index == certificate.event.leaf_index
    # anyone may download it: it opens what the page states, not the digests or prev
    assert verified.event_type == "certificate_issued"
    assert verified.registration == certificate.application.registration_number
    assert verified.sealed == ("reason_sha256", "payload_sha256", "prev")
    assert json.loads(bundle.content)["format"] == "dataip.evidence-bundle/v1"
    ca = client.get("/verify/ca.pem")
    assert ca.status_code == 200
    assert ca.content == pki.trust_pem()
    assert client.get("/verify/20260431999999999/bundle.json").status_code == 404
    assert client.get(f"/verify/{certificate.number}?v=x").status_code == 400
