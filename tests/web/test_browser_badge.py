"""The display widget in a real browser (Chromium driven by Playwright): embedded by another
site under a strict Content-Security-Policy, and on our own embed page under ours."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dataip.registry.models import Application
from dataip.registry.workflow import Status
from tests.support.builders import day
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.test_browser import ARGS, CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/system-deps (it installs chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def embedding_site(page: str, policy: str) -> Iterator[str]:
    """A second loopback server: one page, sent with ``policy``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def registered(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, live_server: Any
) -> Application:
    freeze(monkeypatch, day(40))
    return build(personas, Status.REGISTERED, name="城市交通出行数据集")


def open_page(browser: Any, url: str, language: str = "zh-CN") -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale=language)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    page.wait_for_load_state("load")
    return context, page, errors


def loaded(frame: Any, selector: str) -> int:
    """The natural width of the image ``selector`` once it has loaded (0: it did not)."""
    found = f"document.querySelector('{selector}')"
    frame.wait_for_function(f"() => {found} && {found}.complete")
    return int(frame.evaluate(f"() => document.querySelector('{selector}').naturalWidth"))


def test_the_badge_loads_on_a_site_with_a_strict_policy(
    browser: Any, live_server: Any, registered: Application
) -> None:
    ours = live_server.url
    number = registered.registration_number
    page_html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Listing</title></head><body>"
        f"<a href='{ours}/verify/{number}'><img id='badge' src='{ours}/registry/{number}/badge.svg'"
        " width='400' height='96' alt='badge'></a>"
        f"<iframe id='frame' src='{ours}/registry/{number}/badge.html?lang=en' width='400'"
        " height='96' title='badge' sandbox='allow-popups allow-popups-to-escape-sandbox"
        " allow-top-navigation-by-user-activation'></iframe></body></html>"
    )
    policy = f"default-src 'none'; img-src {ours}; frame-src {ours}"
    site = embedding_site(page_html, policy)
    url = next(site)
    try:
        context, page, errors = open_page(browser, url)
        assert loaded(page, "#badge") > 0
        frame = page.frame_locator("#frame")
        assert frame.locator("img").count() == 1
        inner = next(f for f in page.frames if "/badge.html" in f.url)
        assert loaded(inner, "img") > 0
        assert inner.evaluate("() => document.querySelector('a').href").endswith(
            f"/verify/{number}"
        )
        assert errors == [], errors  # no CSP violation, no failed load
        context.close()
    finally:
        next(site, None)


def test_our_embed_page_shows_the_preview_under_our_policy(
    browser: Any, live_server: Any, registered: Application
) -> None:
    for language, heading in (("zh-CN", "展示此登记"), ("en-US", "Display this registration")):
        context, page, errors = open_page(
            browser, f"{live_server.url}/registry/{registered.registration_number}/embed", language
        )
        assert heading in page.inner_text("h1")
        assert loaded(page, ".badge-preview img") > 0
        snippet = page.input_value("#snippet-img")
        assert snippet.startswith(f'<a href="{live_server.url}/verify/')
        assert errors == [], errors
        context.close()
