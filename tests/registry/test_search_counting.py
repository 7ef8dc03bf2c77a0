"""How a search with words counts on PostgreSQL: the word index asked for words and facet
keys together, and common words counted by walking the index, with the same counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.registry.models.search import WORD_KEYS, facet_key
from dataip.registry.queries import search
from dataip.registry.search_index import words
from dataip.registry.workflow import Status
from tests.support.personas import Personas
from tests.web._builders import build, freeze

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word index"),
]


@pytest.fixture
def entries(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four public entries holding 影像 (two of each kind), and one holding 基因 only."""
    freeze(monkeypatch)
    for n, (kind, province) in enumerate(
        [
            ("data_collection", "31"),
            ("data_collection", "11"),
            ("data_product", "31"),
            ("data_product", "44"),
        ]
    ):
        build(
            personas,
            Status.UNDER_PUBLICITY,
            kind=kind,
            province_code=province,
            name=f"医学影像标注数据集{n}",
            name_en=f"Medical imaging {n}",
        )
    build(personas, Status.UNDER_PUBLICITY, name="基因测序模型", name_en="Genome model")


def _statistics() -> None:
    """What autovacuum's ANALYZE does: sample the words' shares (and forget cached ones)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_searchentry")
    cache.delete(search.SHARES_KEY)


def _counts(query: search.Query, limit: int | None = search.COUNT_LIMIT) -> dict[str, Any]:
    cache.clear()
    return search.facet_counts(query, search.matching(query), limit=limit)


def test_no_search_matches_a_facet_key(entries: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE {WORD_KEYS} @@ plainto_tsquery('simple', %s)),"  # noqa: S608
            f" count(*) FILTER (WHERE {WORD_KEYS} @@ %s::tsquery) FROM registry_searchentry",
            ["kind:data_product", facet_key("kind", "data_product")],
        )
        as_typed, as_key = cursor.fetchone()
    assert (as_typed, as_key) == (0, 2)
    assert facet_key("kind", "it's") == "'kind:it''s'"
    assert search.search(search.Query(text="kind:data_product")).total == 0


def test_words_and_filters_are_one_question_of_the_word_index(entries: None) -> None:
    query = search.Query(text="影像", filters={"kind": "data_product", "province_code": "31"})
    with CaptureQueriesContext(connection) as queries:
        results = search.search(query)
    assert [e.name for e in results.entries] == ["医学影像标注数据集2"]
    assert results.facets["kind"] == [("data_product", 1)]
    counted = next(q["sql"] for q in queries if "count(*)" in q["sql"])
    assert "kind:data_product" in counted
    assert "province_code:31" in counted
    assert "COALESCE" not in counted  # the filters are keys, not a second condition
    # A term found by substring only still meets the filters (written for no index).
    partial = search.Query(text="像标注", filters={"province_code": "31"})
    assert search.search(partial).total == 2


def test_common_words_are_counted_by_walking_and_count_the_same(
    entries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _statistics()
    assert {"影像", "基因"} <= set(search.word_shares())
    cases = [("影像", {}, 4), ("影像", {"kind": "data_product"}, 2), ("基因", {}, 1)]
    for text, filters, found in cases:
        query = search.Query(text=text, filters=filters)
        with monkeypatch.context() as unknown:
            unknown.setattr(search, "word_shares", dict)  # as before the first ANALYZE
            by_index = _counts(query)
        with CaptureQueriesContext(connection) as queries:
            walked = _counts(query)
        assert walked == by_index
        assert sum(n for _, n in walked["status"]) == found
        counted = [q["sql"] for q in queries if "count(*)" in q["sql"]]
        assert len(counted) == 1
        assert "ts_match_vq" in counted[0]  # walked: tested entry by entry
        assert WORD_KEYS not in counted[0]  # the word index was not read
        # Walked newest first, the filters' entries only (their index), not in stored order.
        assert "public_since DESC" in counted[0]
    # At a limit, the walk stops at the limit: the count says "at least".
    at_most = _counts(search.Query(text="影像"), limit=3)
    assert sum(n for _, n in at_most["status"]) == 3


def test_a_walk_that_meets_too_few_leaves_the_count_to_the_index(
    entries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _statistics()
    # A first walk of 2 entries, walks of at most 4, and a word said to be in every entry:
    # the walk is tried, meets 1 match in its first 2 entries (the entry holding 测序 is the
    # newest), so 2 would take 5 entries: the word index counts instead.
    monkeypatch.setattr(search, "WALK_PROBE", 2)
    monkeypatch.setattr(search, "WALK_LIMIT", 4)
    monkeypatch.setattr(search, "word_shares", lambda: dict.fromkeys(words("测序模"), 1.0))
    query = search.Query(text="测序模")
    with CaptureQueriesContext(connection) as queries:
        counts = _counts(query, limit=2)
    assert sum(n for _, n in counts["status"]) == 1
    counted = [q["sql"] for q in queries if "count(*)" in q["sql"]]
    # The walk, the word index alone, then words or substrings (the word index found fewer
    # than the limit: "测序模" is no whole words, the entry holds it as a substring only).
    assert len(counted) == 3
    assert "ts_match_vq" in counted[0]
    assert WORD_KEYS in counted[1]
    assert "LIKE" in counted[2]


def test_a_part_of_a_word_with_a_filter_is_asked_of_the_word_index_first(entries: None) -> None:
    # "genom" begins the word "genome": the word index finds it with the filter's key, and
    # every entry so found holds "genom" as a substring. It is first asked for "genom" as a
    # whole word (cheaper for the index than every word it begins), which no entry holds.
    with CaptureQueriesContext(connection) as queries:
        found = search.search(search.Query(text="genom", filters={"province_code": "31"}))
    assert [e.name for e in found.entries] == ["基因测序模型"]
    counted = [q["sql"] for q in queries if "count(*)" in q["sql"]]
    assert "genom:*" not in counted[0]
    assert "genom:*" in counted[1]
    # "genome" is a whole word of an entry: when the entries holding it reach the limit, no
    # word it begins is asked for (they are matches, and enough to count).
    with CaptureQueriesContext(connection) as queries:
        whole = _counts(search.Query(text="genome", filters={"province_code": "31"}), limit=1)
    assert whole["province_code"] == [("31", 1)]
    assert not any("genome:*" in q["sql"] for q in queries)
    # "像标" begins no word ("影像", "标注"): the index finds nothing, the substring finds both.
    partial = search.search(search.Query(text="像标", filters={"province_code": "31"}))
    assert sorted(e.name for e in partial.entries) == ["医学影像标注数据集0", "医学影像标注数据集2"]


def test_the_registrys_connections_compile_no_query() -> None:
    # Short queries, some estimated costly (common words at a million): PostgreSQL's JIT
    # would take longer to compile them than to run them (migration registry 0026).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_a_query_run_often_is_planned_once(settings: Any) -> None:
    # The registry's connections bind parameters on the server (DATAIP_DB_PREPARED), so
    # psycopg prepares a statement at its fifth run: PostgreSQL then plans it once, not at
    # every request (planning a registration's query took longer than running it).
    assert settings.DB_PREPARED
    statement = "SELECT count(*) FROM registry_searchentry WHERE number = %s"
    with connection.cursor() as cursor:
        for number in ("SQ1", "SQ2", "SQ3", "SQ4", "SQ5", "SQ6"):
            cursor.execute(statement, [number])
            assert cursor.fetchone() == (0,)
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("registry_searchentry WHERE number = $1" in text for text in prepared)


def test_a_count_by_walking_keeps_the_newest_matches_for_the_pages(
    entries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _statistics()
    # Three of the four entries holding 影像 counted (the limit), one to a page: the walk that
    # counted them met the newest three in the page's order, and kept their keys.
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    cache.clear()
    query = search.Query(text="影像")
    first = search.search(query)
    assert first.capped
    assert first.total == 3
    walked = [search._walked_page(search.Query(text="影像", page=n), n - 1) for n in (1, 2, 3)]
    for n in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            page = search.search(search.Query(text="影像", page=n))
        assert page.entries == walked[n - 1]  # the same page a walk finds
        assert not any("ts_match_vq" in q["sql"] for q in queries)  # read by its keys
    assert [e.name for e in first.entries] == ["医学影像标注数据集3"]  # the newest
