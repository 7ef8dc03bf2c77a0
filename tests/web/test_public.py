"""The public pages: home, search, registration, announcements, statistics."""

from __future__ import annotations

import pytest

from dataip.registry.models import Application
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze
from tests.web.conftest import SignIn


@pytest.fixture
def registry(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """One application at each stage that matters for the public."""
    freeze(monkeypatch)
    return {
        "draft": build(personas, Status.DRAFT, name="草稿中的秘密数据"),
        "examined": build(personas, Status.EXPERT_REVIEW, name="审查中的秘密数据"),
        "announced": build(
            personas, Status.UNDER_PUBLICITY, name="长三角物流轨迹数据集", name_en="Delta freight"
        ),
        "registered": build(
            personas,
            Status.REGISTERED,
            name="城市交通出行数据集",
            name_en="Urban mobility dataset",
            summary="经清洗与融合的出行数据。",
            summary_en="Cleaned and fused trips.",
        ),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_shows_live_figures_and_announcements_on_the_home_page(
    registry: dict[str, object], sign_in: SignIn, language: str
) -> None:
    response = sign_in(None, language=language).get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "长三角物流轨迹数据集" in text or "Delta freight" in text
    assert "审查中的秘密数据" not in text
    assert "草稿中的秘密数据" not in text
    assert ("登记检索" if language == "zh-hans" else "Search the registry") in text
    figures = response.context["figures"]
    assert figures.applications == 3  # drafts are nobody's business
    assert figures.under_publicity == 1


def test_it_finds_chinese_by_substring_with_trigrams(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    client = sign_in(None)
    for query in ["交通出行", "出行数据集", "物流轨迹", "urban mobility", "MOBILITY", "fused"]:
        names = [e.name for e in client.get("/search", {"q": query}).context["results"].entries]
        assert names, query
        assert all("秘密" not in n for n in names)
    found = client.get("/search", {"q": "交通出行"}).context["results"]
    assert [e.name for e in found.entries] == ["城市交通出行数据集"]


def test_it_falls_back_to_like_for_short_queries(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    results = sign_in(None).get("/search", {"q": "物流"}).context["results"]
    assert [e.name for e in results.entries] == ["长三角物流轨迹数据集"]
    assert sign_in(None).get("/search", {"q": "秘"}).context["results"].total == 0


def test_it_never_finds_drafts_or_applications_under_examination(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    client = sign_in(None)
    for query in ["秘密", "秘密数据", "审查中", "草稿"]:
        assert client.get("/search", {"q": query}).context["results"].total == 0
    everything = client.get("/search").context["results"]
    assert everything.total == 2


def test_it_counts_facets_and_filters_by_them(registry: dict[str, object], sign_in: SignIn) -> None:
    client = sign_in(None)
    results = client.get("/search").context["results"]
    assert dict(results.facets["status"]) == {"registered": 1, "under_publicity": 1}
    assert dict(results.facets["kind"]) == {"data_collection": 2}
    assert dict(results.facets["province_code"]) == {"31": 2}
    only = client.get("/search", {"status": "registered"}).context["results"]
    assert [e.name for e in only.entries] == ["城市交通出行数据集"]
    assert client.get("/search", {"province_code": "11"}).context["results"].total == 0
    sorted_by_name = client.get("/search", {"sort": "name"}).context["results"].entries
    assert [e.name for e in sorted_by_name] == sorted(e.name for e in sorted_by_name)


def test_it_pages_the_results(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, sign_in: SignIn
) -> None:
    from dataip.registry.queries import search

    freeze(monkeypatch)
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        build(personas, Status.UNDER_PUBLICITY, name=f"分页数据集{n}")
    client = sign_in(None)
    first = client.get("/search", {"q": "分页数据集"}).context["results"]
    third = client.get("/search", {"q": "分页数据集", "page": "3"}).context["results"]
    assert (first.total, first.pages, len(first.entries)) == (5, 3, 2)
    assert len(third.entries) == 1
    refused = client.get("/search", {"page": "x"})
    assert refused.status_code == 400  # said, not silently page 1
    assert "Page: “x” is not a page number" in refused.content.decode()
    assert refused.context["results"].total == 5


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_shows_only_public_fields_on_the_registration_page(
    registry: dict[str, object], sign_in: SignIn, language: str
) -> None:
    app = registry["registered"]
    response = sign_in(None, language=language).get(f"/registry/{app.number}")  # type: ignore[attr-defined]
    text = response.content.decode()
    assert response.status_code == 200
    assert app.registration_number in text  # type: ignore[attr-defined]
    assert "自有平台采集" in text  # data source description: public
    assert "用户协议授权" not in text  # lawful basis: confidential
    assert "保密的算法细节" not in text  # processing details: confidential
    assert "多源融合" not in text  # innovation explanation: confidential
    assert "Parquet" in text  # public detail
    assert "甲数据科技有限公司" in text  # holder name: public
    assert "91310000000000001" not in text  # holder's credit code: confidential


def test_it_finds_the_registration_page_by_registration_number_too(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    app = registry["registered"]
    assert isinstance(app, Application)
    assert app.registration_number
    assert app.number
    client = sign_in(None)
    for number in (app.registration_number, app.registration_number.lower(), app.number.lower()):
        response = client.get(f"/registry/{number}")
        assert response.status_code == 200
        assert response.context["application"].pk == app.pk


def test_it_answers_404_for_an_application_not_yet_announced(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    examined = registry["examined"]
    response = sign_in(None).get(f"/registry/{examined.number}")  # type: ignore[attr-defined]
    assert response.status_code == 404
    assert sign_in(None).get("/registry/SQ20269999999999").status_code == 404


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_lists_current_announcements_with_the_days_left(
    registry: dict[str, object], sign_in: SignIn, language: str
) -> None:
    response = sign_in(None, language=language).get("/announcements")
    announced = registry["announced"]
    (item,) = response.context["announcements"]
    assert item.application.pk == announced.pk  # type: ignore[attr-defined]
    assert item.days_left > 0
    assert ("剩余天数" if language == "zh-hans" else "Days left") in response.content.decode()


def test_it_shows_public_statistics(registry: dict[str, object], sign_in: SignIn) -> None:
    response = sign_in(None, language="en").get("/statistics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Registrations by province" in text
    assert "Shanghai" in text
    assert 'id="bulletin-data"' in text


def test_the_registration_page_skips_the_records_it_has_none_of(
    registry: dict[str, object], sign_in: SignIn
) -> None:
    """The application's query says whether it has any pledge, licence, transfer or listing
    (``queries.public.RECORDED``): the page reads none of those tables for a registration
    that has none (a million registrations mostly have none), and still shows them where they
    exist (tests/web/test_public_state.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = registry["registered"]
    assert isinstance(app, Application)
    client = sign_in(None)
    with CaptureQueriesContext(connection) as counted:
        response = client.get(f"/registry/{app.registration_number}")
    assert response.status_code == 200
    tables = ("registry_pledge", "registry_licence", "registry_transfer", "registry_listing")
    for table in tables:
        reads = [q["sql"] for q in counted.captured_queries if f'FROM "{table}"' in q["sql"]]
        assert reads == [], table
    # The first query asked about each of them.
    assert all(f"FROM {table} WHERE" in counted.captured_queries[0]["sql"] for table in tables)
