"""axe-core finds no serious violation on the public pages, in both languages, on a desktop
and a phone (screenshots kept under test-artifacts/browser/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import DESKTOP, PHONE, chromium, keep_screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/search", "/announcements", "/statistics", "/verify"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_pages_have_no_serious_violation(
    browser: Any, live_server: Any, language: str, size: str
) -> None:
    context = browser.new_context(viewport=DESKTOP if size == "desktop" else PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response is not None, path
            assert response.status == 200, path
            assert serious_violations(page) == [], path
            keep_screenshot(page, f"public{path.replace('/', '-')}-{language}-{size}")
    finally:
        context.close()
