"""A certificate issued with the object store: its signed PDF is an object, downloaded through
the registry's view by the holder, and verifies (signature, evidence, the registry's copy)."""

from __future__ import annotations

import pytest

from dataip.certificates import lookup, pki
from dataip.certificates.verify import verify_certificate_pdf
from dataip.ledger import keys
from tests.certificates._support import Capture, issued, pdf_of
from tests.support.personas import Personas
from tests.web.conftest import client_for, read_download

from .conftest import Bucket, local_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificates_on")]


def test_a_certificate_pdf_is_stored_downloaded_and_verified(
    personas: Personas, django_capture_on_commit_callbacks: Capture, s3: Bucket
) -> None:
    application, certificate = issued(personas, django_capture_on_commit_callbacks)
    certificate.refresh_from_db()
    key = f"media/{certificate.pdf.name}"
    assert key == f"media/certificates/{certificate.number}/{certificate.number}-v1.pdf"
    assert s3.public_grants(key) == []
    stored = s3.read(key)
    assert stored == pdf_of(certificate)

    client = client_for(personas.applicant.user)
    response = client.get(f"/applications/{application.pk}/certificates/1.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = read_download(response)
    assert pdf == stored

    verified = verify_certificate_pdf(pdf, keys.all_vkeys(), pki.trust_pem())
    assert verified.content.certificate_number == certificate.number
    answer = lookup.answer_for_pdf(pdf)
    assert answer.found
    assert answer.identical, "the registry's copy is this very file"
    assert client_for(personas.other_applicant.user).get(
        f"/applications/{application.pk}/certificates/1.pdf"
    ).status_code in {403, 404}
    assert local_files() == []
