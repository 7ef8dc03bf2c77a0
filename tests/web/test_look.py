"""The portal's frame on every page: the footer's settings (shown when set, absent when empty),
the breadcrumbs computed from the page's declaration, the language menu naming each language in
its own name, and the phone menu that works without script."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dataip.config.settings import PACKAGE_DIR
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn

pytestmark = pytest.mark.django_db


def crumbs(html: str) -> list[str]:
    """The breadcrumbs' texts, in order (the current page last)."""
    found = re.search(r'<nav class="breadcrumbs"[^>]*><ol>(.*?)</ol></nav>', html, re.S)
    if found is None:
        return []
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", found[1])]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_footer_shows_contact_hours_and_record_number_when_set(
    settings: Any, sign_in: SignIn, language: str
) -> None:
    settings.DATAIP_SITE_CONTACT = "400-000-0000 · help@registry.example"
    settings.DATAIP_SITE_HOURS = "9:00–17:00"
    settings.DATAIP_SITE_RECORD_NUMBER = "沪ICP备00000000号"
    html = sign_in(None, language=language).get("/search").content.decode()
    footer = html[html.index('<footer class="site">') :]
    assert "400-000-0000 · help@registry.example" in footer
    assert "9:00–17:00" in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">沪ICP备00000000号</a>' in footer
    words = ("Contact", "Service hours") if language == "en" else ("联系方式", "服务时间")
    assert all(word in footer for word in words)


def test_the_footer_leaves_out_what_is_not_set(settings: Any, sign_in: SignIn) -> None:
    settings.DATAIP_SITE_CONTACT = "help@registry.example"
    settings.DATAIP_SITE_HOURS = ""
    settings.DATAIP_SITE_RECORD_NUMBER = ""
    html = sign_in(None).get("/").content.decode()
    assert 'id="site-contact"' in html
    assert 'id="site-hours"' not in html
    assert 'id="site-record-number"' not in html
    settings.DATAIP_SITE_CONTACT = ""
    html = sign_in(None).get("/").content.decode()
    assert 'class="footer-facts"' not in html
    assert "Contact" not in html


def test_the_home_page_has_no_breadcrumbs_and_public_pages_have(sign_in: SignIn) -> None:
    client = sign_in(None)
    assert crumbs(client.get("/").content.decode()) == []
    assert crumbs(client.get("/search").content.decode()) == ["Home", "Search"]
    zh = sign_in(None, language="zh-hans")
    assert crumbs(zh.get("/announcements").content.decode()) == ["首页", "公示"]


def test_breadcrumbs_lead_back_through_the_pages_above(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    app = build(personas, Status.UNDER_PUBLICITY)
    public = sign_in(None).get(f"/registry/{app.number}").content.decode()
    assert crumbs(public) == ["Home", "Search", app.number]
    assert '<a href="/search">Search</a>' in public
    assert f'<span aria-current="page">{app.number}</span>' in public

    holder = sign_in(personas.applicant)
    step = holder.get(f"/applications/{app.pk}/steps/basics").content.decode()
    assert crumbs(step) == ["Home", "My applications", "Application", "Edit the application"]
    assert f'<a href="/applications/{app.pk}">Application</a>' in step

    examiner = sign_in(personas.examiner)
    case = examiner.get(f"/examine/{app.pk}").content.decode()
    assert crumbs(case) == ["Home", "Examination", "Case"]
    assert '<a href="/examine/">Examination</a>' in case


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_language_menu_names_each_language_in_its_own_name(
    sign_in: SignIn, language: str
) -> None:
    html = sign_in(None, language=language).get("/").content.decode()
    assert '<option value="en" lang="en">English</option>' in html or (
        '<option value="en" lang="en" selected>English</option>' in html
    )
    assert 'lang="zh-hans"' in html
    assert ">简体中文</option>" in html
    assert "英语" not in html


def test_the_phone_menu_is_a_labelled_toggle_that_needs_no_script(sign_in: SignIn) -> None:
    html = sign_in(None).get("/").content.decode()
    assert (
        '<input type="checkbox" id="menu-toggle" class="menu-toggle" aria-controls="site-menu">'
        in html
    )
    assert '<label for="menu-toggle" class="menu-button">' in html
    assert 'id="site-menu"' in html
    assert 'src="/static/web/emblem.svg"' in html


def test_buttons_say_what_kind_of_act_they_are(
    personas: Personas, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch)
    app = build(personas, Status.SUBMITTED)
    login = sign_in(None).get("/account/login").content.decode()
    assert '<button type="submit" class="btn btn-primary">Sign in</button>' in login
    page = sign_in(personas.applicant).get(f"/applications/{app.pk}").content.decode()
    assert '<button type="submit" class="btn btn-danger">Withdraw</button>' in page
    css = (PACKAGE_DIR / "web" / "static" / "web" / "site.css").read_text()
    for name in (".btn-primary", ".btn-secondary", ".btn-danger"):
        assert name in css
