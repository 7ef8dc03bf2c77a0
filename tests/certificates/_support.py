"""Helpers for certificate tests: issue through the real services, check with real tools."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from dataip.certificates.models import Certificate
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import SYSTEM, Status
from tests.ledger._support import committed
from tests.support.builders import PDF, at_stage, complete_values, day
from tests.support.personas import Personas

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def issued(personas: Personas, capture: Capture) -> tuple[Application, Certificate]:
    """A registration (Shanghai regime) whose certificate was issued after the commit."""
    with committed(capture):
        application = at_stage(personas, Status.REGISTERED)
    return application, Certificate.objects.get(application=application)


def registered_in(personas: Personas, regime: str) -> Application:
    """A registration under a formal-examination-only regime (e.g. zhejiang)."""
    actor, user = personas.applicant.actor, personas.applicant.user
    app = filing.create_draft(
        actor=actor, user=user, kind="data_collection", regime_code=regime, at=day(0)
    )
    filing.update_draft(app.pk, actor=actor, values=complete_values(), at=day(0))
    for kind in sorted(load_regime(regime).required_materials(filed_by_agent=False)):
        filing.add_material(
            app.pk, actor=actor, user=user, kind=kind, name="m.pdf", content=io.BytesIO(PDF),
            at=day(0),
        )  # fmt: skip
    examiner = personas.examiner.actor
    filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=actor, at=day(1))
    examination.start_formal_examination(app.pk, actor=examiner, at=day(2))
    examination.approve(app.pk, actor=examiner, at=day(3))
    publicity.announce(app.pk, actor=examiner, at=day(4))
    return publicity.register(app.pk, actor=SYSTEM, at=day(30))


def pdf_of(certificate: Certificate) -> bytes:
    """The stored signed PDF of a certificate version."""
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as handle:
        return bytes(handle.read())


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a command-line tool; return its output whatever the exit status."""
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


def nss_db(folder: Path, ca_pem: bytes) -> str:
    """An NSS database (for pdfsig) that trusts ``ca_pem``; return its ``sql:`` name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(ca_pem)
    run("certutil", "-N", "-d", f"sql:{folder}", "--empty-password")
    added = run("certutil", "-A", "-d", f"sql:{folder}", "-n", "Registry CA", "-t", "CT,C,C",
                "-i", str(folder / "ca.pem"))  # fmt: skip
    assert added.returncode == 0, added.stderr
    return f"sql:{folder}"


def pdfsig(pdf: bytes, folder: Path, nssdir: str | None = None) -> str:
    """``pdfsig`` (poppler) on ``pdf``: its whole report."""
    path = folder / "checked.pdf"
    path.write_bytes(pdf)
    options = ["-nssdir", nssdir] if nssdir else []
    result = run("pdfsig", *options, str(path))
    return result.stdout + result.stderr


def pdftotext(pdf: bytes, folder: Path) -> str:
    """The page's text as ``pdftotext`` extracts it."""
    path = folder / "text.pdf"
    path.write_bytes(pdf)
    return run("pdftotext", "-layout", str(path), "-").stdout


def change_signed_byte(pdf: bytes, needle: bytes) -> bytes:
    """``pdf`` with one byte of the first occurrence of ``needle`` changed (same length)."""
    at = pdf.index(needle)
    old = pdf[at : at + 1]
    new = b"9" if old != b"9" else b"8"
    return pdf[:at] + new + pdf[at + 1 :]
