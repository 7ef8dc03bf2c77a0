"""The display widget: the SVG badge, the framed badge and the embed page (docs/platforms.md)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from dataip.registry.models import Application
from dataip.registry.services import lifecycle, pledges
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from tests.support.builders import PDF, day
from tests.support.personas import Personas, make_person, valid_uscc
from tests.web._builders import build, freeze

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def registered(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Application:
    freeze(monkeypatch, day(40))
    return build(personas, Status.REGISTERED, name="城市交通出行数据集")


def texts(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # noqa: S314 - our own response; parses: well-formed XML
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("lang", "status", "holders", "heading"),
    [
        ("zh", "已登记", "权利人", "数据知识产权登记"),
        ("en", "Registered", "Holders", "Data IP registration"),
    ],
)
def test_the_badge_is_an_svg_with_number_holder_status_and_validity(
    registered: Application, lang: str, status: str, holders: str, heading: str
) -> None:
    number = registered.registration_number
    response = Client().get(f"/registry/{number}/badge.svg", {"lang": lang})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    lines = texts(response.content)
    assert heading in lines
    assert number in lines
    assert status in " ".join(lines)
    holder_line = next(line for line in lines if line.startswith(holders))
    assert "甲数据科技有限公司" in holder_line
    assert str(registered.valid_until) in " ".join(lines)
    # No script, no style, no reference to anything outside the file.
    text = response.content.decode()
    for forbidden in ("<script", "<style", "href", "url(", "<image", "<foreignObject"):
        assert forbidden not in text
    assert "Noto Sans CJK SC" in text  # CJK fonts first


def test_the_default_language_is_chinese(registered: Application) -> None:
    content = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        f"/registry/{registered.registration_number}/badge.svg"
    )
    assert "已登记" in " ".join(texts(content.content))


def test_text_is_escaped(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, day(40))
    holder = personas.applicant.user.holder
    assert holder is not None
    holder.name = "<甲&\"乙'>"
    holder.save()
    application = build(personas, Status.REGISTERED)
    response = Client().get(f"/registry/{application.registration_number}/badge.svg")
    lines = texts(response.content)
    assert any('<甲&"乙' in line for line in lines)
    assert b"<\xe7\x94\xb2" not in response.content  # "<甲" never raw


def test_a_pledge_revocation_shows(
    registered: Application, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = create_holder(
        kind="legal_person", name="丙银行", identifier=valid_uscc(70), province_code="31"
    )
    make_person("banker", bank)
    pledges.pledge(
        registered.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.pk,
        amount="1000000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-1",
        at=day(50),
    )
    url = f"/registry/{registered.registration_number}/badge.svg"
    assert "质押中" in " ".join(texts(Client().get(url).content))
    assert "Under pledge" in " ".join(texts(Client().get(url, {"lang": "en"}).content))
    lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)沪0115民初1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
        at=day(60),
    )
    assert "已撤销" in " ".join(texts(Client().get(url).content))


def test_etag_and_304_and_head(registered: Application) -> None:
    url = f"/registry/{registered.registration_number}/badge.svg"
    client = Client()
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    assert first["Cache-Control"] == "public, max-age=300"
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = client.get(url, {"lang": "en"}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200
    assert other["ETag"] != etag
    head = client.head(url)
    assert head.status_code == 200
    assert head["ETag"] == etag
    assert head.content == b""


@pytest.mark.parametrize("stage", [Status.DRAFT, Status.EXPERT_REVIEW, Status.APPROVED])
def test_unpublished_or_unknown_numbers_are_plain_404s(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, stage: Status
) -> None:
    freeze(monkeypatch, day(40))
    hidden = build(personas, stage, name="保密数据集")
    numbers = [hidden.number or "X", "ZZ9999999999", str(hidden.pk)]
    for number in numbers:
        for suffix in ("badge.svg", "badge.html", "embed"):
            response = Client().get(f"/registry/{number}/{suffix}")
            assert response.status_code == 404, (number, suffix)
            assert "保密数据集" not in response.content.decode()


def test_the_framed_badge_may_be_framed_by_anyone_and_has_no_script(
    registered: Application,
) -> None:
    number = registered.registration_number
    response = Client().get(f"/registry/{number}/badge.html", {"lang": "en"})
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "X-Frame-Options" not in response
    text = response.content.decode()
    assert "<script" not in text
    assert "style=" not in text
    assert f"/verify/{number}" in text
    assert f"/registry/{number}/badge.svg?lang=en" in text
    assert (
        Client()
        .get(f"/registry/{number}/badge.html", HTTP_IF_NONE_MATCH=response["ETag"])
        .status_code
        == 200
    )  # other language
    assert (
        Client()
        .get(f"/registry/{number}/badge.html", {"lang": "en"}, HTTP_IF_NONE_MATCH=response["ETag"])
        .status_code
        == 304
    )


@pytest.mark.parametrize(
    ("language", "title", "lang"),
    [("zh-hans", "展示此登记", "zh"), ("en", "Display this registration", "en")],
)
def test_the_embed_page_offers_snippets_in_the_users_language(
    registered: Application, language: str, title: str, lang: str
) -> None:
    number = registered.registration_number
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/registry/{number}")
    assert f"/registry/{number}/embed" in page.content.decode()
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/registry/{number}/embed")
    assert response.status_code == 200
    text = response.content.decode()
    assert title in text
    snippet = response.context["image_snippet"]
    assert f"http://testserver/registry/{number}/badge.svg?lang={lang}" in snippet
    assert f'<a href="http://testserver/verify/{number}">' in snippet
    assert "&lt;a href=" in text  # shown as text to copy, not as markup
    assert "<iframe" in response.context["frame_snippet"]
