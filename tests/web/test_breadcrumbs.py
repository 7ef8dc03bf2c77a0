"""Every HTML page of the portal has a place in the breadcrumbs (``web/breadcrumbs.py``).

The URL patterns of the ``web`` and ``deposits`` namespaces are walked; each named route must be
either declared in ``PAGES`` or listed below in ``NOT_PAGES`` with the reason it shows no HTML page
of its own. A new page that is in neither fails here, so the trail cannot silently go missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from dataip.web.breadcrumbs import PAGES
from tests.support.personas import Personas
from tests.web.conftest import SignIn
from tests.web.test_look import crumbs

NAMESPACES = ("web", "deposits")

# The named routes that answer with no HTML page of their own, each with why.
NOT_PAGES: dict[str, str] = {
    # The home page: the root of every trail, shown without one.
    "web:home": "home",
    "web:staff-home": "home",  # redirects to the staff member's own first page
    # Downloads and files (PDF, CSV, JSON, Markdown, PEM, SVG, RDF, uploaded files).
    "deposits:receipt-json": "download",
    "deposits:receipt-pdf": "download",
    "deposits:manifest": "download",
    "deposits:tsa-ca": "download",
    "web:verify-ca": "download",
    "web:verify-bundle": "download",
    "web:registration-as": "download",
    "web:registration-croissant": "download",
    "web:catalogue-as": "download",
    "web:concept-scheme": "download",  # Turtle or JSON-LD, never HTML
    "web:concept-scheme-as": "download",
    "web:help-template": "download",
    "web:statistics-csv": "download",
    "web:objection-file": "file",
    "web:answer-file": "file",
    "web:enrol-qr": "download",
    "web:application-copy": "download",
    "web:material": "file",
    "web:certificate": "download",
    "web:encumbrance-statement": "download",
    "web:pledge-certificate": "download",
    "web:organisation-document": "file",
    "web:decision-file": "file",
    "web:evidence": "file",
    "web:export-jsonl": "download",
    "web:export-csv": "download",
    "web:export-snapshot": "download",
    # Feeds and the badge, meant for readers and other sites' pages, not for people browsing.
    "web:feed-atom": "feed",
    "web:feed-json": "feed",
    "web:badge-svg": "badge",
    "web:badge-html": "badge",  # a fragment framed inside another site's page
    # Actions answered by a redirect (POST only, or a link followed once).
    "deposits:cite": "post-only",
    "deposits:uncite": "post-only",
    "web:logout": "post-only",
    "web:resend-verification": "post-only",
    "web:verify-email": "redirect",
    "web:notifications-read-all": "post-only",
    "web:notification-read": "post-only",
    "web:revoke-api-token": "post-only",
    "web:rotate-api-token": "post-only",
    "web:organisation-invite": "post-only",
    "web:organisation-role": "post-only",
    "web:organisation-remove": "post-only",
    "web:organisation-withdraw": "post-only",
    "web:webhook-active": "post-only",
    "web:webhook-ping": "post-only",
    "web:webhook-rotate": "post-only",
    "web:webhook-delete": "post-only",
    "web:remove-material": "post-only",
    "web:submit": "post-only",
    "web:withdraw": "post-only",
    "web:staff-deactivate": "post-only",
    "web:staff-resend-enrolment": "post-only",
    "web:staff-expertise": "post-only",
    "web:save-view": "post-only",
    "web:delete-view": "post-only",
    "web:act": "post-only",
}


def route_names(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from route_names(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def portal_routes() -> set[str]:
    return {n for n in route_names(get_resolver()) if n.split(":")[0] in NAMESPACES}


def test_every_html_page_route_has_breadcrumbs() -> None:
    missing = sorted(portal_routes() - set(PAGES) - set(NOT_PAGES))
    assert missing == [], f"routes neither in breadcrumbs.PAGES nor in NOT_PAGES: {missing}"


def test_the_declarations_name_real_routes_and_do_not_overlap() -> None:
    routes = portal_routes()
    assert sorted(set(PAGES) - routes) == []
    assert sorted(set(NOT_PAGES) - routes) == []
    assert sorted(set(PAGES) & set(NOT_PAGES)) == []
    assert sorted({parent for _label, parent in PAGES.values() if parent} - set(PAGES)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["Home", "Help and FAQ"]), ("zh-hans", ["首页", "帮助与常见问题"])],
)
def test_the_help_centre_shows_its_trail(language: str, expected: list[str]) -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("web:help")).content.decode()
    assert crumbs(html) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["Home", "Examination", "Dashboard"]), ("zh-hans", ["首页", "审查", "工作台"])],
)
def test_the_staff_dashboard_shows_its_trail(
    personas: Personas, sign_in: SignIn, language: str, expected: list[str]
) -> None:
    html = sign_in(personas.examiner, language=language).get("/examine/dashboard")
    assert html.status_code == 200
    assert crumbs(html.content.decode()) == expected
