"""Bytes after the signed range make a certificate not genuine everywhere, as pdfsig says.

Every variant of a real certificate is judged by poppler's ``pdfsig`` and by us on the same
bytes; the verdicts must agree. The command line, the API and the page all refuse such a file
with the same reason, and a broken file never prints a traceback.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from ninja import NinjaAPI
from ninja.testing import TestClient
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from dataip.api import errors as api_errors
from dataip.api.routers.verify import router
from dataip.certificates import pki
from dataip.certificates.errors import MalformedPdf, ModifiedAfterSigning, NotWholeFileSigned
from dataip.certificates.verify import verify_certificate_pdf
from dataip.evidence import VerificationError
from dataip.ledger import keys
from tests.certificates._support import Capture, issued, nss_db, pdf_of, pdfsig
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db

_api = NinjaAPI(urls_namespace="test-bytes-after-signing-api")
api_errors.install(_api)
_api.add_router("/verify", router)


@pytest.fixture
def signed(personas: Personas, django_capture_on_commit_callbacks: Capture) -> bytes:
    return pdf_of(issued(personas, django_capture_on_commit_callbacks)[1])


def _appended(pdf: bytes) -> bytes:
    return pdf + b"\n% appended after signing\n"


def _appended_eof(pdf: bytes) -> bytes:
    return pdf + b"\n%%EOF\n"


def _dss_update(pdf: bytes) -> bytes:
    """Signature upkeep as pyHanko does it: a DSS with the signer's certificate."""
    out = io.BytesIO(pdf)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    DocumentSecurityStore.add_dss(out, sig_contents=None, certs=[signature.signer_cert])
    return out.getvalue()


def _page_update(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)  # type: ignore[no-untyped-call]
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


VARIANTS: dict[str, tuple[Callable[[bytes], bytes], type[VerificationError] | None]] = {
    "genuine": (lambda pdf: pdf, None),
    "bytes appended": (_appended, NotWholeFileSigned),
    "a second %%EOF appended": (_appended_eof, MalformedPdf),
    "a DSS update": (_dss_update, ModifiedAfterSigning),
    "a page changed in an update": (_page_update, ModifiedAfterSigning),
}


def _pdfsig_says_genuine(report: str) -> bool:
    return (
        "Total document signed" in report
        and "Not total document signed" not in report
        and "Signature Validation: Signature is Valid." in report
        and "Certificate Validation: Certificate is Trusted." in report
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_our_verdict_is_pdfsigs_verdict_on_the_same_bytes(
    signed: bytes, variant: str, tmp_path: Path
) -> None:
    make, failure = VARIANTS[variant]
    data = make(signed)
    report = pdfsig(data, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    if failure is None:
        verify_certificate_pdf(data, keys.all_vkeys(), pki.trust_pem())
        assert _pdfsig_says_genuine(report), report
        return
    assert not _pdfsig_says_genuine(report), report
    assert "Not total document signed" in report
    with pytest.raises(failure) as caught:
        verify_certificate_pdf(data, keys.all_vkeys(), pki.trust_pem())
    assert caught.value.step in ("pdf", "modified")


def test_bytes_after_the_signed_range_are_named_in_both_languages(signed: bytes) -> None:
    with pytest.raises(NotWholeFileSigned) as caught:
        verify_certificate_pdf(_appended(signed), keys.all_vkeys(), pki.trust_pem())
    assert caught.value.code == "not_whole_file_signed"
    assert "签名没有覆盖整个文件" in caught.value.explain("zh")
    assert "does not cover the whole file" in caught.value.explain("en")


def _cli(tmp_path: Path, data: bytes) -> subprocess.CompletedProcess[str]:
    """``dataip verify`` in its own process, so that stderr is the real one."""
    pdf, key, ca = tmp_path / "c.pdf", tmp_path / "log.vkeys", tmp_path / "ca.pem"
    pdf.write_bytes(data)
    key.write_text("\n".join(keys.all_vkeys()) + "\n")
    ca.write_bytes(pki.trust_pem())
    command = [str(Path(sys.executable).parent / "dataip"), "verify", str(pdf)]
    return subprocess.run(  # noqa: S603 - our own command
        [*command, "--key", str(key), "--ca", str(ca)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_command_line_refuses_appended_bytes(signed: bytes, tmp_path: Path) -> None:
    genuine = _cli(tmp_path, signed)
    assert genuine.returncode == 0, genuine.stderr
    result = _cli(tmp_path, _appended(signed))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "签名没有覆盖整个文件" in result.stderr
    assert "The signature does not cover the whole file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "damage",
    [
        lambda pdf: pdf[: len(pdf) // 2],
        lambda pdf: pdf[: len(pdf) - 30],
        lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 40,
        lambda pdf: pdf[:2000] + b"\0" * 3000 + pdf[5000:],
        lambda pdf: pdf.replace(b"/Contents <30", b"/Contents <00", 1),
    ],
    ids=["truncated", "truncated-end", "garbage", "zeroed", "broken-cms"],
)
def test_a_broken_pdf_gets_a_reason_and_no_traceback(
    signed: bytes, tmp_path: Path, damage: Callable[[bytes], bytes], caplog: Any
) -> None:
    data = damage(signed)
    assert data != signed
    result = _cli(tmp_path, data)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, result.stderr  # one reason in Chinese, one in English
    assert "Traceback" not in result.stderr
    with caplog.at_level(logging.DEBUG), pytest.raises(VerificationError):
        verify_certificate_pdf(data, keys.all_vkeys(), pki.trust_pem())
    assert [r for r in caplog.records if r.name.startswith("pyhanko")] == []
    assert logging.getLogger("pyhanko").level == logging.NOTSET  # restored afterwards


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("en", "does not cover the whole file"), ("zh-hans", "签名没有覆盖整个文件")],
)
def test_the_api_refuses_appended_bytes(signed: bytes, lang: str, reason: str) -> None:
    data = _appended(signed)
    with translation.override(lang):
        response = TestClient(_api).post(
            "/verify",
            FILES={"pdf": SimpleUploadedFile("c.pdf", data, "application/pdf")},
            META={"CONTENT_LENGTH": str(len(data))},
        )
    body = response.json()
    assert response.status_code == 200
    assert body["verdict"] == "not_genuine"
    assert (body["reasonCode"], body["failedStep"]) == ("not_whole_file_signed", "modified")
    assert reason in body["reason"]
    assert body["certificate"] is None


@pytest.mark.parametrize(
    ("lang", "verdict", "reason"),
    [
        ("en", "Not genuine", "does not cover the whole file"),
        ("zh-hans", "不是真实证书", "签名没有覆盖整个文件"),
    ],
)
def test_the_page_refuses_appended_bytes(
    client: Client, signed: bytes, lang: str, verdict: str, reason: str
) -> None:
    upload = io.BytesIO(_appended(signed))
    upload.name = "appended.pdf"
    response = client.post("/verify", {"pdf": upload}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert verdict in text
    assert reason in text
