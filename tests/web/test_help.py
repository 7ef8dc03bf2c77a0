"""The help centre (/help/): kinds, materials with templates, each regime's deadlines in words
from the regime declarations, deposits and verification, in both languages."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest
from django.test import Client

from dataip.registry import fields, regimes
from dataip.registry.calendar import DayUnit
from dataip.registry.kinds import MaterialKind
from dataip.registry.regimes import Period, Regime


def page(language: str, url: str = "/help/") -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(url)
    assert response.status_code == 200
    return response.content.decode()


def row_of(text: str, code: str) -> str:
    start = text.index(f'<tr id="regime-{code}"')
    return text[start : text.index("</tr>", start)]


@pytest.mark.django_db
def test_the_help_centre_speaks_english() -> None:
    text = page("en")
    assert "<h1>Help and FAQ</h1>" in text
    for kind in ("Data collection", "Data product", "Data algorithm / AI model"):
        assert kind in text
    shanghai = row_of(text, "shanghai")  # the deployment's regime (settings.DATAIP_REGIME)
    assert "(this registry)" in shanghai
    assert "15 calendar days" in shanghai  # announcement, from shanghai.toml
    assert "calendar_days" not in text
    assert "working_days" not in text
    assert "10 working days" in row_of(text, "beijing")
    assert "3 years" in shanghai
    assert 'href="/verify"' in text
    assert 'href="/deposits/"' in text
    assert 'href="/help/templates/product_summary.md"' in text
    assert "The application is announced publicly for 15 calendar days" in text


@pytest.mark.django_db
def test_the_help_centre_speaks_chinese() -> None:
    text = page("zh-hans")
    assert "<h1>帮助与常见问题</h1>" in text
    for kind in ("数据集合", "数据产品", "数据算法/模型"):
        assert kind in text
    shanghai = row_of(text, "shanghai")
    assert "15 个自然日" in shanghai
    assert "上海市知识产权局" in shanghai
    assert "10 个工作日" in row_of(text, "beijing")
    assert "3 年" in shanghai
    assert "申请将公示 15 个自然日" in text
    assert "calendar" not in text


@pytest.mark.django_db
def test_the_figures_follow_the_declarations(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = regimes.all_regimes()
    changed: dict[str, Regime] = dict(shipped)
    changed["shanghai"] = dataclasses.replace(
        shipped["shanghai"],
        announcement=Period(21, DayUnit.WORKING_DAYS),
        validity_years=5,
        renewal_window_days=45,
    )
    frozen: Mapping[str, Regime] = MappingProxyType(changed)
    monkeypatch.setattr(regimes, "all_regimes", lambda: frozen)
    english = row_of(page("en"), "shanghai")
    assert "21 working days" in english
    assert "5 years" in english
    assert "from 45 calendar days before expiry" in english
    assert "21 个工作日" in row_of(page("zh-hans"), "shanghai")


@pytest.mark.django_db
def test_the_deployments_regime_comes_first(settings: Any) -> None:
    settings.DATAIP_REGIME = "beijing"
    text = page("en")
    assert text.index('id="regime-beijing"') < text.index('id="regime-shanghai"')
    assert "(this registry)" in row_of(text, "beijing")
    assert "(this registry)" not in row_of(text, "shanghai")
    # Beijing registers data collections only: the other kinds say so
    assert "not registered by this registry" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "suffix"),
    [("en", "# Summary of the data product", "en"), ("zh-hans", "# 数据产品概要", "zh")],
)
def test_a_template_downloads_as_markdown(language: str, title: str, suffix: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/help/templates/product_summary.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="product_summary-{suffix}.md"'
    )
    text = response.content.decode()
    assert text.startswith(title + "\n")
    if language == "en":
        # each section is a declared product field, with its declared help
        assert "## Data structure" in text
        assert "*The tables or files, their fields and formats" in text
        assert "## How the data was lawfully obtained" in text
        assert "*Confidential: seen only by the registry and its experts.*" in text
    else:
        assert "## 数据结构" in text
        assert "保密" in text


@pytest.mark.django_db
def test_every_template_has_the_sections_it_declares() -> None:
    from dataip.web.views.help import TEMPLATES

    assert set(TEMPLATES) == {
        MaterialKind.APPLICATION_FORM,
        MaterialKind.PRODUCT_SUMMARY,
        MaterialKind.INNOVATION_EXPLANATION,
        MaterialKind.SCENARIO_DESCRIPTION,
    }
    for material, names in TEMPLATES.items():
        text = page("en", f"/help/templates/{material.value}.md")
        headings = [line for line in text.splitlines() if line.startswith("## ")]
        assert len(headings) == len(names)
        for name, heading in zip(names, headings, strict=True):
            assert heading[3:].lower() == str(fields.FIELDS_BY_NAME[name].label).lower()


@pytest.mark.django_db
def test_no_template_for_a_material_without_one() -> None:
    assert Client().get("/help/templates/samples.md").status_code == 404
    assert Client().get("/help/templates/nothing.md").status_code == 404


@pytest.mark.django_db
def test_every_page_links_the_help_centre() -> None:
    assert 'href="/help/"' in page("en", "/")
    assert 'href="/help/"' in page("zh-hans", "/search")
