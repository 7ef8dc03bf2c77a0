"""The verification API for platforms and banks (``dataip.api.routers.verify``).

The router is mounted here on a private API with the project's problem-details handlers,
exactly as ``api.add_router("/verify", router)`` mounts it in ``dataip.api.api``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import NinjaAPI
from ninja.testing import TestClient

from dataip.api import errors
from dataip.api.routers.verify import router
from dataip.certificates.models import Certificate
from tests.certificates._support import Capture, change_signed_byte, issued, pdf_of
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db

_api = NinjaAPI(urls_namespace="test-verification-api")
errors.install(_api)
_api.add_router("/verify", router)


@pytest.fixture
def api() -> TestClient:
    return TestClient(_api)


@pytest.fixture
def certificate(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Certificate:
    return issued(personas, django_capture_on_commit_callbacks)[1]


def _upload(api: TestClient, data: bytes, **meta: Any) -> Any:
    return api.post(
        "/verify",
        FILES={"pdf": SimpleUploadedFile("c.pdf", data, "application/pdf")},
        META={"CONTENT_LENGTH": str(len(data)), **meta},
    )


def test_it_answers_for_a_certificate_number(api: TestClient, certificate: Certificate) -> None:
    response = api.get(f"/verify/{certificate.number}?v=1")
    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["status"], body["underPledge"]) == ("genuine", "valid", False)
    assert body["certificate"]["certificateNumber"] == certificate.number
    assert body["certificate"]["version"] == body["certificate"]["currentVersion"] == 1
    assert body["certificate"]["holders"][0]["share"] == "100.00"
    assert body["bundleUrl"].endswith(f"/verify/{certificate.number}/bundle.json?v=1")
    assert body["signature"] is None


def test_an_unknown_number_is_a_404_problem(api: TestClient) -> None:
    response = api.get("/verify/20260431999999999")
    assert response.status_code == 404
    assert response.json()["code"] == "certificate_not_found"


def test_a_wrong_check_character_is_a_400_problem(
    api: TestClient, certificate: Certificate
) -> None:
    number = str(certificate.application.registration_number)
    wrong = number[:15] + ("0" if number[15] != "0" else "1")
    response = api.get(f"/verify/{wrong}")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "bad_number"
    assert problem["type"] == "urn:dataip:problem:bad_number"


def test_an_uploaded_genuine_pdf_is_genuine(api: TestClient, certificate: Certificate) -> None:
    response = _upload(api, pdf_of(certificate))
    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["status"]) == ("genuine", "valid")
    signature = body["signature"]
    assert signature["identicalToIssued"] is True
    assert signature["logIndex"] == certificate.event.leaf_index
    assert "Certificate Seal" in signature["signer"]


def test_a_forged_pdf_is_not_genuine_with_the_reason(
    api: TestClient, certificate: Certificate
) -> None:
    forged = change_signed_byte(pdf_of(certificate), certificate.number.encode())
    body = _upload(api, forged).json()
    assert body["verdict"] == "not_genuine"
    assert (body["reasonCode"], body["failedStep"]) == ("signature_invalid", "signature")
    assert body["certificate"] is None


def test_bad_uploads_are_400_problems(api: TestClient) -> None:
    assert _upload(api, b"not a pdf").json()["code"] == "bad_upload"
    huge = _upload(api, b"%PDF-", CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert (huge.status_code, huge.json()["code"]) == (400, "bad_upload")
    missing = api.post("/verify", FILES={}, META={"CONTENT_LENGTH": "0"})
    assert (missing.status_code, missing.json()["code"]) == (400, "bad_upload")


def test_it_is_documented_in_the_openapi_schema() -> None:
    paths = _api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert set(paths) == {"/api/v1/verify/{number}", "/api/v1/verify", "/api/v1/verify/bundle"}
    upload = paths["/api/v1/verify"]["post"]["requestBody"]["content"]
    assert "pdf" in upload["multipart/form-data"]["schema"]["properties"]
    bundle = paths["/api/v1/verify/bundle"]["post"]["requestBody"]["content"]
    assert "bundle" in bundle["multipart/form-data"]["schema"]["properties"]
    assert paths["/api/v1/verify/{number}"]["get"]["tags"] == ["verification"]
