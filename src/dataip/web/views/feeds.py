"""The public event feeds (公开事件订阅源): ``/feed.atom`` (Atom 1.0) and ``/feed.json`` (JSON
Feed 1.1), for those who poll instead of receiving webhooks.

Both list the public events (:mod:`dataip.registry.queries.feed`) oldest first after the
cursor ``?after=<id>`` (an event's id, which is its ledger entry), 50 a page, with the link to
poll next (``rel="next"`` in Atom, ``next_url`` in JSON Feed): it names the last event of the
page, or the same cursor when nothing is new. ``?kind=registrations`` keeps the events that
change a registration. Titles are in the page's language; each JSON item carries the whole
public document, names in both languages, under ``_dataip``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import feedgenerator, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dataip.errors import FieldErrors, gettext_noop
from dataip.registry.queries import feed

PAGE = 50


class PagedAtomFeed(feedgenerator.Atom1Feed):
    """Atom 1.0 with a ``rel="next"`` link (RFC 5005 style) to the next page."""

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        handler.addQuickElement("link", "", {"rel": "next", "href": self.feed["next_url"]})


def _query(request: HttpRequest) -> tuple[int | None, str]:
    errors = FieldErrors()
    raw = request.GET.get("after", "").strip()
    after: int | None = None
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            errors.add("after", gettext_noop("The cursor must be an event id from the feed."))
        else:
            after = int(raw)
    kind = request.GET.get("kind", "all") or "all"
    if kind not in feed.KINDS:
        errors.add("kind", gettext_noop("Choose all or registrations."))
    errors.raise_if_any()
    return after, kind


def _link(path: str, after: int | None, kind: str) -> str:
    query = {k: v for k, v in (("kind", kind if kind != "all" else ""), ("after", after)) if v}
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{settings.DATAIP_PUBLIC_URL}{path}{suffix}"


def _title(document: dict[str, Any]) -> str:
    language = "en" if translation.get_language() == "en" else "zh-hans"
    name = document["productNameEn"] if language == "en" and document["productNameEn"] else None
    number = document["registrationNumber"] or document["applicationNumber"]
    return f"{document['typeLabel'][language]}: {name or document['productName']} ({number})"


def _tag(document: dict[str, Any]) -> str:
    host = urlsplit(settings.DATAIP_PUBLIC_URL).hostname or "localhost"
    return f"tag:{host},2025:event/{document['id']}"


def _feed_title(kind: str) -> str:
    if kind == "registrations":
        return _("Data IP Registry: changes to registrations")
    return _("Data IP Registry: public events")


@require_GET
def atom(request: HttpRequest) -> HttpResponse:
    """The public events as Atom 1.0."""
    after, kind = _query(request)
    page = feed.public_events(after, PAGE, kind)
    out = PagedAtomFeed(
        title=_feed_title(kind),
        link=f"{settings.DATAIP_PUBLIC_URL}/",
        description=_("Public events of the data intellectual property registry."),
        feed_url=_link("/feed.atom", after, kind),
        feed_guid=_link("/feed.atom", None, kind),
        language=translation.get_language() or "zh-hans",
        next_url=_link("/feed.atom", page.next_after, kind),
    )
    for document in page.items:
        when = datetime.fromisoformat(document["occurredAt"])
        out.add_item(
            title=_title(document),
            link=document["url"],
            description=_title(document),
            unique_id=_tag(document),
            pubdate=when,
            updateddate=when,
            categories=[document["type"]],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    out.write(response, "utf-8")
    return response


@require_GET
def json_feed(request: HttpRequest) -> HttpResponse:
    """The public events as JSON Feed 1.1."""
    after, kind = _query(request)
    page = feed.public_events(after, PAGE, kind)
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _feed_title(kind),
        "home_page_url": f"{settings.DATAIP_PUBLIC_URL}/",
        "feed_url": _link("/feed.json", after, kind),
        "next_url": _link("/feed.json", page.next_after, kind),
        "language": translation.get_language() or "zh-hans",
        "items": [
            {
                "id": str(document["id"]),
                "url": document["url"],
                "title": _title(document),
                "content_text": _title(document),
                "date_published": document["occurredAt"],
                "tags": [document["type"]],
                "_dataip": document,
            }
            for document in page.items
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/feed+json; charset=utf-8"
    )
