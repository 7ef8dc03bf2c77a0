"""The API for banks: the pledges a bank holds, and the encumbrance search before lending."""

from __future__ import annotations

import pytest

from dataip.registry.models import Application, Pledge
from dataip.registry.services import changes, pledges
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names, registered_with_rights
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


@pytest.fixture
def banker(api: Api, tokens: Tokens) -> Api:
    return api.as_(tokens.bank)


def test_a_bank_lists_the_pledges_it_holds(
    banker: Api, pledged: tuple[Application, Pledge]
) -> None:
    application, pledge = pledged
    items = banker.get("pledges").json()["items"]
    assert len(items) == 1
    held = items[0]
    assert (held["id"], held["registrationNumber"]) == (pledge.pk, application.registration_number)
    assert (held["amount"], held["currency"], held["status"]) == ("3000000.00", "CNY", "active")
    assert held["productName"] == "城市交通出行数据集"
    assert held["contractReference"] == "ZY-2026-01"


def test_released_pledges_stay_in_the_list_newest_first_in_pages(
    banker: Api, personas: Personas, bank: Person, pledged: tuple[Application, Pledge]
) -> None:
    application, first = pledged
    pledges.release_pledge(first.pk, actor=bank.actor, reason="已清偿")
    second = pledges.pledge(
        application.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="10",
        starts="2026-05-01",
        ends="2027-05-01",
        contract_reference="ZY-2",
    )
    page = banker.get("pledges?limit=1").json()
    assert [(p["id"], p["status"]) for p in page["items"]] == [(second.pk, "active")]
    rest = banker.get(page["next"]).json()
    assert [(p["id"], p["status"]) for p in rest["items"]] == [(first.pk, "released")]
    assert rest["items"][0]["releasedOn"]


def test_the_encumbrance_search_shows_what_stands_on_a_registration(
    banker: Api, pledged: tuple[Application, Pledge]
) -> None:
    application, _ = pledged
    found = banker.get(f"encumbrances?registrationNumber={application.registration_number}")
    items = found.json()["items"]
    assert len(items) == 1
    encumbrance = items[0]
    assert encumbrance["encumbered"] is True
    assert encumbrance["holders"] == ["甲数据科技有限公司 Alpha Data"]
    assert encumbrance["pledges"][0]["pledgee"] == "丙银行 Bank C"
    assert encumbrance["pledges"][0]["amount"] is None, "Shanghai does not publish the amount"
    (licence,) = encumbrance["exclusiveLicences"]
    assert licence["kind"] == "exclusive"
    assert licence["licensee"] == "乙数据科技有限公司 Beta Data", "as the public record names it"
    assert (licence["regions"], licence["territory"]) == ([], "Nationwide")
    assert not {"fee", "scope", "amount"} & set(licence), "never the fee or the scope"
    assert encumbrance["transferPending"] is False


def test_the_encumbrance_search_finds_by_the_holders_credit_code(
    banker: Api, personas: Personas, pledged: tuple[Application, Pledge]
) -> None:
    clean = at_stage(personas, Status.REGISTERED)
    identifier = personas.applicant.holder.identifier
    found = banker.get(f"encumbrances?holderIdentifier={identifier.lower()}").json()["items"]
    by_number = {e["registrationNumber"]: e["encumbered"] for e in found}
    assert by_number == {pledged[0].registration_number: True, clean.registration_number: False}
    page = banker.get(f"encumbrances?holderIdentifier={identifier}&limit=1").json()
    assert len(page["items"]) == 1
    assert len(banker.get(page["next"]).json()["items"]) == 1


def test_the_encumbrance_search_needs_a_number_or_a_credit_code(banker: Api) -> None:
    problem = assert_problem(banker.get("encumbrances"), 422)
    assert field_names(problem) == ["registrationNumber"]
    assert banker.get("encumbrances?registrationNumber=2026000000000000").json()["items"] == []
    bad = assert_problem(banker.get("encumbrances?holderIdentifier=91-31"), 422)
    assert field_names(bad) == ["holderIdentifier"]


def test_applications_not_registered_have_no_encumbrances(banker: Api, personas: Personas) -> None:
    at_stage(personas, Status.UNDER_PUBLICITY)
    identifier = personas.applicant.holder.identifier
    assert banker.get(f"encumbrances?holderIdentifier={identifier}").json()["items"] == []


def test_the_encumbrance_search_finds_by_certificate_number_with_validity(
    banker: Api, pledged: tuple[Application, Pledge]
) -> None:
    application, _ = pledged
    found = banker.get(f"encumbrances?certificateNumber={application.certificate_number}")
    [item] = found.json()["items"]
    assert item["registrationNumber"] == application.registration_number
    assert item["certificateNumber"] == application.certificate_number
    assert item["productName"] == "城市交通出行数据集"
    assert (item["validFrom"], item["validUntil"]) == (
        str(application.valid_from),
        str(application.valid_until),
    )
    assert item["pendingTransfers"] == []
    bad = assert_problem(banker.get("encumbrances?certificateNumber=12-34"), 422)
    assert field_names(bad) == ["certificateNumber"]


def test_a_pending_transfer_is_listed_by_its_dates_without_the_assignee(
    banker: Api, personas: Personas, bank: Person, pledged: tuple[Application, Pledge]
) -> None:
    application, pledge = pledged
    pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer")
    changes.propose_transfer(
        application.pk,
        actor=personas.applicant.actor,
        assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-06-01",
        effective_date="2026-07-01",
        price="800000",
    )
    [item] = banker.get(
        f"encumbrances?registrationNumber={application.registration_number}"
    ).json()["items"]
    assert item["transferPending"] is True
    assert item["encumbered"] is True
    [pending] = item["pendingTransfers"]
    assert (pending["contractDate"], pending["effectiveDate"]) == ("2026-06-01", "2026-07-01")
    assert "800000" not in str(item), "the price stays private"
    assert "乙数据" not in str(item["pendingTransfers"]), "the assignee stays private"


# ── a pledge registered by the bank, confirmed by the holder ─────────────────────────────


def _pledge_body(application: Application, **overrides: str) -> dict[str, str]:
    body = {
        "registrationNumber": application.registration_number or "",
        "amount": "2500000.00",
        "starts": "2026-05-01",
        "ends": "2027-05-01",
        "contractReference": "ZY-API-1",
        "valuationReference": "PG-API-1",
    }
    body.update(overrides)
    return body


def test_a_bank_registers_a_pledge_the_holder_confirms_then_the_bank_consents_and_releases(
    api: Api, tokens: Tokens, personas: Personas
) -> None:
    application = at_stage(personas, Status.REGISTERED)
    banker, holder, beta = api.as_(tokens.bank), api.as_(tokens.own), api.as_(tokens.other)
    made = banker.post("pledges", _pledge_body(application))
    assert made.status_code == 201
    pledge = made.json()
    assert (pledge["status"], pledge["valuationReference"]) == ("proposed", "PG-API-1")
    assert beta.get("pledges/waiting").json()["items"] == []
    [waiting] = holder.get("pledges/waiting").json()["items"]
    assert (waiting["id"], waiting["pledgee"]) == (pledge["id"], "丙银行 Bank C")
    for other in (banker, beta):
        assert_problem(other.post(f"pledges/{pledge['id']}/confirm"), 404)
    confirmed = holder.post(f"pledges/{pledge['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "active"
    assert confirmed.json()["confirmedAt"]
    assert_problem(holder.post(f"pledges/{pledge['id']}/confirm"), 404)
    assert_problem(holder.post(f"pledges/{pledge['id']}/consents", {"purpose": "transfer"}), 404)
    consent = banker.post(f"pledges/{pledge['id']}/consents", {"purpose": "transfer"})
    assert consent.status_code == 201
    assert consent.json()["purpose"] == "transfer"
    bad = assert_problem(banker.post(f"pledges/{pledge['id']}/consents", {"purpose": "x"}), 422)
    assert field_names(bad) == ["purpose"]
    assert_problem(banker.post(f"pledges/{pledge['id']}/release", {"reason": ""}), 422)
    released = banker.post(f"pledges/{pledge['id']}/release", {"reason": "已清偿"})
    assert released.json()["status"] == "released"


def test_a_holder_declines_through_the_api_and_errors_name_the_field(
    api: Api, tokens: Tokens, personas: Personas
) -> None:
    application = at_stage(personas, Status.REGISTERED)
    banker, holder = api.as_(tokens.bank), api.as_(tokens.own)
    bad = assert_problem(banker.post("pledges", _pledge_body(application, amount="-3")), 422)
    assert field_names(bad) == ["amount"]
    unknown = assert_problem(
        banker.post("pledges", _pledge_body(application, registrationNumber="ZZ9")), 422
    )
    assert field_names(unknown) == ["registrationNumber"]
    assert_problem(holder.post("pledges", _pledge_body(application)), 403)
    assert not Pledge.objects.exists()
    pledge = banker.post("pledges", _pledge_body(application)).json()
    assert_problem(holder.post(f"pledges/{pledge['id']}/decline", {"reason": ""}), 422)
    declined = holder.post(f"pledges/{pledge['id']}/decline", {"reason": "未签合同"})
    assert declined.json()["status"] == "declined"
    assert [p["status"] for p in banker.get("pledges").json()["items"]] == ["declined"]
