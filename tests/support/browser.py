"""One way to drive Debian's Chromium with Playwright in the tests: launch it, size it as a
desktop or a phone, keep screenshots as test artifacts, and ask axe-core (installed from the
npm lock by ``bin/vendor`` into ``node_modules/``) for accessibility violations.

A browser test module uses it like this::

    pytestmark = [pytest.mark.browser, pytest.mark.slow]

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Any]:
        with chromium() as launched:
            yield launched

    def test_page(browser, live_server):
        page = browser.new_page(viewport=PHONE, locale="zh-CN")
        page.goto(live_server.url + "/")
        assert serious_violations(page) == []
        keep_screenshot(page, "home-phone-zh")
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DATAIP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
"""An iPhone-sized viewport (CSS pixels)."""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium for as long as the block lasts."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/system-deps (it installs chromium)")
    # Playwright's sync API keeps an event loop running in this thread; Django then refuses
    # database calls from it unless told that this (test-only) use is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def keep_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under ``test-artifacts/browser/`` and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now,
    one line each (rule, impact, first offending element). The script is evaluated through
    the DevTools protocol, so the page's strict CSP stays as it is."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run bin/vendor (it installs axe-core)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                target: (v.nodes[0] && v.nodes[0].target.join(' ')) || '',
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
