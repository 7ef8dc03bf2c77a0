"""``GET /api/v1/events`` (public, no token) and ``/api/v1/webhooks`` (scope ``webhooks``):
the same public documents as the feeds; subscriptions with their secret shown once."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks import Webhook

from dataip.accounts import scopes
from dataip.accounts.tokens import create_token
from dataip.registry import webhooks
from dataip.registry.models import WebhookDelivery
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem
from tests.support.builders import at_stage
from tests.support.personas import Personas
from tests.support.receiver import receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receivers(settings: Any) -> None:
    """The test receivers listen on 127.0.0.1, which deployments refuse by default."""
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = True


def test_events_pages_by_cursor_and_shows_nothing_unpublished(api: Api, personas: Personas) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    hidden = at_stage(personas, Status.APPROVED)
    seen: list[int] = []
    url = "events?limit=1"
    for _page in range(10):
        response = api.get(url)
        assert response.status_code == 200
        body = response.json()
        if not body["items"]:
            break
        assert len(body["items"]) == 1
        seen.append(body["items"][0]["id"])
        assert body["nextCursor"] == str(seen[-1])
        url = body["next"].removeprefix("http://testserver")
    assert len(seen) == 2
    assert seen == sorted(set(seen))
    assert body["next"].endswith(f"after={seen[-1]}"), "the last page keeps the cursor"
    everything = api.get("events").json()
    assert [e["type"] for e in everything["items"]] == ["announce", "register"]
    last = everything["items"][-1]
    registered.refresh_from_db()
    assert last["registrationNumber"] == registered.registration_number
    assert last["typeLabel"].keys() == {"zh-hans", "en"}
    assert hidden.number not in api.get("events").content.decode()
    only = api.get("events?kind=registrations").json()
    assert [e["type"] for e in only["items"]] == ["register"]


def test_events_refuses_a_bad_cursor(api: Api) -> None:
    assert_problem(api.get("events?after=abc"), 422)
    assert_problem(api.get("events?kind=secret"), 422)


def test_webhooks_need_the_scope(api: Api, personas: Personas, tokens: Tokens) -> None:
    assert_problem(api.get("webhooks"), 401)
    read_only = create_token(personas.applicant.user, "reader", [scopes.READ])[1]
    assert_problem(api.as_(read_only).get("webhooks"), 403, "scope_missing")


def test_a_subscription_through_the_api_from_creation_to_deletion(
    api: Api, personas: Personas, tokens: Tokens
) -> None:
    own = api.as_(tokens.own)
    assert own.get("webhooks").json() == {"items": []}
    assert_problem(own.post("webhooks", {"url": "ftp://x.cn/h", "topic": "all"}), 422)
    with receiver() as hook:
        made = own.post("webhooks", {"url": hook.url, "topic": "all"})
        assert made.status_code == 201, made.content
        created = made.json()
        secret = created["secret"]
        assert secret.startswith("whsec_")
        sid = created["id"]
        assert "secret" not in own.get(f"webhooks/{sid}").json()
        ping = own.post(f"webhooks/{sid}/ping")
        assert ping.status_code == 202
        assert ping.json()["type"] == "ping"
        at_stage(personas, Status.UNDER_PUBLICITY)
        assert webhooks.deliver_due() == {"webhook_delivered": 2}
        for request in hook.received:
            Webhook(secret).verify(request.body, request.headers)
    deliveries = own.get(f"webhooks/{sid}/deliveries").json()["items"]
    assert [d["type"] for d in deliveries] == ["announce", "ping"]
    assert all(d["status"] == "delivered" and d["lastStatusCode"] == 200 for d in deliveries)
    assert deliveries[0]["eventId"] is not None
    assert {d["messageId"] for d in deliveries} == set(
        WebhookDelivery.objects.values_list("message_id", flat=True)
    )
    rotated = own.post(f"webhooks/{sid}/rotate").json()
    assert rotated["secret"] != secret
    paused = own.patch(f"webhooks/{sid}", {"active": False}).json()
    assert paused["active"] is False
    assert paused["delivered"] == 2
    other = api.as_(tokens.other)
    assert_problem(other.get(f"webhooks/{sid}"), 404)
    assert_problem(other.delete(f"webhooks/{sid}"), 404)
    assert own.delete(f"webhooks/{sid}").status_code == 204
    assert_problem(own.get(f"webhooks/{sid}"), 404)
