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
    assert encumbrance["exclusiveLicences"][0]["kind"] == "exclusive"
    assert encumbrance["transferPending"] is False
    assert "licensee" not in str(encumbrance)


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
    assert "800000" not in str(item)
    assert "乙数据" not in str(item)
