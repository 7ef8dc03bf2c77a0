"""Each role's main pages in a real browser, in both languages, on a desktop and a phone:
axe-core finds no serious or critical violation on any of them, and a screenshot of each is kept
under ``test-artifacts/browser/journeys-<language>-<size>-<page>.png``. The phone's header stays
small with the menu closed, and its menu button opens the navigation.

The registry's state is made through the services (tests/web/_builders.py); people are signed in
by copying the session cookie of Django's test client into the browser's context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dataip.accounts.models import User
from dataip.registry.models import Application
from dataip.registry.services import examination
from dataip.registry.workflow import Status
from tests.support.browser import DESKTOP, PHONE, chromium, keep_screenshot, serious_violations
from tests.support.builders import day, draft
from tests.support.exchanges import exchange_member
from tests.support.personas import Personas, make_holder, make_person
from tests.web._builders import build, freeze
from tests.web.conftest import client_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@dataclass
class World:
    """The people and applications every journey visits."""

    personas: Personas
    registered: Application
    announced: Application
    in_review: Application
    draft: Application
    bank: User
    exchange: User


@pytest.fixture
def world(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> World:
    freeze(monkeypatch)
    registered = build(personas, Status.REGISTERED)
    announced = build(personas, Status.UNDER_PUBLICITY)
    in_review = build(personas, Status.EXPERT_REVIEW)
    examination.assign_expert(
        in_review.pk, actor=personas.registrar.actor, expert=personas.experts[0].user, at=day(4)
    )
    lender = make_holder(80, "工商银行 Lender Bank")
    lender.is_lender = True
    lender.save(update_fields=["is_lender"])
    return World(
        personas=personas,
        registered=registered,
        announced=announced,
        in_review=in_review,
        draft=draft(personas),
        bank=make_person("banker", lender).user,
        exchange=exchange_member().user,
    )


def visit(
    browser: Any, live_server: Any, who: User | None, language: str, size: str, pages: list[str]
) -> None:
    """Open each page as ``who``: answered 200, no serious axe violation, a screenshot kept."""
    context = browser.new_context(viewport=SIZES[size])
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if who is not None:
        session = client_for(who, language=language).cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    page = context.new_page()
    role = who.username if who is not None else "public"
    try:
        for path in pages:
            where = f"{path} as {role} in {language} on a {size}"
            response = page.goto(live_server.url + path)
            assert response is not None, where
            assert response.status == 200, where
            assert page.locator("h1").count() >= 1, where
            if path != "/":
                assert page.locator("nav.breadcrumbs a[href='/']").count() == 1, where
            if size == "phone":
                assert page.locator("header.site").bounding_box()["height"] < 120, where
            assert serious_violations(page) == [], where
            name = path.strip("/").replace("/", "-").replace("?", "-") or "home"
            keep_screenshot(page, f"journeys-{language}-{size}-{role}-{name}")
    finally:
        context.close()


def test_every_roles_main_pages_pass_axe_in_both_languages_on_both_sizes(
    browser: Any, live_server: Any, world: World
) -> None:
    # One world for the four runs: building it is the slow part.
    for language in ("zh-hans", "en"):
        for size in ("desktop", "phone"):
            journeys(browser, live_server, world, language, size)


def journeys(browser: Any, live_server: Any, world: World, language: str, size: str) -> None:
    p = world.personas
    number = world.registered.registration_number
    announced = world.announced.number
    visit(
        browser,
        live_server,
        None,
        language,
        size,
        [
            "/",
            "/search?q=数据",
            f"/registry/{number}",
            f"/registry/{announced}",
            "/verify",
            f"/verify/{number}",
            "/announcements",
            "/statistics",
        ],
    )
    visit(
        browser,
        live_server,
        p.applicant.user,
        language,
        size,
        [
            "/applications/",
            f"/applications/{world.draft.pk}",
            f"/applications/{world.draft.pk}/steps/basics",
            f"/applications/{world.draft.pk}/steps/review",
            f"/deposits/applications/{world.draft.pk}",
            "/deposits/",
            f"/applications/{world.registered.pk}/rights/",
        ],
    )
    visit(
        browser,
        live_server,
        p.examiner.user,
        language,
        size,
        [
            "/examine/",
            f"/examine/{world.announced.pk}",
            f"/examine/{world.in_review.pk}",
        ],
    )
    visit(
        browser,
        live_server,
        p.experts[0].user,
        language,
        size,
        [
            "/review/",
            f"/review/{world.in_review.pk}",
        ],
    )
    visit(
        browser,
        live_server,
        p.registrar.user,
        language,
        size,
        [
            "/examine/",
            "/examine/organisations",
            "/examine/staff",
        ],
    )
    visit(
        browser, live_server, world.bank, language, size, ["/bank/encumbrances", "/bank/pledges/"]
    )
    visit(browser, live_server, world.exchange, language, size, ["/exchange/", "/exchange/trades"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_phone_header_is_small_and_its_menu_opens(
    browser: Any, live_server: Any, personas: Personas, language: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    session = client_for(personas.examiner.user, language=language).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(live_server.url + "/search")
        header = page.locator("header.site")
        assert header.bounding_box()["height"] < 120
        queue_link = page.locator("header.site nav a[href='/examine/']")
        assert not queue_link.is_visible()
        button = page.locator("label.menu-button")
        assert button.is_visible()
        button.click()
        assert queue_link.is_visible()
        assert page.locator("#language").is_visible()
        assert serious_violations(page) == []
        keep_screenshot(page, f"journeys-{language}-phone-menu-open")
        button.click()
        assert not queue_link.is_visible()
        # The keyboard: the menu's checkbox takes the focus and Space toggles it.
        page.focus("#menu-toggle")
        page.keyboard.press("Space")
        assert queue_link.is_visible()
    finally:
        context.close()


def test_the_desktop_shows_the_navigation_without_a_menu_button(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/statistics")
        assert page.locator("header.site nav a[href='/search']").is_visible()
        assert not page.locator("label.menu-button").is_visible()
        assert page.locator("nav.breadcrumbs a[href='/']").is_visible()
    finally:
        context.close()
