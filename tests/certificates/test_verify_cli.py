"""`dataip verify CERT.pdf`: the same offline check from the command line, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataip.certificates import pki
from dataip.certificates.models import Certificate
from dataip.cli import app
from dataip.ledger import keys
from tests.certificates._support import Capture, issued, pdf_of
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def files(
    personas: Personas, django_capture_on_commit_callbacks: Capture, tmp_path: Path
) -> tuple[Certificate, Path, Path, Path]:
    certificate = issued(personas, django_capture_on_commit_callbacks)[1]
    pdf, key, ca = tmp_path / "cert.pdf", tmp_path / "log.vkeys", tmp_path / "ca.pem"
    pdf.write_bytes(pdf_of(certificate))
    key.write_text("\n".join(keys.all_vkeys()) + "\n")
    ca.write_bytes(pki.trust_pem())
    return certificate, pdf, key, ca


def test_it_says_what_a_genuine_certificate_proves(
    files: tuple[Certificate, Path, Path, Path],
) -> None:
    certificate, pdf, key, ca = files
    result = runner.invoke(app, ["verify", str(pdf), "--key", str(key), "--ca", str(ca)])
    assert result.exit_code == 0, result.output
    assert certificate.number in result.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output), "Chinese text as well"


def test_it_refuses_an_altered_certificate_with_the_reason(
    files: tuple[Certificate, Path, Path, Path],
) -> None:
    _, pdf, key, ca = files
    data = bytearray(pdf.read_bytes())
    position = data.index(b"/Contents") - 40  # inside the signed byte range
    data[position] ^= 0x01
    pdf.write_bytes(bytes(data))
    result = runner.invoke(app, ["verify", str(pdf), "--key", str(key), "--ca", str(ca)])
    assert result.exit_code == 1
    assert result.output.strip(), "a reason is printed"
    assert "Traceback" not in result.output


def test_a_certificate_needs_the_registry_ca(files: tuple[Certificate, Path, Path, Path]) -> None:
    _, pdf, key, _ = files
    result = runner.invoke(app, ["verify", str(pdf), "--key", str(key)])
    assert result.exit_code == 2
    assert "--ca" in result.output
