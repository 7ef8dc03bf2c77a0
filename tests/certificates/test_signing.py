"""The PDF signature, checked by tools that are not ours: poppler's pdfsig and pyHanko."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from dataip.certificates import pki
from dataip.certificates._x509 import make_own_pki
from dataip.certificates.errors import ModifiedAfterSigning, SignatureInvalid
from dataip.certificates.verify import verify_certificate_pdf
from dataip.ledger import keys
from tests.certificates._support import (
    Capture,
    change_signed_byte,
    issued,
    nss_db,
    pdf_of,
    pdfsig,
)
from tests.ledger._tsa import serve, shared_tsa
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


def _pyhanko(pdf: bytes, ca_pem: bytes, tsa_ca_pem: bytes | None = None) -> Any:
    """pyHanko's own validation of the (only) signature, trusting ``ca_pem``."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    trust = ValidationContext(trust_roots=list(load_certs_from_pemder_data(ca_pem)))
    ts_trust = (
        ValidationContext(trust_roots=list(load_certs_from_pemder_data(tsa_ca_pem)))
        if tsa_ca_pem
        else None
    )
    return validate_pdf_signature(
        signature, signer_validation_context=trust, ts_validation_context=ts_trust
    )


@pytest.fixture
def signed(personas: Personas, django_capture_on_commit_callbacks: Capture) -> bytes:
    return pdf_of(issued(personas, django_capture_on_commit_callbacks)[1])


def test_it_is_valid_and_trusted_for_pdfsig_with_the_registry_ca(
    signed: bytes, tmp_path: Path
) -> None:
    report = pdfsig(signed, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Signature Field Name: RegistrySeal" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report


def test_it_is_not_trusted_by_pdfsig_without_the_registry_ca(signed: bytes, tmp_path: Path) -> None:
    other = make_own_pki("别的机构", "Someone else").ca_cert
    report = pdfsig(signed, tmp_path, nss_db(tmp_path / "nss", other))
    assert "Signature is Valid." in report
    assert "Certificate is Trusted." not in report


def test_it_is_intact_valid_and_trusted_for_pyhanko(signed: bytes) -> None:
    status = _pyhanko(signed, pki.trust_pem())
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.docmdp_ok
    assert status.bottom_line
    assert status.timestamp_validity is None  # no TSA configured: PAdES B-B


def test_a_byte_changed_after_signing_fails_both(
    signed: bytes, tmp_path: Path, personas: Personas
) -> None:
    forged = change_signed_byte(signed, b"20260431000000001")
    report = pdfsig(forged, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report
    assert not _pyhanko(forged, pki.trust_pem()).intact
    with pytest.raises(SignatureInvalid):
        verify_certificate_pdf(forged, keys.all_vkeys(), pki.trust_pem())


def test_content_added_after_signing_fails_both(signed: bytes, tmp_path: Path) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)  # type: ignore[no-untyped-call]
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    altered = out.getvalue()
    report = pdfsig(altered, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Total document signed" not in report
    assert "Not total document signed" in report
    status = _pyhanko(altered, pki.trust_pem())
    assert status.coverage.name == "ENTIRE_REVISION"
    assert not status.bottom_line
    with pytest.raises(ModifiedAfterSigning):
        verify_certificate_pdf(altered, keys.all_vkeys(), pki.trust_pem())


def test_it_carries_an_rfc3161_timestamp_when_a_tsa_is_configured(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> None:
    tsa = shared_tsa()
    with serve(tsa) as url:
        settings.DATAIP_TSA_URL = url
        _, certificate = issued(personas, django_capture_on_commit_callbacks)
    signed = pdf_of(certificate)
    status = _pyhanko(signed, pki.trust_pem(), tsa.ca_pem)
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    report = pdfsig(signed, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    verified = verify_certificate_pdf(
        signed, keys.all_vkeys(), pki.trust_pem(), tsa_ca_pem=tsa.ca_pem
    )
    assert verified.timestamp_trusted is True
    assert verified.timestamp_at is not None


def test_it_makes_its_own_ca_once_with_private_keys_readable_by_the_owner_only(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATAIP_CERT_DIR = tmp_path / "pki"
    folder = pki.ensure_own_pki()
    for name in ("ca.key", "seal.key"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    ca = x509.load_pem_x509_certificate((folder / "ca.crt").read_bytes())
    seal = x509.load_pem_x509_certificate((folder / "seal.crt").read_bytes())
    assert seal.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not seal.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert seal.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment
    before = (folder / "ca.crt").read_bytes()
    assert pki.ensure_own_pki() == folder
    assert (folder / "ca.crt").read_bytes() == before  # made once, then reused
    assert pki.trust_pem() == before


def test_it_signs_with_a_configured_pkcs12(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> None:
    made = make_own_pki("真实机构", "Real Registry")
    key = serialization.load_pem_private_key(made.seal_key, password=None)
    cert = x509.load_pem_x509_certificate(made.seal_cert)
    ca = x509.load_pem_x509_certificate(made.ca_cert)
    bundle = pkcs12.serialize_key_and_certificates(
        b"seal",
        key,  # type: ignore[arg-type]
        cert,
        [ca],
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    (tmp_path / "seal.p12").write_bytes(bundle)
    (tmp_path / "pass.txt").write_text("s3cret\n")
    settings.DATAIP_CERT_PKCS12_FILE = str(tmp_path / "seal.p12")
    settings.DATAIP_CERT_PKCS12_PASSPHRASE_FILE = str(tmp_path / "pass.txt")
    assert pki.trust_pem() == made.ca_cert
    signed = pdf_of(issued(personas, django_capture_on_commit_callbacks)[1])
    verified = verify_certificate_pdf(signed, keys.all_vkeys(), made.ca_cert)
    assert "Real Registry Certificate Seal" in verified.signer_subject
    report = pdfsig(signed, tmp_path, nss_db(tmp_path / "nss", made.ca_cert))
    assert "Certificate is Trusted." in report
