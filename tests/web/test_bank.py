"""The bank's encumbrance search page (权利负担查询): the same query as the API route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from dataip.registry.models import Application, Pledge
from dataip.registry.services import changes
from tests.api._support import bank, registered_with_rights, today
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
__all__ = ["bank"]

URL = "/bank/encumbrances"


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


@pytest.fixture
def banker(bank: Person) -> Client:
    bank.holder.is_lender = True
    bank.holder.save()
    return client_for(bank.user, language="zh-hans")


def test_a_bank_finds_what_stands_on_a_registration_by_each_key(
    banker: Client, pledged: tuple[Application, Pledge], personas: Personas
) -> None:
    application, pledge = pledged
    number = application.registration_number or ""
    keys = {
        "registration_number": number,
        "certificate_number": application.certificate_number or "",
        "holder_identifier": personas.applicant.holder.identifier,
    }
    for key, value in keys.items():
        response = banker.get(URL, {key: value})
        assert response.status_code == 200, key
        text = response.content.decode()
        assert "1 registration found" in text or "找到 1 项登记" in text, key
        assert number in text
        assert "丙银行 Bank C" in text, "the pledgee"
        assert "甲数据科技有限公司 Alpha Data" in text, "the holder"
        assert "独占" in text, "the exclusive licence in force"
        assert "不公开" in text, "Shanghai does not publish the pledge amount"
        assert str(pledge.amount) not in text
        assert "乙数据科技有限公司" not in text, "the licensee is not named"
        assert "权利负担" in text


def test_a_pending_transfer_shows_with_its_dates_only(
    banker: Client, pledged: tuple[Application, Pledge], personas: Personas, bank: Person
) -> None:
    application, pledge = pledged
    from dataip.registry.services import pledges

    pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer")
    effective = today() + timedelta(days=20)
    changes.propose_transfer(
        application.pk,
        actor=personas.applicant.actor,
        assignee_id=make_holder(77, "受让方 Assignee Ltd").pk,
        contract_date=today(),
        effective_date=effective,
        price="500000",
    )
    client = client_for(bank.user)
    text = client.get(URL, {"registration_number": application.registration_number or ""}).content
    page = text.decode()
    assert "Transfers waiting for confirmation" in page
    assert effective.isoformat() in page
    assert "Assignee Ltd" not in page
    assert "500000" not in page


def test_nothing_found_and_unregistered_applications_stay_hidden(
    banker: Client, personas: Personas, pledged: tuple[Application, Pledge]
) -> None:
    response = banker.get(URL, {"registration_number": "ZZ999"})
    assert response.status_code == 200
    assert "找到 0 项登记" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "zh"),
    [
        ({"search": "1"}, "registration_number", "请提供登记号、证书编号或权利人的"),
        ({"certificate_number": "12-34"}, "certificate_number", "请填写证书上的数字"),
        ({"holder_identifier": "91 31"}, "holder_identifier", "只能使用字母和数字"),
    ],
)
def test_bad_searches_name_the_field_in_chinese_and_keep_what_was_typed(
    banker: Client, query: dict[str, str], field: str, zh: str
) -> None:
    response = banker.get(URL, query)
    assert response.status_code == 422
    text = response.content.decode()
    assert zh in text
    assert f'id="id_{field}"' in text
    assert 'aria-invalid="true"' in text
    for value in query.values():
        if value != "1":
            assert f'value="{value}"' in text


def test_the_english_page_names_the_error_in_english(bank: Person) -> None:
    response = client_for(bank.user).get(URL, {"search": "1"})
    assert response.status_code == 422
    assert (
        "Give a registration number, a certificate number or a holder&#x27;s credit code."
        in response.content.decode()
    )


def test_the_page_prints_without_the_form(
    banker: Client, pledged: tuple[Application, Pledge]
) -> None:
    application, _ = pledged
    text = banker.get(URL, {"registration_number": application.registration_number or ""}).content
    page = text.decode()
    assert "web/bank.css" in page
    assert 'class="no-print encumbrance-search"' in page
    assert 'class="print-only"' in page


def test_a_lender_lands_on_the_search_when_signing_in(bank: Person, personas: Personas) -> None:
    bank.holder.is_lender = True
    bank.holder.save()
    client = Client()
    response = client.post("/account/login", {"username": "banker", "password": "x"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert "权利负担查询" in client.get("/").content.decode(), "in the menu"
    other = Client()
    response = other.post("/account/login", {"username": "applicant", "password": "x"})
    assert response["Location"] == "/applications/"


def test_anonymous_visitors_are_sent_to_sign_in_and_people_without_an_organisation_get_404(
    personas: Personas,
) -> None:
    response = Client().get(URL, {"registration_number": "X1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login")
    nobody = make_person("no_org")
    assert client_for(nobody.user).get(URL).status_code == 404
