"""Requests for the pledgee's consent (征求质权人同意): the holder asks from its rights page,
the bank gives or refuses it from `/bank/consents` (the API:
tests/api/test_consent_requests_api.py). Every persona;
both languages; a refusal, or a refused attempt, leaves nothing half-recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from dataip.registry.models import (
    Application,
    ConsentRequest,
    ConsentRequestStatus,
    Event,
    Pledge,
    PledgeConsent,
)
from dataip.registry.services import changes, pledges
from tests.api._support import bank, registered_with_rights, today
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
__all__ = ["bank"]
LOGIN = 302


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    """Alpha's registration pledged to the bank, licensed exclusively to Beta (the licensee)."""
    return registered_with_rights(personas, bank)


@pytest.fixture
def other_bank() -> Person:
    return make_person("banker2", make_holder(88, "丁银行 Bank D"))


def _ask(application: Application, pledge: Pledge, client: Client, **data: str) -> object:
    return client.post(
        f"/applications/{application.pk}/rights/consent",
        {"pledge": str(pledge.pk), "purpose": "transfer", "note": "拟转让给乙", **data},
    )


def _snapshot() -> tuple[int, int, int, list[str]]:
    return (
        Event.objects.count(),
        ConsentRequest.objects.count(),
        PledgeConsent.objects.count(),
        list(ConsentRequest.objects.order_by("id").values_list("status", flat=True)),
    )


def test_the_holder_asks_the_bank_gives_and_the_transfer_may_then_be_proposed(
    pledged: tuple[Application, Pledge], personas: Personas, bank: Person
) -> None:
    application, pledge = pledged
    holder = client_for(personas.applicant.user, language="zh-hans")
    page = holder.get(f"/applications/{application.pk}/rights/").content.decode()
    assert "征求质权人同意" in page
    assert f"/pledges/{pledge.pk}/certificate.pdf" in page
    assert _ask(application, pledge, holder).status_code == 302  # type: ignore[attr-defined]
    asked = ConsentRequest.objects.get()
    assert (asked.purpose, asked.status, asked.note) == ("transfer", "pending", "拟转让给乙")
    assert Event.objects.filter(action="request_consent", application=application).exists()
    banker = client_for(bank.user, language="zh-hans")
    listing = banker.get("/bank/consents").content.decode()
    assert "等待您同意的请求" in listing
    assert "拟转让给乙" in listing
    assert f"/bank/consents/{asked.pk}/give" in listing
    assert banker.get(f"/bank/consents/{asked.pk}/give").status_code == 200
    before = _snapshot()
    assert banker.post(f"/bank/consents/{asked.pk}/give", {}).status_code == 422, "confirm first"
    assert _snapshot() == before
    done = banker.post(f"/bank/consents/{asked.pk}/give", {"confirm": "on"})
    assert done.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentRequestStatus.GIVEN
    assert asked.consent is not None
    assert asked.consent.purpose == "transfer"
    # with it, the holder may now propose the transfer (refused without: see test_bank.py)
    proposed = changes.propose_transfer(
        application.pk,
        actor=personas.applicant.actor,
        assignee_id=make_holder(77, "受让方 Assignee Ltd").pk,
        contract_date=today(),
        effective_date=today() + timedelta(days=10),
    )
    assert proposed.application_id == application.pk


@pytest.mark.parametrize(
    ("language", "required"), [("zh-hans", "此字段为必填项"), ("en", "This field is required")]
)
def test_a_refusal_needs_its_reason_and_the_holder_reads_it(
    pledged: tuple[Application, Pledge],
    personas: Personas,
    bank: Person,
    language: str,
    required: str,
) -> None:
    application, pledge = pledged
    asked = pledges.request_consent(
        pledge.pk, actor=personas.applicant.actor, purpose="cancellation"
    )
    banker = client_for(bank.user, language=language)
    before = _snapshot()
    refused = banker.post(f"/bank/consents/{asked.pk}/refuse", {"confirm": "on", "reason": " "})
    assert refused.status_code == 422
    assert required in refused.content.decode()
    assert _snapshot() == before, "nothing recorded"
    done = banker.post(
        f"/bank/consents/{asked.pk}/refuse", {"confirm": "on", "reason": "贷款尚未清偿"}
    )
    assert done.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.refusal_reason) == ("refused", "贷款尚未清偿")
    assert PledgeConsent.objects.count() == before[2], "a refusal consents to nothing"
    assert Event.objects.filter(action="refuse_consent").count() == 1
    page = client_for(personas.applicant.user, language=language).get(
        f"/applications/{application.pk}/rights/"
    )
    assert "贷款尚未清偿" in page.content.decode()
    # still no consent: the cancellation stays refused
    from dataip.errors import DomainError
    from dataip.registry.services import lifecycle

    with pytest.raises(DomainError):
        lifecycle.cancel(application.pk, actor=personas.applicant.actor, reason="停止运营")


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", "同一事项的同意请求已在等待质权人答复"), ("en", "already waits for the pledgee")],
)
def test_a_second_request_of_the_same_purpose_is_refused_on_its_field(
    pledged: tuple[Application, Pledge], personas: Personas, language: str, words: str
) -> None:
    application, pledge = pledged
    holder = client_for(personas.applicant.user, language=language)
    _ask(application, pledge, holder)
    before = _snapshot()
    again = _ask(application, pledge, holder)
    assert again.status_code == 422  # type: ignore[attr-defined]
    assert words in again.content.decode()  # type: ignore[attr-defined]
    assert _snapshot() == before


def test_who_may_ask_list_give_and_refuse(
    pledged: tuple[Application, Pledge], personas: Personas, bank: Person, other_bank: Person
) -> None:
    application, pledge = pledged
    asked = pledges.request_consent(pledge.pk, actor=personas.applicant.actor, purpose="transfer")
    people = {
        "anonymous": None,
        "holder": personas.applicant.user,
        "other holder": personas.other_applicant.user,  # also the exclusive licensee
        "bank": bank.user,
        "another bank": other_bank.user,
        "examiner": personas.examiner.user,
        "registrar": personas.registrar.user,
    }
    ask_url = f"/applications/{application.pk}/rights/consent"
    give_url, refuse_url = f"/bank/consents/{asked.pk}/give", f"/bank/consents/{asked.pk}/refuse"
    expected = {
        # (ask form, consents page, give form, refuse form)
        "anonymous": (LOGIN, LOGIN, LOGIN, LOGIN),
        "holder": (200, 200, 404, 404),
        "other holder": (404, 200, 404, 404),
        "bank": (404, 200, 200, 200),
        "another bank": (404, 200, 404, 404),
        "examiner": (404, 404, 404, 404),
        "registrar": (404, 404, 404, 404),
    }
    for name, user in people.items():
        client = client_for(user)
        got = tuple(
            client.get(url).status_code for url in (ask_url, "/bank/consents", give_url, refuse_url)
        )
        assert got == expected[name], name
        if name not in {"bank", "anonymous"}:
            listing = client.get("/bank/consents")
            if listing.status_code == 200:
                assert give_url not in listing.content.decode(), name
    before = _snapshot()
    for name in ("holder", "other holder", "another bank", "examiner", "registrar"):
        client = client_for(people[name])
        assert client.post(give_url, {"confirm": "on"}).status_code == 404, name
        assert client.post(refuse_url, {"confirm": "on", "reason": "x"}).status_code == 404, name
    assert _snapshot() == before
