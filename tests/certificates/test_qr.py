"""The QR code: it scans from the printed page, and its payload verifies offline."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from dataip.certificates.content import CertificateContent
from dataip.certificates.errors import QrPayloadInvalid
from dataip.certificates.qr import (
    HOLDER_CHARS,
    QrPayload,
    payload_for,
    qr_text,
    sign_payload,
    verify_qr_payload,
)
from dataip.evidence import Ed25519Signer
from dataip.ledger import keys
from tests.certificates._support import Capture, issued, pdf_of, run
from tests.certificates.conftest import PUBLIC_URL
from tests.certificates.test_render import SAMPLE
from tests.support.personas import Personas

ORIGIN = "dataip.local/log/v1"


def _scan(pdf: bytes, folder: Path) -> list[str]:
    """Print the page at 200 dpi (poppler) and read every QR code on it (ZXing)."""
    (folder / "page.pdf").write_bytes(pdf)
    run("pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(folder / "page.pdf"),
        str(folder / "page"))  # fmt: skip
    with Image.open(folder / "page.png") as image:
        return [found.text for found in zxingcpp.read_barcodes(image)]


def _signed(content: CertificateContent, signer: Ed25519Signer) -> str:
    payload = payload_for(content, 42, bytes(range(32)))
    return qr_text(PUBLIC_URL, payload, sign_payload(payload, signer))


@pytest.mark.django_db
def test_it_scans_from_the_printed_page_and_verifies_offline(
    personas: Personas, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> None:
    application, certificate = issued(personas, django_capture_on_commit_callbacks)
    scanned = _scan(pdf_of(certificate), tmp_path)
    assert scanned == [certificate.qr_text]
    url = f"{PUBLIC_URL}/verify/{application.certificate_number}?v=1#"
    assert scanned[0].startswith(url)
    verified = verify_qr_payload(scanned[0], keys.vkey())
    payload = verified.payload
    assert payload.registration_number == application.registration_number
    assert (payload.certificate_number, payload.version) == (application.certificate_number, 1)
    assert payload.holders == "甲数据科技有限公司 Alpha Data"
    assert payload.data_sha256 == certificate.data_sha256
    assert payload.valid_until == f"{application.valid_until:%Y-%m-%d}"
    assert verified.key_name == keys.origin()
    assert verified.url == url[:-1]


def test_the_payload_is_a_signed_note_with_the_documented_lines() -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    text = _signed(SAMPLE, signer)
    note = base64.urlsafe_b64decode(text.partition("#")[2] + "==").decode("utf-8")
    body, _, signature = note.partition("\n\n")
    assert body.split("\n") == [
        "dataip certificate v1",
        "reg 2026011000000016",
        "cert 20260431000000001 1",
        "valid 2026-04-01 2029-03-31",
        "holder 甲数据科技有限公司",
        f"data {SAMPLE.sha256()}",
        "log 42 0001020304050607",
    ]
    assert signature.startswith(f"— {ORIGIN} ")
    assert verify_qr_payload(note, signer.vkey).payload == QrPayload.parse(body + "\n")


def test_it_refuses_a_payload_signed_by_another_key() -> None:
    text = _signed(SAMPLE, Ed25519Signer.generate(ORIGIN))
    with pytest.raises(QrPayloadInvalid, match="signature"):
        verify_qr_payload(text, Ed25519Signer.generate(ORIGIN).vkey)


def test_it_refuses_a_tampered_payload() -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    url, _, encoded = _signed(SAMPLE, signer).partition("#")
    note = base64.urlsafe_b64decode(encoded + "==").decode("utf-8")
    forged = note.replace("valid 2026-04-01 2029-03-31", "valid 2026-04-01 2039-03-31")
    assert forged != note
    forged_text = url + "#" + base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    with pytest.raises(QrPayloadInvalid, match="signature"):
        verify_qr_payload(forged_text, signer.vkey)


def test_it_refuses_a_url_that_names_another_version() -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    text = _signed(SAMPLE, signer).replace("?v=1#", "?v=2#")
    with pytest.raises(QrPayloadInvalid, match="another certificate"):
        verify_qr_payload(text, signer.vkey)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://registry.example.cn/verify/1",
        "https://registry.example.cn/verify/1#not base64!",
        "https://registry.example.cn/verify/1#" + "A" * 5000,
    ],
)
def test_it_refuses_malformed_qr_text(text: str) -> None:
    with pytest.raises(QrPayloadInvalid):
        verify_qr_payload(text, Ed25519Signer.generate(ORIGIN).vkey)


GOOD_BODY = (
    "dataip certificate v1\nreg 2026011000000016\ncert 20260431000000001 1\n"
    "valid 2026-04-01 2029-03-31\nholder x\ndata " + "a" * 64 + "\nlog 42 0001020304050607\n"
)


def test_the_parser_reads_back_what_it_writes() -> None:
    assert QrPayload.parse(GOOD_BODY).text() == GOOD_BODY


@pytest.mark.parametrize(
    "body",
    [
        "dataip certificate v2\n",
        GOOD_BODY.replace("cert 20260431000000001 1", "cert 2026043100000001 1"),
        GOOD_BODY.replace("log 42 ", "log 042 "),
        GOOD_BODY.replace("data " + "a" * 64, "data " + "A" * 64),
        GOOD_BODY.replace("holder x\n", ""),
        GOOD_BODY.replace("holder x\n", "holder x\nholder y\n"),
        GOOD_BODY.replace("valid 2026-04-01 ", "valid 2026-4-1 "),
        GOOD_BODY.rstrip("\n"),
    ],
)
def test_the_parser_refuses_anything_but_the_exact_format(body: str) -> None:
    with pytest.raises(QrPayloadInvalid):
        QrPayload.parse(body)


def test_it_cuts_long_holder_names_and_keeps_them_on_one_line() -> None:
    long = replace(
        SAMPLE,
        holders=tuple(replace(SAMPLE.holders[0], name=f"公司{i}\n名称" * 6) for i in range(3)),
    )
    holders = payload_for(long, 1, bytes(32)).holders
    assert len(holders) == HOLDER_CHARS
    assert holders.endswith("…")
    assert "\n" not in holders
