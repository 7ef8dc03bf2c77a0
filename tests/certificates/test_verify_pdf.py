"""verify_certificate_pdf: a genuine certificate passes; every kind of forgery is named."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from dataip.certificates import pki
from dataip.certificates._x509 import make_own_pki
from dataip.certificates.content import CertificateContent
from dataip.certificates.errors import (
    ContentMismatch,
    EvidenceInvalid,
    MalformedPdf,
    MissingEvidence,
    QrPayloadInvalid,
    Unsigned,
    UntrustedSigner,
)
from dataip.certificates.models import Certificate
from dataip.certificates.qr import payload_for, qr_text, sign_payload
from dataip.certificates.render import render_certificate
from dataip.certificates.seal import Attachment, load_pem_signer, seal_pdf
from dataip.certificates.verify import (
    ATTACHMENT_BUNDLE,
    ATTACHMENT_DATA,
    ATTACHMENT_QR,
    MAX_PDF_BYTES,
    verify_certificate_pdf,
)
from dataip.evidence import Ed25519Signer, VerificationError, canonical_json
from dataip.ledger import bundles, keys
from dataip.registry.models import Event
from tests.certificates._support import Capture, issued, pdf_of
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Certificate:
    return issued(personas, django_capture_on_commit_callbacks)[1]


def _check(pdf: bytes) -> Any:
    return verify_certificate_pdf(pdf, keys.all_vkeys(), pki.trust_pem())


def forge(
    certificate: Certificate,
    *,
    data: bytes | None = None,
    bundle: bytes | None = None,
    qr: str | None = None,
    signer: Any = None,
    skip: str = "",
) -> bytes:
    """A certificate PDF made from the genuine parts, some replaced, signed by ``signer``
    (default: the registry's own signing key, as an insider or a thief of that key would)."""
    content_json = data if data is not None else certificate.data.encode()
    content = CertificateContent.from_json(certificate.data.encode())
    qr_text = qr if qr is not None else certificate.qr_text
    parts = {
        ATTACHMENT_DATA: content_json,
        ATTACHMENT_BUNDLE: bundle
        if bundle is not None
        else bundles.bundle_for_event(certificate.event),
        ATTACHMENT_QR: qr_text.encode(),
    }
    attachments = [
        Attachment(name, value, "application/octet-stream", name)
        for name, value in parts.items()
        if name != skip
    ]
    page = render_certificate(content, qr_text)
    return seal_pdf(page, attachments, signer or pki.signer())


def test_a_genuine_certificate_verifies(certificate: Certificate) -> None:
    verified = _check(pdf_of(certificate))
    assert verified.content.certificate_number == certificate.number
    assert verified.bundle.event_type == "certificate_issued"
    assert verified.bundle.index == certificate.event.leaf_index
    assert verified.qr.payload.data_sha256 == certificate.data_sha256
    assert "Certificate Seal" in verified.signer_subject
    assert "GENUINE" in verified.summary("en")
    assert "证书真实有效" in verified.summary("zh")


def test_a_pdf_that_is_not_ours_is_unsigned(certificate: Certificate) -> None:
    content = CertificateContent.from_json(certificate.data.encode())
    with pytest.raises(Unsigned) as caught:
        _check(render_certificate(content, certificate.qr_text))
    assert "不是本机构签发" in caught.value.explain("zh")


def test_a_signature_from_another_ca_is_untrusted(certificate: Certificate) -> None:
    other = make_own_pki("伪造机构", "Forger")
    forger = load_pem_signer(other.seal_key, other.seal_cert, other.ca_cert)
    with pytest.raises(UntrustedSigner, match="does not chain"):
        _check(forge(certificate, signer=forger))


def test_altered_certificate_data_does_not_match_the_ledger(certificate: Certificate) -> None:
    document = json.loads(certificate.data)
    document["valid_until"] = "2039-03-31"
    with pytest.raises(ContentMismatch, match="another certificate's data"):
        _check(forge(certificate, data=canonical_json(document)))


def test_a_tampered_qr_payload_is_refused(certificate: Certificate) -> None:
    url, _, encoded = certificate.qr_text.partition("#")
    note = base64.urlsafe_b64decode(encoded + "==").decode()
    forged = note.replace("holder 甲数据", "holder 丙数据")
    assert forged != note
    text = url + "#" + base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    with pytest.raises(QrPayloadInvalid):
        _check(forge(certificate, qr=text))


def test_a_qr_url_for_another_version_is_refused(certificate: Certificate) -> None:
    with pytest.raises(QrPayloadInvalid, match="another certificate"):
        _check(forge(certificate, qr=certificate.qr_text.replace("?v=1#", "?v=2#")))


def test_a_qr_payload_signed_by_another_key_is_refused(certificate: Certificate) -> None:
    content = CertificateContent.from_json(certificate.data.encode())
    payload = payload_for(content, 1, bytes(32))
    stranger = Ed25519Signer.generate(keys.origin())
    text = qr_text("https://registry.example.cn", payload, sign_payload(payload, stranger))
    with pytest.raises(QrPayloadInvalid, match="signature"):
        _check(forge(certificate, qr=text))


def test_the_bundle_of_another_event_is_refused(certificate: Certificate) -> None:
    register = Event.objects.get(application=certificate.application, action="register")
    with pytest.raises(ContentMismatch, match="'register' event"):
        _check(forge(certificate, bundle=bundles.bundle_for_event(register)))


def test_it_needs_the_registry_ledger_key(certificate: Certificate) -> None:
    stranger = Ed25519Signer.generate(keys.origin()).vkey
    with pytest.raises(EvidenceInvalid, match="signature"):
        verify_certificate_pdf(pdf_of(certificate), stranger, pki.trust_pem())


def test_a_missing_attachment_is_named(certificate: Certificate) -> None:
    with pytest.raises(MissingEvidence, match=ATTACHMENT_BUNDLE):
        _check(forge(certificate, skip=ATTACHMENT_BUNDLE))


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"%PDF-1.7\n garbage \n%%EOF\n", b"%PDF-1.4\n" + b"\0" * (MAX_PDF_BYTES + 1)],
)
def test_malformed_or_huge_input_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedPdf) as caught:
        _check(data)
    assert isinstance(caught.value, VerificationError)
    assert caught.value.step == "pdf"
