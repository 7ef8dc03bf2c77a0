"""The public event feeds (Atom 1.0, JSON Feed 1.1) and the webhooks' portal pages: feeds
parse, paging by cursor returns each event once, nothing of an unpublished application shows,
and the pages work in both languages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from standardwebhooks import Webhook

from dataip.registry import webhooks
from dataip.registry.models import Application, WebhookDelivery, WebhookSubscription
from dataip.registry.queries import feed
from dataip.registry.services import lifecycle
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas
from tests.support.receiver import receiver
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _loopback_receivers(settings: Any) -> None:
    """The test receivers listen on 127.0.0.1, which deployments refuse by default."""
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = True


@pytest.fixture
def world(personas: Personas) -> dict[str, Application]:
    """A registration later cancelled, an announced application, and one still approved
    (unpublished: nothing of it may show)."""
    registered = at_stage(personas, Status.REGISTERED)
    lifecycle.cancel(registered.pk, actor=personas.applicant.actor, reason="不再使用", at=day(60))
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    hidden = at_stage(personas, Status.APPROVED)
    return {"registered": registered, "announced": announced, "hidden": hidden}


def _secrets_of(hidden: Application) -> list[str]:
    hidden.refresh_from_db()
    assert hidden.number
    return [hidden.number, f"/registry/{hidden.number}"]


def _json(client: Any, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/feed+json")
    body: dict[str, Any] = json.loads(response.content)
    return body


def test_the_json_feed_lists_each_public_event_once_across_pages(
    world: dict[str, Application],
) -> None:
    client = client_for(None)
    first = _json(client, "/feed.json")
    assert first["version"] == "https://jsonfeed.org/version/1.1"
    kinds = [item["_dataip"]["type"] for item in first["items"]]
    assert kinds == ["announce", "register", "cancel", "announce"]
    ids = [int(item["id"]) for item in first["items"]]
    assert ids == sorted(ids)
    seen: list[int] = []
    after: int | None = None
    for _page in range(10):  # page by page through the API's smaller pages
        page = feed.public_events(after, 1)
        seen += [d["id"] for d in page.items]
        if not page.items:
            break
        after = page.next_after
    assert seen == ids, "each event exactly once, in order"
    last = _json(client, first["next_url"].removeprefix("http://testserver"))
    nothing_new = _json(client, f"/feed.json?after={ids[-1]}")
    assert last["items"] == nothing_new["items"] == []
    assert nothing_new["next_url"].endswith(f"/feed.json?after={ids[-1]}"), "poll the same"


def test_the_atom_feed_parses_and_links_the_next_page(world: dict[str, Application]) -> None:
    response = client_for(None, language="zh-hans").get("/feed.atom?kind=registrations")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}category").get("term") for e in entries] == ["register", "cancel"]  # type: ignore[union-attr]
    registered = world["registered"]
    registered.refresh_from_db()
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").endswith(f"/registry/{registered.registration_number}")
    title = entries[0].findtext(f"{ATOM}title") or ""
    assert "登记" in title, title
    ids = {e.findtext(f"{ATOM}id") for e in entries}
    assert len(ids) == 2
    nexts = [ln.get("href", "") for ln in root.findall(f"{ATOM}link") if ln.get("rel") == "next"]
    assert len(nexts) == 1
    assert "kind=registrations" in nexts[0]
    assert "after=" in nexts[0]


def test_nothing_of_an_unpublished_application_is_in_the_feeds(
    world: dict[str, Application],
) -> None:
    client = client_for(None)
    bodies = [client.get(u).content.decode() for u in ("/feed.atom", "/feed.json")]
    for secret in _secrets_of(world["hidden"]):
        for body in bodies:
            assert secret not in body


def test_a_bad_cursor_or_kind_is_refused(world: dict[str, Application]) -> None:
    client = client_for(None)
    assert client.get("/feed.json?after=abc").status_code in {400, 422}
    assert client.get("/feed.atom?kind=secret").status_code in {400, 422}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_home_page_offers_the_feeds(db: None, language: str) -> None:
    text = client_for(None, language=language).get("/").content.decode()
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="/feed.atom"', text)
    assert re.search(r'<link rel="alternate" type="application/feed\+json" href="/feed.json"', text)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_administrator_subscribes_pings_rotates_pauses_and_deletes_on_the_portal(
    personas: Personas, language: str
) -> None:
    client = client_for(personas.applicant.user, language=language)
    assert client.get("/account/webhooks").status_code == 200
    refused = client.post("/account/webhooks", {"url": "ftp://x.cn/h", "topic": "all"})
    assert refused.status_code == 422
    with receiver() as hook:
        made = client.post("/account/webhooks", {"url": hook.url, "topic": "all"})
        assert made.status_code == 200
        secret = re.search(r'id="new-secret">(whsec_[^<]+)<', made.content.decode())
        assert secret is not None
        subscription = WebhookSubscription.objects.get()
        page = f"/account/webhooks/{subscription.pk}"
        assert client.post(f"{page}/ping").status_code == 302
        assert webhooks.deliver_due() == {"webhook_delivered": 1}
        (request,) = hook.received
        Webhook(secret.group(1)).verify(request.body, request.headers)
    detail = client.get(page).content.decode()
    assert WebhookDelivery.objects.get().message_id in detail
    assert "HTTP 200" in detail
    assert client.post(f"{page}/rotate", {}).status_code == 302, "not confirmed: nothing"
    assert WebhookSubscription.objects.get().secret == secret.group(1)
    rotated = client.post(f"{page}/rotate", {"confirm": "on"})
    assert 'id="new-secret"' in rotated.content.decode()
    assert WebhookSubscription.objects.get().secret != secret.group(1)
    client.post(f"{page}/active", {"active": "0"})
    assert not WebhookSubscription.objects.get().active
    assert client.post(f"{page}/delete", {}).status_code == 302
    assert WebhookSubscription.objects.exists(), "not confirmed: kept"
    assert client.post(f"{page}/delete", {"confirm": "on"}).status_code == 302
    assert not WebhookSubscription.objects.exists()


def test_the_webhook_pages_are_for_administrators_only(personas: Personas) -> None:
    member = personas.applicant.user
    member.org_role = "member"
    member.save()
    assert client_for(member).get("/account/webhooks").status_code == 404
    assert client_for(personas.objector.user).get("/account/webhooks").status_code == 404
    assert client_for(None).get("/account/webhooks").status_code == 302
