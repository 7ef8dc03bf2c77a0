"""Requests for the pledgee's consent through the API: the holder's token asks, the bank's
token lists, gives or refuses; in both languages; a refused call records nothing."""

from __future__ import annotations

import pytest

from dataip.registry.models import Application, ConsentRequest, Event, Pledge, PledgeConsent
from tests.api._support import Api, Tokens, registered_with_rights
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


def _snapshot() -> tuple[int, int, int, list[str]]:
    return (
        Event.objects.count(),
        ConsentRequest.objects.count(),
        PledgeConsent.objects.count(),
        list(ConsentRequest.objects.order_by("id").values_list("status", flat=True)),
    )


def test_the_api_asks_lists_and_refuses_in_both_languages(
    pledged: tuple[Application, Pledge], api: Api, tokens: Tokens
) -> None:
    pledge = pledged[1]
    holder, banker = api.as_(tokens.own), api.as_(tokens.bank)
    made = holder.post(f"pledges/{pledge.pk}/consent-requests", {"purpose": "exclusive_licence"})
    assert made.status_code == 201
    body = made.json()
    assert (body["status"], body["purpose"]) == ("pending", "exclusive_licence")
    assert body["statusLabel"] == "Waiting for the pledgee"
    again = holder.post(f"pledges/{pledge.pk}/consent-requests", {"purpose": "exclusive_licence"})
    assert again.status_code == 422
    assert "purpose" in str(again.json())
    listed = banker.get("consents").json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    chinese = Api(banker.client, tokens.bank, "zh-hans")
    assert chinese.get("consents").json()["items"][0]["statusLabel"] == "等待质权人答复"
    before = _snapshot()
    assert banker.post(f"consents/{body['id']}/refuse", {"reason": ""}).status_code == 422
    assert _snapshot() == before
    refused = banker.post(f"consents/{body['id']}/refuse", {"reason": "估值不足"}).json()
    assert (refused["status"], refused["refusalReason"]) == ("refused", "估值不足")
    assert refused["consent"] is None
    mine = holder.get("consent-requests").json()["items"]
    assert mine[0]["refusalReason"] == "估值不足"
    assert banker.post(f"consents/{body['id']}/give").status_code == 404, "answered already"
    # asked again, then given: a consent the holder's exclusive licence will use
    second = holder.post(f"pledges/{pledge.pk}/consent-requests", {"purpose": "exclusive_licence"})
    given = banker.post(f"consents/{second.json()['id']}/give").json()
    assert given["status"] == "given"
    assert PledgeConsent.objects.filter(pk=given["consent"], used_at=None).exists()
