"""The bulletin in a real browser (Debian's Chromium via Playwright), in Chinese and English:
every chart is drawn (an SVG in each chart's box) under the strict CSP, with no console error.
A screenshot of each is kept under ``test-artifacts/browser/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.bulletin import build_registry
from tests.support.personas import Personas
from tests.web.test_browser import ARGS, ARTIFACTS, CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    import os

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.parametrize(("language", "title"), [("zh-CN", "统计公报"), ("en-US", "Statistical")])
def test_every_chart_is_drawn(
    browser: Any,
    live_server: Any,
    transactional_db: None,
    personas: Personas,
    language: str,
    title: str,
) -> None:
    build_registry(personas)
    context = browser.new_context(
        locale=language, base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto("/statistics")
    assert response is not None
    assert response.status == 200
    assert title in page.locator("h1").inner_text()
    page.wait_for_selector("[data-chart][data-rendered=true]")
    charts = page.locator("[data-chart]")
    assert charts.count() == 4
    for i in range(4):
        chart = charts.nth(i)
        assert chart.get_attribute("data-rendered") == "true"
        assert chart.locator("svg, canvas").count() >= 1, chart.get_attribute("data-chart")
    assert page.locator("table.bulletin-table caption").count() >= 4
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"statistics-{language}.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".bulletin-filter").is_hidden()
    context.close()
    assert errors == []
