"""Public search (公开检索): the query over the public index, for the pages and the API alike.

Only applications in ``workflow.PUBLIC_STATUSES`` are in the index (kept in step by
:mod:`dataip.registry.search_index`). A term (the text between spaces) is found in an entry
when the entry holds it as a substring, or holds every word jieba cuts it into (分词), in any
order: "影像数据" finds "医学影像标注数据集". Substrings of three characters or more are matched by
trigrams (SQLite FTS5 ``trigram`` tokenizer, PostgreSQL ``pg_trgm``), shorter ones by ``LIKE``;
words by a word index (SQLite FTS5 ``unicode61``, PostgreSQL a ``simple`` ``tsvector``). Results
are ranked by relevance (``bm25()``, ``ts_rank_cd``; the names weigh more), ties newest first.
Facet counts are cached in one place, until the index next changes, whichever skin asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from dataip.errors import Message, ValidationFailed, gettext_noop
from dataip.registry.kinds import ProductKind
from dataip.registry.models import SearchEntry, SearchFacetCell
from dataip.registry.models.search import FACET_COLUMNS
from dataip.registry.search_index import FTS_TABLE, WORDS_TABLE, generation, is_word, words
from dataip.registry.workflow import PUBLIC_STATUSES

PAGE_SIZE = 20
MAX_PAGE = 500
FACETS = FACET_COLUMNS
SORTS = {
    "newest": ("-public_since", "-application_id"),
    "oldest": ("public_since", "application_id"),
    "name": ("name", "application_id"),
}
CACHE_SECONDS = 300
COMMON = 2000
"""Above this many results, a page is found by walking entries in order (see ``matching``)."""
PG_SORT_LIMIT = 20_000
COUNT_LIMIT = 2_000
"""A search by words counts (and facets) at most this many results: beyond, the page says
"2,000 or more" instead of reading every match (a common word matches most of a million)."""


# ── searching ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Query:
    """What a person asked for: words, facet filters, sort order and page."""

    text: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = "newest"
    page: int = 1

    @property
    def terms(self) -> list[str]:
        """The words to match, case-folded, at most eight."""
        return [t for t in self.text.casefold().split() if t][:8]

    @property
    def words(self) -> list[str]:
        """The words jieba cuts the terms into (分词), each once."""
        return list(dict.fromkeys(w for term in self.terms for w in words(term)))


@dataclass(frozen=True)
class Results:
    """One page of results, the total, and the count of each facet value."""

    entries: list[SearchEntry]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int
    pages: int
    capped: bool = False
    """Whether counting stopped at ``COUNT_LIMIT`` (the total is then a lower bound)."""


_REASONS: Mapping[str, str] = {
    "q": gettext_noop("Words: write at most 200 characters."),
    "kind": gettext_noop("Kind: “%(value)s” is not a kind of data product; choose one listed."),
    "industry_code": gettext_noop(
        "Industry: “%(value)s” is not an industry division; give its two-digit code."
    ),
    "province_code": gettext_noop(
        "Province: “%(value)s” is not a province; give its two-digit code."
    ),
    "status": gettext_noop("Status: “%(value)s” is not a public status; choose one listed."),
    "year": gettext_noop("Year: “%(value)s” is not a year; give four digits, such as 2026."),
    "sort": gettext_noop("Sort: “%(value)s” is not an order; choose newest, oldest or name."),
    "page": gettext_noop("Page: “%(value)s” is not a page number; give a whole number from 1."),
}
"""Why a value of a search parameter was refused, naming the field (pages and API alike)."""


def _acceptable(name: str, value: str) -> bool:
    if name == "kind":
        return value in {k.value for k in ProductKind}
    if name in ("industry_code", "province_code"):
        return len(value) == 2 and value.isascii() and value.isdigit()
    if name == "status":
        return value in {s.value for s in PUBLIC_STATUSES}
    if name == "year":
        return len(value) == 4 and value.isascii() and value.isdigit() and value >= "1900"
    if name == "sort":
        return value in SORTS
    if name == "page":
        return value.isascii() and value.isdigit() and 1 <= int(value) <= 100_000
    return True


def checked_query(params: Mapping[str, str]) -> tuple[Query, ValidationFailed | None]:
    """The search a person asked for in ``params`` (``q``, the facets, ``sort``, ``page``),
    with every refused value left out, and the error naming each refused field (or None).
    A bad value never reaches the database: the rest of the search still runs."""
    errors: dict[str, list[Message]] = {}
    kept: dict[str, str] = {}
    for name in ("q", *FACETS, "sort", "page"):
        value = params.get(name, "").strip()
        if not value:
            continue
        too_long = name == "q" and len(value) > 200
        if too_long or "\x00" in value or not _acceptable(name, value):
            shown = value if len(value) <= 40 else value[:40] + "…"
            errors[name] = [Message(_REASONS[name], {"value": shown})]
            continue
        kept[name] = value
    query = Query(
        text=kept.get("q", ""),
        filters={name: kept[name] for name in FACETS if name in kept},
        sort=kept.get("sort", "newest"),
        page=int(kept.get("page", "1")),
    )
    return query, (ValidationFailed(errors) if errors else None)


def _fts_expression(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    """A ``LIKE`` pattern finding ``term`` anywhere (its wildcards escaped)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words_condition(term_words: list[str], *, walked: bool = False) -> Q:
    """Entries holding every one of ``term_words`` (served by the word index). ``walked``: on
    PostgreSQL, as a test of each entry walked in the page's order (``ts_match_vq``, which no
    index serves), for words found in many entries."""
    if connection.vendor == "postgresql":
        walk = "ts_match_vq(words_tsv, plainto_tsquery('simple', %s))"
        index = "words_tsv @@ plainto_tsquery('simple', %s)"
        return Q(
            RawSQL(  # noqa: S611 - the words are a bound parameter
                walk if walked else index,
                [" ".join(term_words)],
                output_field=BooleanField(),
            )
        )
    expression = " ".join(_fts_expression(w) for w in term_words)
    return Q(
        pk__in=RawSQL(  # noqa: S611 - the words are a bound parameter
            f"SELECT rowid FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH %s",  # noqa: S608
            [expression],
        )
    )


def _term_condition(term: str, *, common: bool) -> Q:
    """Entries holding ``term`` as a substring, or every word jieba cuts it into.

    Substrings of three characters or more are matched by trigrams: on SQLite through the FTS5
    table, whose found ids are collected first; on PostgreSQL with ``LIKE``, which the pg_trgm
    GIN index serves. Shorter ones fall back to ``LIKE``, as a subquery whose ids are collected
    first (one scan of the documents), unless the words are ``common`` (found in many
    entries): a page of results is then found sooner by walking entries in the page's order
    and testing each. On PostgreSQL the tests are then written so that no index serves them
    (``strpos``, ``ts_match_vq``): its planner, which guesses few matches for a common word,
    would otherwise collect and sort every match (hundreds of milliseconds at a million).
    """
    term_words = words(term)
    if connection.vendor == "postgresql" and len(term) < 3 and is_word(term):
        # A short word of the dictionary: pg_trgm cannot serve LIKE for fewer than three
        # characters (it would read every entry), the word index can.
        return _words_condition(term_words, walked=common)
    if len(term) >= 3 and connection.vendor == "sqlite":
        condition = Q(
            pk__in=RawSQL(  # noqa: S611 - the term is a bound parameter
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                [_fts_expression(term)],
            )
        )
    elif connection.vendor == "postgresql" and common:
        condition = Q(RawSQL("strpos(document, %s) > 0", [term], output_field=BooleanField()))
    elif connection.vendor == "postgresql" and len(term) >= 3:
        condition = Q(RawSQL("document LIKE %s", [_like(term)], output_field=BooleanField()))
    elif common:
        condition = Q(document__contains=term)
    else:
        condition = Q(pk__in=SearchEntry.objects.filter(document__contains=term).values("pk"))
    if term_words and term_words != [term]:  # one word that is the term: found as a substring
        condition |= _words_condition(term_words, walked=common)
    return condition


def matching(query: Query, *, common: bool = False) -> QuerySet[SearchEntry]:
    """Entries matching every term and every facet filter (see :func:`_term_condition`).

    The index holds public applications only, so no status condition is needed for safety.
    """
    entries = SearchEntry.objects.all()
    for term in query.terms:
        entries = entries.filter(_term_condition(term, common=common))
    for name, value in query.filters.items():
        if name in FACETS and value:
            entries = entries.filter(**{name: value})
    return entries


def ranked(query: Query, entries: QuerySet[SearchEntry]) -> QuerySet[SearchEntry]:
    """``entries`` with their relevance ``rank`` (higher is better; none when they hold not
    every word of the query): PostgreSQL ``ts_rank_cd`` over the stored ``words_tsv``, the
    names' words weighing ten times more (weight A against D); SQLite ``bm25()`` over the
    word table, the names' column weighing ten times more."""
    query_words = query.words
    if not query_words:
        return entries
    if connection.vendor == "postgresql":
        rank = RawSQL(
            "ts_rank_cd(words_tsv, plainto_tsquery('simple', %s))",
            [" ".join(query_words)],
            output_field=FloatField(),
        )
    else:
        rank = RawSQL(  # noqa: S611 - the words are a bound parameter
            f"SELECT -bm25({WORDS_TABLE}, 10.0, 1.0) FROM {WORDS_TABLE} "  # noqa: S608
            f"WHERE {WORDS_TABLE} MATCH %s AND rowid = registry_searchentry.application_id",
            [" ".join(_fts_expression(w) for w in query_words)],
            output_field=FloatField(),
        )
    return entries.annotate(rank=rank)


def facet_counts(
    query: Query, entries: QuerySet[SearchEntry], *, limit: int | None = None
) -> dict[str, list[tuple[str, int]]]:
    """How many matching entries have each value of each facet, most frequent first.

    Without words, the facet cells matching the filters are added up (:class:`SearchFacetCell`,
    a few thousand rows whatever the size of the index). With words, one grouped query over the
    five facet columns of the matches; with ``limit``, of the first ``limit`` matches only (the
    matched set, never the whole index, is read; see :func:`_first_matches`). The counts are
    cached until the index next changes (or for a few minutes, so that several processes with
    separate caches do not lag for long).
    """
    asked = repr((query.terms, sorted(query.filters.items()), limit)).encode()
    key = f"dataip:search:{generation()}:facets:{hashlib.sha256(asked).hexdigest()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    totals: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    if not query.terms:
        rows = _cells(query)
    elif limit is None:
        rows = _grouped(entries, None)
    else:
        rows = _first_matches(query, entries, limit)
    for *values, n in rows:
        for name, value in zip(FACETS, values, strict=True):
            bucket = totals[name]
            bucket[str(value)] = bucket.get(str(value), 0) + n
    facets = {
        name: sorted(bucket.items(), key=lambda item: (-item[1], item[0]))
        for name, bucket in totals.items()
    }
    cache.set(key, facets, CACHE_SECONDS)
    return facets


def _cells(query: Query) -> list[tuple[Any, ...]]:
    """The facet cells of the entries matching the filters of ``query`` (no words)."""
    cells = SearchFacetCell.objects.filter(**dict(query.filters)).exclude(entries=0)
    return list(cells.values_list(*FACETS, "entries"))


def _first_matches(
    query: Query, entries: QuerySet[SearchEntry], limit: int
) -> list[tuple[Any, ...]]:
    """The facet values of the first ``limit`` of ``entries`` (the matches of ``query``), with
    how many have them. The entries holding every word of every term are matches too (a word of
    an entry is a substring of its text): when the word index alone finds ``limit`` of them, the
    substring conditions, which read long trigram lists for common letters ("medical"), are
    never evaluated."""
    if all(words(term) for term in query.terms):
        by_words = SearchEntry.objects.all()
        for term in query.terms:
            by_words = by_words.filter(_words_condition(words(term)))
        by_words = by_words.filter(**dict(query.filters))
        found = _grouped(by_words, limit)
        if sum(row[-1] for row in found) >= limit:
            return found
    return _grouped(entries, limit)


def _grouped(entries: QuerySet[SearchEntry], limit: int | None) -> list[tuple[Any, ...]]:
    """The five facet values of ``entries`` with how many entries have them; with ``limit``,
    of the first ``limit`` entries found only (the matches are read up to the limit, then
    grouped: never a join with the whole index)."""
    if limit is None:
        rows = entries.order_by().values_list(*FACETS).annotate(n=Count("*"))
        return list(rows.values_list(*FACETS, "n"))
    sql, params = entries.order_by().values_list(*FACETS)[:limit].query.sql_with_params()
    columns = ", ".join(FACETS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, count(*) FROM ({sql}) AS found GROUP BY {columns}",  # noqa: S608
            params,
        )
        return list(cursor.fetchall())


def _order(query: Query, total: int) -> list[Any]:
    """The page's order. On PostgreSQL, for words found in up to ``PG_SORT_LIMIT`` entries,
    the order is given as an expression no index provides: the planner then collects the
    (trigram-indexed) matches and sorts them, instead of walking an ordered index past many
    entries that do not match, which its row estimates for ``LIKE`` make it prefer."""
    order: list[Any] = list(SORTS.get(query.sort, SORTS["newest"]))
    if connection.vendor == "postgresql" and query.terms and total <= PG_SORT_LIMIT:
        first = order[0]
        name = first.lstrip("-")
        expression = Coalesce(F(name), F(name))
        order[0] = expression.desc() if first.startswith("-") else expression.asc()
    return order


def page_entries(query: Query, total: int, *, capped: bool) -> QuerySet[SearchEntry]:
    """The matching entries in the page's order, for ``total`` matches (at least, if
    ``capped``). With words, in the default order and up to ``COMMON`` matches, ranked
    by relevance first (:func:`ranked`); entries found only by substring come after. Above
    that, walked in the asked order (a common word: the page is found sooner so)."""
    many = total > COMMON or capped
    entries = matching(query, common=many)
    order = _order(query, PG_SORT_LIMIT + 1 if capped else total)
    if query.sort == "newest" and query.words and not many:
        entries = ranked(query, entries)
        order = [F("rank").desc(nulls_last=True), *order]
    return entries.order_by(*order)


def search(query: Query) -> Results:
    """Run a search: the page of entries (:func:`page_entries`), the total and the facet
    counts (of the first ``COUNT_LIMIT`` matches, when there are words)."""
    facets = facet_counts(query, matching(query), limit=COUNT_LIMIT)
    total = sum(n for _, n in facets["status"])
    capped = bool(query.terms) and total >= COUNT_LIMIT
    pages = max(1, min(MAX_PAGE, -(-total // PAGE_SIZE)))
    page = min(max(1, query.page), pages)
    start = (page - 1) * PAGE_SIZE
    entries = page_entries(query, total, capped=capped)
    found = list(entries[start : start + PAGE_SIZE]) if total else []
    return Results(found, total, facets, page, pages, capped)


# ── the API's names of the facets ──────────────────────────────────────────────────────

API_FACETS: Mapping[str, str] = {
    "kind": "kind",
    "industry": "industry_code",
    "province": "province_code",
    "status": "status",
    "year": "year",
}
"""Facet names of the API and the index columns they count."""


@dataclass(frozen=True)
class Found:
    """Every index entry matching a search (unordered: the caller pages it), the total, and the
    count of each facet value among them, under the API's facet names."""

    entries: QuerySet[SearchEntry]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    capped: bool = False
    """Whether the words found ``COUNT_LIMIT`` entries or more: the total and the facets
    then count the first ``COUNT_LIMIT`` only (as on the search page)."""


def find_all(text: str, filters: Mapping[str, str]) -> Found:
    """Entries matching every word and every facet filter (given by the API's facet names),
    with the same cached facet counts as :func:`search` (with words, of the first
    ``COUNT_LIMIT`` matches)."""
    query = Query(
        text=text, filters={API_FACETS[name]: value for name, value in filters.items() if value}
    )
    counts = facet_counts(query, matching(query), limit=COUNT_LIMIT)
    facets = {name: counts[column] for name, column in API_FACETS.items()}
    total = sum(n for _, n in facets["status"])
    capped = bool(query.terms) and total >= COUNT_LIMIT
    return Found(matching(query), total, facets, capped)
