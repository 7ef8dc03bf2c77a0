"""Search by words (分词): jieba cuts the index and the query, trigrams still find parts."""

from __future__ import annotations

import pytest
from django.test import Client

from dataip.registry import search_index
from dataip.registry.models import SearchEntry
from dataip.registry.queries import search
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze


@pytest.fixture
def entries(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Three announced applications; the one with the word in its name is the oldest."""
    freeze(monkeypatch)
    made = {
        "imaging": build(
            personas,
            Status.UNDER_PUBLICITY,
            name="医学影像标注数据集",
            name_en="Annotated medical imaging",
            summary="三甲医院的遥感以外的影像。",
        ),
        "genome": build(
            personas,
            Status.UNDER_PUBLICITY,
            name="基因测序模型",
            name_en="Genome sequencing model",
            summary="用于训练的测序数据。",
        ),
        "remote": build(
            personas,
            Status.UNDER_PUBLICITY,
            name="农业遥感数据集",
            name_en="Farm remote sensing",
            summary="人工标注的卫星作物数据。",
        ),
    }
    return {key: app.pk for key, app in made.items()}


def _found(text: str) -> list[str]:
    return [entry.name for entry in search.search(search.Query(text=text)).entries]


def test_it_cuts_text_into_words_quietly_and_once() -> None:
    assert search_index.words("医学影像，标注 Data-set!") == [
        "医学",
        "影像",
        "医学影像",
        "标注",
        "data",
        "set",
    ]
    assert search_index.segmenter() is search_index.segmenter()
    assert search_index.entry_words(["影像数据"], ["基因"]) == "影像 数据\n基因"


def test_it_finds_chinese_by_words_in_any_order(entries: dict[str, int]) -> None:
    assert _found("影像数据") == ["医学影像标注数据集"]  # not a substring: found by its words
    assert _found("数据影像") == ["医学影像标注数据集"]
    assert _found("基因 模型") == ["基因测序模型"]
    assert _found("模型基因") == ["基因测序模型"]
    assert _found("基因 影像") == []


def test_it_still_finds_english_and_parts_of_words(entries: dict[str, int]) -> None:
    assert _found("genom") == ["基因测序模型"]
    assert _found("像标") == ["医学影像标注数据集"]
    assert _found("REMOTE sensing") == ["农业遥感数据集"]
    assert _found("影像标注数") == ["医学影像标注数据集"]


def test_a_match_in_the_name_ranks_above_one_in_the_summary(entries: dict[str, int]) -> None:
    newest_first = [e.name for e in search.search(search.Query()).entries]
    assert newest_first[0] == "农业遥感数据集"
    # The oldest has the word in its name, the newest in its summary: the name wins.
    assert _found("标注") == ["医学影像标注数据集", "农业遥感数据集"]
    # Equal ranks (both names) keep the newest first; a summary match comes after.
    assert _found("数据") == ["农业遥感数据集", "医学影像标注数据集", "基因测序模型"]
    oldest = search.search(search.Query(text="标注", sort="oldest")).entries
    assert [e.name for e in oldest] == ["医学影像标注数据集", "农业遥感数据集"]
    newest = search.search(search.Query(text="标注", sort="name")).entries
    assert [e.name for e in newest] == ["农业遥感数据集", "医学影像标注数据集"]


def test_rebuilding_the_index_fills_the_words(entries: dict[str, int]) -> None:
    SearchEntry.objects.all().delete()
    assert _found("影像数据") == []
    assert search_index.rebuild_index() == 3
    words = SearchEntry.objects.get(pk=entries["imaging"]).words
    assert words.splitlines()[0].split()[:3] == ["医学", "影像", "医学影像"]
    assert _found("影像数据") == ["医学影像标注数据集"]


def test_a_bad_value_is_still_refused_naming_its_field(entries: dict[str, int]) -> None:
    client = Client()
    response = client.get("/search", {"q": "影像数据", "year": "abcd"})
    assert response.status_code == 400
    assert "abcd" in response.content.decode()
    assert [e.name for e in response.context["results"].entries] == ["医学影像标注数据集"]
    api = client.get("/api/v1/registrations", {"q": "影像数据", "year": "abcd"})
    assert api.status_code == 422  # the API's answer to a refused parameter
    assert "year" in api.content.decode()
    api.close()
    response.close()


def test_the_pages_of_a_search_are_ordered_once_then_read_by_key(
    entries: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # "数据" is in all three, one to a page: the first page asked ranks and orders every
    # match once; each page after, and a page asked again, reads its entry by key.
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    cache.clear()
    expected = [e.name for e in search.page_entries(search.Query(text="数据"), 3, capped=False)]
    pages = []
    for asked, n in enumerate((1, 2, 3, 2)):
        with CaptureQueriesContext(connection) as queries:
            pages += [e.name for e in search.search(search.Query(text="数据", page=n)).entries]
        ranking = [q["sql"] for q in queries if "bm25" in q["sql"] or "ts_rank" in q["sql"]]
        assert len(ranking) == (1 if asked == 0 else 0)
    assert pages == [*expected, expected[1]]
