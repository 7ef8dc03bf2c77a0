"""Deposit numbers, append-only rows, the receipt PDF, and the ledger audit."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from dataip.deposits import services
from dataip.deposits.models import Deposit, DepositBand
from dataip.deposits.receipt import receipt_document, receipt_pdf
from dataip.ledger.audit import AuditReport
from dataip.upkeep.audit import run_audit
from tests.deposits._data import deposit, files, make_tree, manifest_of
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(tmp_path: Path) -> dict[str, Any]:
    return manifest_of(make_tree(tmp_path / "data", files(6, "f", 2)))


def test_numbers_count_per_year_in_the_registrys_time_zone(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    import io

    from tests.deposits._data import encoded

    def at(moment: datetime) -> str:
        return services.create_deposit(
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            content=io.BytesIO(encoded(manifest)),
            at=moment,
        ).number

    assert at(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == "CZ202600000001"
    assert at(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "CZ202700000001"  # Shanghai: 1 Jan
    assert at(datetime(2026, 6, 1, tzinfo=UTC)) == "CZ202600000002"
    assert services.deposit_number(2026, 99_999_999) == "CZ202699999999"
    with pytest.raises(ValueError, match="out of range"):
        services.deposit_number(2026, 100_000_000)


def test_deposits_and_bands_are_append_only(personas: Personas, manifest: dict[str, Any]) -> None:
    made = deposit(personas.applicant, manifest)
    for query in (
        lambda: Deposit.objects.filter(pk=made.pk).update(root="0" * 64),
        lambda: Deposit.objects.filter(pk=made.pk).delete(),
        lambda: DepositBand.objects.filter(deposit=made).update(hash=0),
        lambda: DepositBand.objects.filter(deposit=made).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            query()
    made.refresh_from_db()
    assert made.bands.count() == 64


def test_the_audit_accepts_deposit_events(personas: Personas, manifest: dict[str, Any]) -> None:
    deposit(personas.applicant, manifest)
    deposit(personas.other_applicant, manifest)
    report = AuditReport()
    findings = []
    for item in run_audit():
        if isinstance(item, AuditReport):
            report = item
        else:
            findings.append(item.message("en"))
    assert findings == []
    assert report.ok
    assert report.records == 2


def test_the_printable_receipt_is_one_bilingual_page(
    personas: Personas, manifest: dict[str, Any], tmp_path: Path
) -> None:
    made = deposit(personas.applicant, manifest)
    document = receipt_document(made)
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(receipt_pdf(made, document))
    info = subprocess.run(  # noqa: S603
        ["pdfinfo", str(pdf)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Pages:           1" in info
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "数据存证回执",
        "Data Deposit Receipt",
        made.number,
        made.root,
        "如何验证 / How to verify",
        "dataip verify-deposit receipt.json",
        "openssl ts -verify -data statement.json",
        "存证根哈希",
    ):
        assert expected in " ".join(text.split()), expected
    assert receipt_pdf(made, document) == pdf.read_bytes()  # deterministic


def test_the_tsa_ca_is_published(client: Any) -> None:
    from dataip.deposits import tsa

    answer = client.get("/deposits/tsa-ca.pem")
    assert answer.status_code == 200
    assert answer.content == tsa.ca_pem()
    assert answer.content.startswith(b"-----BEGIN CERTIFICATE-----")
