"""Every page in Simplified Chinese and English; the catalogue is complete."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.test import Client

CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "dataip"
    / "locale"
    / "zh_Hans"
    / "LC_MESSAGES"
    / "django.po"
)


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["数据知识产权登记", "登记检索", "公示", "登录"]),
        ("en", ["Data IP Registry", "Search the registry", "Announcements", "Sign in"]),
    ],
)
def test_it_speaks_the_language_asked_for(language: str, words: list[str]) -> None:
    text = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
    assert f'<html lang="{language}">' in text
    for word in words:
        assert word in text


@pytest.mark.django_db
def test_it_defaults_to_chinese_and_switches_language() -> None:
    client = Client()
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search"})
    assert response.status_code == 302
    assert response["Location"] == "/search"
    assert '<html lang="en">' in client.get("/search").content.decode()
