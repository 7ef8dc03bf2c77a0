"""The bank's encumbrance search page (权利负担查询): the same query as the API route."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from dataip.registry.models import Application, Pledge, PledgeStatus
from dataip.registry.services import changes
from dataip.registry.workflow import Status
from tests.api._support import bank, registered_with_rights, today
from tests.support.builders import at_stage
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
        # The exclusive licensee and the territory, as the public record names them (never
        # the scope or the fee)
        assert "乙数据科技有限公司" in text, "the exclusive licensee"
        assert "全国" in text, "the territory: 中国大陆 means nationwide"
        assert "商业分析" not in text, "never the scope"
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


# ── pledges registered by the bank, confirmed by the holder ──────────────────────────────


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


PLEDGE_FORM = {
    "amount": "3000000.00",
    "currency": "CNY",
    "starts": "2026-05-01",
    "ends": "2027-05-01",
    "contract_reference": "ZY-2026-09",
    "valuation_reference": "PG-2026-009",
}


def _register(client: Client, application: Application, **overrides: str) -> Any:
    data = {"registration_number": application.registration_number or "", **PLEDGE_FORM}
    data.update(overrides)
    return client.post("/bank/pledges/new", data)


def test_a_bank_registers_a_pledge_and_the_holder_confirms_it(
    banker: Client, bank: Person, personas: Personas, registered: Application
) -> None:
    response = _register(banker, registered)
    assert response.status_code == 302
    assert response["Location"] == "/bank/pledges/"
    page = banker.get("/bank/pledges/").content.decode()
    assert "ZY-2026-09" in page
    assert "待出质人确认" in page
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.PROPOSED
    assert (
        "丙银行" not in Client().get(f"/registry/{registered.registration_number}").content.decode()
    )

    holder = client_for(personas.applicant.user)
    waiting = holder.get("/pledges/waiting").content.decode()
    assert "ZY-2026-09" in waiting
    assert "丙银行 Bank C" in waiting
    assert client_for(personas.other_applicant.user).get("/pledges/waiting").status_code == 200
    assert (
        "ZY-2026-09"
        not in client_for(personas.other_applicant.user).get("/pledges/waiting").content.decode()
    )

    unconfirmed = holder.post(f"/pledges/{pledge.pk}/confirm", {})
    assert unconfirmed.status_code == 422, "the confirmation box must be ticked"
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PROPOSED
    done = holder.post(f"/pledges/{pledge.pk}/confirm", {"confirm": "on"})
    assert done.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ACTIVE
    public = Client().get(f"/registry/{registered.registration_number}").content.decode()
    assert "丙银行 Bank C" in public
    assert holder.get(f"/pledges/{pledge.pk}/confirm").status_code == 404, "no longer waiting"


def test_the_holder_declines_with_a_reason(
    banker: Client, personas: Personas, registered: Application
) -> None:
    _register(banker, registered)
    pledge = Pledge.objects.get()
    holder = client_for(personas.applicant.user)
    response = holder.post(f"/pledges/{pledge.pk}/decline", {"confirm": "on", "reason": ""})
    assert response.status_code == 422
    assert (
        holder.post(
            f"/pledges/{pledge.pk}/decline", {"confirm": "on", "reason": "合同未签"}
        ).status_code
        == 302
    )
    pledge.refresh_from_db()
    assert (pledge.status, pledge.decline_reason) == (PledgeStatus.DECLINED, "合同未签")
    assert "合同未签" in banker.get("/bank/pledges/").content.decode()


def test_bad_pledge_forms_name_the_fields_in_chinese_and_keep_what_was_typed(
    banker: Client, registered: Application, personas: Personas
) -> None:
    response = _register(banker, registered, amount="-5", contract_reference="ZY-坏")
    assert response.status_code == 422
    text = response.content.decode()
    assert 'value="ZY-坏"' in text
    assert 'value="-5"' in text
    assert 'aria-invalid="true"' in text
    assert not Pledge.objects.exists()
    unknown = _register(banker, registered, registration_number="ZZ999")
    assert unknown.status_code == 422
    assert "没有该登记号的登记" in unknown.content.decode()
    own = _register(client_for(personas.applicant.user, language="zh-hans"), registered)
    assert own.status_code == 422, "a holder cannot be the pledgee of its own right"
    assert not Pledge.objects.exists()


def test_the_bank_consents_and_releases_with_confirmation(
    banker: Client, bank: Person, personas: Personas, registered: Application
) -> None:
    _register(banker, registered)
    pledge = Pledge.objects.get()
    client_for(personas.applicant.user).post(f"/pledges/{pledge.pk}/confirm", {"confirm": "on"})
    given = banker.post(
        f"/bank/pledges/{pledge.pk}/consent", {"purpose": "transfer", "confirm": "on"}
    )
    assert given.status_code == 302
    assert pledge.consents.get().purpose == "transfer"
    not_ticked = banker.post(f"/bank/pledges/{pledge.pk}/release", {"reason": "已清偿"})
    assert not_ticked.status_code == 422
    assert "已清偿" in not_ticked.content.decode(), "the reason typed is kept"
    released = banker.post(
        f"/bank/pledges/{pledge.pk}/release", {"reason": "已清偿", "confirm": "on"}
    )
    assert released.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.release_reason) == (PledgeStatus.RELEASED, "已清偿")
    assert banker.get(f"/bank/pledges/{pledge.pk}/release").status_code == 404


def test_another_bank_and_other_parties_cannot_touch_a_pledge(
    banker: Client, personas: Personas, registered: Application
) -> None:
    _register(banker, registered)
    pledge = Pledge.objects.get()
    other_bank = client_for(make_person("other_bank", make_holder(51, "丁银行 Bank D")).user)
    for url in (f"/bank/pledges/{pledge.pk}/release", f"/bank/pledges/{pledge.pk}/consent"):
        assert other_bank.get(url).status_code == 404
    assert "ZY-2026-09" not in other_bank.get("/bank/pledges/").content.decode()
    for who in (other_bank, banker, client_for(personas.other_applicant.user)):
        assert who.post(f"/pledges/{pledge.pk}/confirm", {"confirm": "on"}).status_code == 404
    examiner = client_for(personas.examiner.user)
    assert examiner.get("/pledges/waiting").status_code == 404
    assert Client().get("/pledges/waiting").status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PROPOSED
