"""Sealed records besides the certificate: the encumbrance statement (查询证明) and the pledge
registration certificate (质押登记证明), issued through the real services and checked with
our verifier, pdfsig and pyHanko; tampering fails."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from dataip.certificates import pki
from dataip.certificates.errors import ContentMismatch
from dataip.certificates.issue_records import issue_encumbrance_statement, pledge_certificate
from dataip.certificates.models import IssuedRecord
from dataip.certificates.records import (
    RecordContent,
    is_record_pdf,
    ledger_payload,
    verify_record_pdf,
)
from dataip.errors import NotFound
from dataip.evidence import VerificationError
from dataip.evidence.canonical import canonical_json
from dataip.ledger import keys
from dataip.ledger.models import LogEntry
from dataip.registry.models import Application, Event, Pledge
from dataip.registry.services import pledges
from tests.api._support import bank, registered_with_rights
from tests.certificates._support import change_signed_byte, nss_db, pdfsig, pdftotext
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db
__all__ = ["bank"]


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


def _verify(pdf: bytes) -> object:
    return verify_record_pdf(pdf, keys.all_vkeys(), pki.trust_pem())


def test_a_statement_states_what_stands_as_of_the_registrations_latest_leaf(
    pledged: tuple[Application, Pledge], bank: Person, tmp_path: Path
) -> None:
    application, pledge = pledged
    latest = Event.objects.filter(application=application).order_by("-leaf_index").first()
    assert latest is not None
    row = issue_encumbrance_statement(application.registration_number or "", actor=bank.actor)
    pdf = bytes(row.pdf)
    assert row.number.startswith("CX")
    assert row.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert is_record_pdf(pdf)
    verified = _verify(pdf)
    content = verified.content  # type: ignore[attr-defined]
    assert content.kind == "encumbrance_statement"
    assert content.registration_number == application.registration_number
    assert latest.leaf_index is not None
    assert content.as_of_index == latest.leaf_index
    entry = LogEntry.objects.get(index=latest.leaf_index)
    assert content.as_of_leaf_hash == entry.leaf_hash
    assert content.data["encumbered"] is True
    assert [p["pledgee"] for p in content.data["pledges"]] == ["丙银行 Bank C"]
    assert content.data["pledges"][0]["amount"] == "", "Shanghai does not publish the amount"
    assert [lic["kind"] for lic in content.data["exclusive_licences"]] == ["exclusive"]
    # the issuing is a private ledger event committing to exactly this record.json
    event = row.event
    assert event is not None
    assert event.action == "encumbrance_statement_issued"
    assert not event.public
    assert event.payload == ledger_payload(content)
    assert verified.bundle.index == event.leaf_index  # type: ignore[attr-defined]
    for lang, words in (
        ("zh", "权利负担查询证明真实有效"),
        ("en", "GENUINE: Encumbrance Statement"),
    ):
        summary = verified.summary(lang)  # type: ignore[attr-defined]
        assert words in summary
        assert row.number in summary
        assert str(verified.bundle.checkpoint.size) in summary  # type: ignore[attr-defined]
    text = pdftotext(pdf, tmp_path)
    assert "权利负担查询证明" in text
    assert "Encumbrance Statement" in text
    assert row.number in text
    assert "丙银行" in text
    assert str(pledge.amount) not in text
    assert "独占" in text, "the exclusive licence, in Chinese and English"


def test_each_statement_is_a_new_record_with_its_own_number(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    number = pledged[0].registration_number or ""
    first = issue_encumbrance_statement(number, actor=bank.actor)
    second = issue_encumbrance_statement(number, actor=bank.actor)
    assert first.number != second.number
    assert IssuedRecord.objects.filter(kind="encumbrance_statement").count() == 2
    # the second states the first's issuing event as the registration's latest leaf
    assert second.event is not None
    assert first.event is not None
    content = RecordContent.from_json(second.data.encode())
    assert content.as_of_index == first.event.leaf_index


def test_no_statement_for_an_unknown_number(bank: Person) -> None:
    before = Event.objects.count()
    with pytest.raises(NotFound):
        issue_encumbrance_statement("ZZ999", actor=bank.actor)
    assert Event.objects.count() == before


def test_the_seal_is_valid_and_trusted_for_pdfsig(
    pledged: tuple[Application, Pledge], bank: Person, tmp_path: Path
) -> None:
    pdf = bytes(
        issue_encumbrance_statement(pledged[0].registration_number or "", actor=bank.actor).pdf
    )
    report = pdfsig(pdf, tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Signature is Valid." in report
    assert "Certificate is Trusted." in report
    assert "Total document signed" in report


def test_a_changed_byte_fails(pledged: tuple[Application, Pledge], bank: Person) -> None:
    pdf = bytes(
        issue_encumbrance_statement(pledged[0].registration_number or "", actor=bank.actor).pdf
    )
    forged = change_signed_byte(pdf, b"/Title")
    with pytest.raises(VerificationError):
        _verify(forged)


def test_a_record_json_swapped_before_sealing_fails_on_the_ledger(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    """A record sealed with the right key but stating other facts than the ledger recorded."""
    from dataip.certificates.record_render import render_record
    from dataip.certificates.records import ATTACHMENT_BUNDLE, ATTACHMENT_LATEST, ATTACHMENT_RECORD
    from dataip.certificates.seal import Attachment, seal_pdf
    from dataip.ledger import bundles

    row = issue_encumbrance_statement(pledged[0].registration_number or "", actor=bank.actor)
    document = json.loads(row.data)
    document["data"]["encumbered"] = False
    forged = RecordContent.from_dict(document)
    assert row.event is not None
    attachments = [
        Attachment(ATTACHMENT_RECORD, canonical_json(document), "application/json", ""),
        Attachment(ATTACHMENT_BUNDLE, bundles.bundle_for_event(row.event), "application/json", ""),
        Attachment(
            ATTACHMENT_LATEST, bundles.bundle_for_entry(forged.as_of_index), "application/json", ""
        ),
    ]
    pdf = seal_pdf(render_record(forged), attachments, pki.signer())
    with pytest.raises(ContentMismatch):
        _verify(pdf)


def test_a_pledge_certificate_is_issued_once_to_pledgee_and_holder(
    pledged: tuple[Application, Pledge], bank: Person, personas: Personas, tmp_path: Path
) -> None:
    _application, pledge = pledged
    first = pledge_certificate(pledge.pk, actor=bank.actor)
    again = pledge_certificate(pledge.pk, actor=personas.applicant.actor)
    assert first.pk == again.pk
    assert bytes(first.pdf) == bytes(again.pdf)
    assert first.number.startswith("ZY")
    verified = _verify(bytes(first.pdf))
    content = verified.content  # type: ignore[attr-defined]
    assert content.kind == "pledge_certificate"
    pledge.refresh_from_db()
    assert content.data["amount"] == str(pledge.amount) == "3000000.00"
    assert content.data["contract_reference"] == "ZY-2026-01"
    assert "质押登记证明" in verified.summary("zh")  # type: ignore[attr-defined]
    assert "Pledge Registration Certificate" in verified.summary("en")  # type: ignore[attr-defined]
    report = pdfsig(bytes(first.pdf), tmp_path, nss_db(tmp_path / "nss", pki.trust_pem()))
    assert "Signature is Valid." in report
    signature = PdfFileReader(io.BytesIO(bytes(first.pdf))).embedded_signatures[0]
    assert signature.field_name == "RegistrySeal"


def test_others_get_no_pledge_certificate(
    pledged: tuple[Application, Pledge], personas: Personas, bank: Person
) -> None:
    pledge = pledged[1]
    for who in (personas.other_applicant, personas.examiner):
        with pytest.raises(NotFound):
            pledge_certificate(pledge.pk, actor=who.actor)
    assert not IssuedRecord.objects.exists()


def test_a_proposed_pledge_has_no_certificate_yet(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    application = pledged[0]
    proposed = pledges.propose_pledge(
        application.pk,
        actor=bank.actor,
        amount="100",
        starts=pledged[1].starts,
        ends=pledged[1].ends,
        contract_reference="X-1",
    )
    with pytest.raises(NotFound):
        pledge_certificate(proposed.pk, actor=bank.actor)


def test_the_page_is_the_same_for_the_same_record(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    from dataip.certificates.record_render import render_record

    row = issue_encumbrance_statement(pledged[0].registration_number or "", actor=bank.actor)
    content = RecordContent.from_json(row.data.encode())
    assert render_record(content, ledger="x") == render_record(content, ledger="x")


def test_a_tsa_that_does_not_answer_leaves_the_statement_recorded_but_unsealed(
    pledged: tuple[Application, Pledge], bank: Person, settings: Any
) -> None:
    from dataip.certificates.issue_records import NotSealed

    settings.DATAIP_TSA_URL = "http://127.0.0.1:9/"
    settings.DATAIP_TSA_TIMEOUT = 1
    with pytest.raises(NotSealed):
        issue_encumbrance_statement(pledged[0].registration_number or "", actor=bank.actor)
    row = IssuedRecord.objects.get()
    assert row.event is not None
    assert row.pdf_sha256 == ""
    from tests.web.conftest import client_for

    url = f"/bank/encumbrances/{pledged[0].registration_number}/statement.pdf"
    for language, message in (
        ("zh-hans", "现在无法为该文件签章，请稍后再试。"),
        ("en", "The document could not be sealed now. Please try again later."),
    ):
        page = client_for(bank.user, language=language).get(url)
        assert page.status_code == 503, "try again later, not a bad request"
        assert message in page.content.decode()
