"""The bank's signed encumbrance statement (查询证明) and the pledge registration certificate
(质押登记证明) on the pages; what the public verify page, the verify API and `dataip verify`
say of them, in both languages; a changed file fails everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from dataip.certificates import pki
from dataip.certificates.models import IssuedRecord
from dataip.certificates.records import verify_record_pdf
from dataip.cli import app
from dataip.ledger import keys
from dataip.registry.models import Application, Event, Pledge
from tests.api._support import bank, registered_with_rights
from tests.certificates._support import change_signed_byte
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
__all__ = ["bank"]


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


def _statement_url(application: Application) -> str:
    return f"/bank/encumbrances/{application.registration_number}/statement.pdf"


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return bytes(response.content)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_search_page_offers_the_statement_and_the_link_downloads_a_sealed_one(
    pledged: tuple[Application, Pledge], bank: Person, language: str
) -> None:
    application = pledged[0]
    client = client_for(bank.user, language=language)
    page = client.get(
        "/bank/encumbrances", {"registration_number": application.registration_number or ""}
    ).content.decode()
    assert _statement_url(application) in page
    words = "下载签章版查询证明" if language == "zh-hans" else "Download as a signed statement"
    assert words in page
    events = Event.objects.filter(action="encumbrance_statement_issued").count()
    pdf = _download(client, _statement_url(application))
    verified = verify_record_pdf(pdf, keys.all_vkeys(), pki.trust_pem())
    assert verified.content.registration_number == application.registration_number
    assert Event.objects.filter(action="encumbrance_statement_issued").count() == events + 1
    row = IssuedRecord.objects.get(number=verified.content.number)
    assert row.requested_by_id == bank.user.pk


def test_no_statement_for_an_unknown_number_and_none_for_anonymous(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    assert client_for(bank.user).get("/bank/encumbrances/ZZ999/statement.pdf").status_code == 404
    anonymous = client_for(None).get(_statement_url(pledged[0]))
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    assert not IssuedRecord.objects.exists()


def test_pledgee_and_holder_download_the_same_pledge_certificate_others_do_not(
    pledged: tuple[Application, Pledge], bank: Person, personas: Personas
) -> None:
    pledge = pledged[1]
    url = f"/pledges/{pledge.pk}/certificate.pdf"
    from_bank = _download(client_for(bank.user), url)
    from_holder = _download(client_for(personas.applicant.user, language="zh-hans"), url)
    assert from_bank == from_holder
    other_bank = make_person("banker2", make_holder(88, "丁银行 Bank D"))
    for who in (personas.other_applicant, other_bank, personas.examiner):
        assert client_for(who.user).get(url).status_code == 404, who.user.username
    assert IssuedRecord.objects.count() == 1
    page = client_for(bank.user).get("/bank/pledges/").content.decode()
    assert url in page


@pytest.mark.parametrize(
    ("language", "genuine", "title"),
    [
        ("zh-hans", "真实", "数据知识产权权利负担查询证明"),
        ("en", "Genuine", "Encumbrance Statement of a Data IP Registration"),
    ],
)
def test_the_verify_page_recognises_the_statement_and_refuses_a_changed_one(
    pledged: tuple[Application, Pledge], bank: Person, language: str, genuine: str, title: str
) -> None:
    pdf = _download(client_for(bank.user), _statement_url(pledged[0]))
    visitor = client_for(None, language=language)
    upload = SimpleUploadedFile("s.pdf", pdf, content_type="application/pdf")
    page = visitor.post("/verify", {"pdf": upload}).content.decode()
    assert genuine in page
    assert title in page
    assert "CX" in page
    forged = change_signed_byte(pdf, b"/Title")
    upload = SimpleUploadedFile("s.pdf", forged, content_type="application/pdf")
    refused = visitor.post("/verify", {"pdf": upload}).content.decode()
    assert ("不是真实" in refused) or ("Not genuine" in refused) or ("并非" in refused)
    assert title not in refused


def test_the_verify_api_names_the_record_and_whether_the_pledge_stands(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    pledge = pledged[1]
    pdf = _download(client_for(bank.user), f"/pledges/{pledge.pk}/certificate.pdf")
    for language, title in (("zh-hans", "质押登记证明"), ("en", "Pledge Registration Certificate")):
        upload = SimpleUploadedFile("p.pdf", pdf, content_type="application/pdf")
        body = Client(HTTP_ACCEPT_LANGUAGE=language).post("/api/v1/verify", {"pdf": upload}).json()
        assert body["verdict"] == "genuine"
        assert body["record"]["kind"] == "pledge_certificate"
        assert title in body["record"]["title"]
        assert body["record"]["pledgeStatus"] == "in_force"
        assert body["signature"]["identicalToIssued"] is True
        assert body["certificate"] is None
    upload = SimpleUploadedFile("p.pdf", change_signed_byte(pdf, b"/Title"), "application/pdf")
    body = Client().post("/api/v1/verify", {"pdf": upload}).json()
    assert body["verdict"] == "not_genuine"
    assert body["record"] is None


def test_dataip_verify_says_what_the_statement_proves_and_fails_a_changed_one(
    pledged: tuple[Application, Pledge], bank: Person, tmp_path: Path
) -> None:
    pdf = _download(client_for(bank.user), _statement_url(pledged[0]))
    key, ca, path = tmp_path / "log.vkeys", tmp_path / "ca.pem", tmp_path / "statement.pdf"
    key.write_text("\n".join(keys.all_vkeys()) + "\n")
    ca.write_bytes(pki.trust_pem())
    path.write_bytes(pdf)
    runner = CliRunner()
    result = runner.invoke(app, ["verify", str(path), "--key", str(key), "--ca", str(ca)])
    assert result.exit_code == 0, result.output
    assert "权利负担查询证明真实有效" in result.output
    assert "GENUINE: Encumbrance Statement" in result.output
    assert "丙银行 Bank C" in result.output
    path.write_bytes(change_signed_byte(pdf, b"/Title"))
    failed = runner.invoke(app, ["verify", str(path), "--key", str(key), "--ca", str(ca)])
    assert failed.exit_code == 1


def test_head_of_a_statement_issues_nothing_on_the_page_or_through_the_api(
    pledged: tuple[Application, Pledge], bank: Person
) -> None:
    from dataip.accounts.tokens import create_token

    url = _statement_url(pledged[0])
    client = client_for(bank.user)
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Type"] == "application/pdf"
    assert head.content == b""
    assert client.head("/bank/encumbrances/ZZ999/statement.pdf").status_code == 404
    api = f"/api/v1/encumbrances/{pledged[0].registration_number}/statement.pdf"
    answered = Client().head(
        api, headers={"Authorization": f"Bearer {create_token(bank.user, 'loans')[1]}"}
    )
    assert answered.status_code == 200
    assert not IssuedRecord.objects.exists()
    assert not Event.objects.filter(action="encumbrance_statement_issued").exists()
    assert client.get(url).status_code == 200  # GET still issues one
    assert IssuedRecord.objects.count() == 1
