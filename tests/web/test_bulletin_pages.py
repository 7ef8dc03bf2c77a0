"""The bulletin's pages: the public page in both languages (prose, tables, the data block the
charts read, the suppression rule), its filters, the CSV downloads, the staff's page."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.bulletin import Registry, build_registry
from tests.support.personas import Personas
from tests.web.conftest import SignIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas: Personas) -> Registry:
    return build_registry(personas)


def _data(text: str) -> dict[str, object]:
    start = text.index('<script id="bulletin-data" type="application/json">')
    body = text[start:].split(">", 1)[1].split("</script>", 1)[0]
    loaded: dict[str, object] = json.loads(body)
    return loaded


def test_the_public_bulletin_in_english(registry: Registry, sign_in: SignIn) -> None:
    response = sign_in(None, language="en").get("/statistics")
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Since the registry opened, in all provinces, the registry accepted 5 applications" in text
    )
    assert "(60.0% filed by enterprises) and issued 4 registration certificates" in text
    assert "3 were traded on data exchanges, for 1,000,000.00 yuan" in text
    assert "licence income of not published (fewer than 3 products)" in text
    assert "150,000" not in text, "suppressed for the public"
    assert "150000" not in text
    assert "5,000,000" not in text
    assert "5000000" not in text
    assert "2 enterprises obtained pledge financing on 2 products" in text
    data = _data(text)
    assert data["provinces"] == {
        "categories": ["Shanghai", "Beijing", "Guangdong"],
        "values": [2, 1, 1],
        "name": "Registrations",
    }
    assert data["amounts"]["values"] == [None, 1000000.0, None, None]  # type: ignore[index]
    for caption in (
        "Applications accepted and registrations by month",
        "Registrations by industry (GB/T 4754 division)",
        "Registrations by province",
        "Amounts by kind of use",
    ):
        assert f"<caption>{caption}" in text
    assert text.count('class="chart" data-chart=') == 4
    assert "vendor/echarts.min.js" in text
    assert "web/bulletin.js" in text
    assert "<script>" not in text, "no inline script"


def test_the_public_bulletin_in_chinese(registry: Registry, sign_in: SignIn) -> None:
    text = sign_in(None, language="zh-hans").get("/statistics").content.decode()
    assert "统计公报" in text
    assert "自登记机构开办以来，全国各省份范围内，登记机构共受理登记申请 5 件" in text
    assert "交易金额 1000000.00 元" in text
    assert "许可收入 不公开（涉及产品少于 3 个）" in text
    assert _data(text)["provinces"]["categories"] == ["上海市", "北京市", "广东省"]  # type: ignore[index]


def test_filters(registry: Registry, sign_in: SignIn) -> None:
    client = sign_in(None, language="en")
    text = client.get("/statistics?start=2026-06-01&end=2026-06-30").content.decode()
    assert "From 2026-06-01 to 2026-06-30" in text
    assert "issued 0 registration certificates" in text
    text = client.get("/statistics?province=31").content.decode()
    assert "in Shanghai, the registry accepted 3 applications" in text
    assert "for not published (fewer than 3 products)" in text, "two products traded"
    bad = client.get("/statistics?start=2026-06-30&end=2026-06-01")
    assert bad.status_code == 422
    assert "The end of the period comes before its start." in bad.content.decode()


def test_csv_downloads(registry: Registry, sign_in: SignIn) -> None:
    client = sign_in(None, language="en")
    response = client.get("/statistics.csv?table=provinces")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Category", "Registrations", "Share (%)"],
        ["Shanghai", "2", "50.0"],
        ["Beijing", "1", "25.0"],
        ["Guangdong", "1", "25.0"],
    ]
    amounts = client.get("/statistics.csv?table=amounts").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(amounts)))[1:] == [
        ["Licences (licence income)", "2", "2", ""],
        ["Trades on data exchanges", "3", "3", "1000000.00"],
        ["Data service fees", "1", "1", ""],
        ["Pledge loans", "2", "2", ""],
    ]
    shanghai = client.get("/statistics.csv?table=provinces&province=31").content
    assert list(csv.reader(io.StringIO(shanghai.decode("utf-8-sig"))))[1:] == [
        ["Shanghai", "2", "100.0"]
    ]
    assert client.get("/statistics.csv?table=nothing").status_code == 404


def test_staff_see_every_amount(registry: Registry, personas: Personas, sign_in: SignIn) -> None:
    text = sign_in(personas.registrar, language="en").get("/examine/statistics").content.decode()
    assert "licence income of 150,000.00 yuan" in text
    assert "loans of 5,000,000.00 yuan" in text
    assert "The economic value generated is 1,160,000.00 yuan." in text
