"""The review step in Chromium: axe-core finds no serious violation on the steps and the review,
the declaration must be ticked, then the application is submitted and its PDF copy offered
(screenshots kept under test-artifacts/browser/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dataip.registry.workflow import Status
from tests.support.browser import DESKTOP, PHONE, chromium, keep_screenshot, serious_violations
from tests.support.personas import Personas
from tests.web._builders import build
from tests.web.conftest import client_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize(("language", "size"), [("zh-hans", "phone"), ("en", "desktop")])
def test_the_applicant_checks_declares_and_submits(
    browser: Any, live_server: Any, personas: Personas, language: str, size: str
) -> None:
    app = build(personas, Status.DRAFT)
    session = client_for(personas.applicant.user, language=language).cookies["sessionid"].value
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE)
    context.add_cookies(
        [
            {"name": "django_language", "value": language, "url": live_server.url},
            {"name": "sessionid", "value": session, "url": live_server.url},
        ]
    )
    page = context.new_page()
    base = f"{live_server.url}/applications/{app.pk}"
    try:
        for step in ("basics", "source", "details", "holders"):
            assert page.goto(f"{base}/steps/{step}").status == 200
            assert serious_violations(page) == [], step
            assert page.locator("[aria-required=true]").count() >= 1, step
        keep_screenshot(page, f"submit-step-holders-{language}-{size}")
        assert page.goto(f"{base}/steps/review").status == 200
        assert serious_violations(page) == []
        assert page.locator("nav.steps li.done").count() == 6
        assert page.locator(".review-fields .badge.confidential").count() >= 1
        keep_screenshot(page, f"submit-review-{language}-{size}")
        with page.expect_navigation():
            page.locator("form.declaration-form button[type=submit]").click()
        assert page.locator("#declaration-error").is_visible()
        assert serious_violations(page) == []
        keep_screenshot(page, f"submit-refused-{language}-{size}")
        page.check("#id_declaration")
        with page.expect_navigation():
            page.locator("form.declaration-form button[type=submit]").click()
        assert page.url == f"{base}"
        assert page.locator(f"a[href='/applications/{app.pk}/application.pdf']").count() == 1
        assert serious_violations(page) == []
        keep_screenshot(page, f"submit-submitted-{language}-{size}")
    finally:
        context.close()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
