"""The help centre in Chromium: no serious axe-core violation in either language on a desktop
and a phone, the FAQ opens, and a template downloads (screenshots in test-artifacts/browser/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, PHONE, chromium, keep_screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_help_centre_is_accessible_and_works(
    browser: Any, live_server: Any, language: str, size: str
) -> None:
    context = browser.new_context(
        viewport=DESKTOP if size == "desktop" else PHONE, accept_downloads=True
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        response = page.goto(live_server.url + "/")
        assert response is not None
        page.click("footer a[href='/help/']")
        page.wait_for_url("**/help/")
        assert serious_violations(page) == []
        keep_screenshot(page, f"help-{language}-{size}")
        first = page.locator("#faq details").first
        first.locator("summary").click()
        assert first.evaluate("element => element.open") is True
        with page.expect_download() as downloading:
            page.click("a[href='/help/templates/innovation_explanation.md'] >> nth=0")
        download = downloading.value
        suffix = "en" if language == "en" else "zh"
        assert download.suggested_filename == f"innovation_explanation-{suffix}.md"
        text = Path(download.path()).read_text(encoding="utf-8")
        title = (
            "Explanation of processing and innovation" if suffix == "en" else "数据处理及创新性说明"
        )
        assert text.startswith(f"# {title}\n")
    finally:
        context.close()
