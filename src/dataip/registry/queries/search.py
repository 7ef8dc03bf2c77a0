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
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from dataip.errors import Message, ValidationFailed, gettext_noop
from dataip.registry.kinds import ProductKind
from dataip.registry.models import SearchEntry, SearchFacetCell
from dataip.registry.models.search import FACET_COLUMNS, WORD_KEYS, facet_key
from dataip.registry.search_index import (
    FTS_TABLE,
    WORDS_TABLE,
    generation,
    whole_words,
    words,
)
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
COUNT_LIMIT = 1_000
"""A search by words counts (and facets) at most this many results: beyond, the page says
"1,000 or more" instead of reading every match (a common word matches most of a million)."""
WALK_LIMIT = 30_000
"""A count by walking (see :func:`_walked`) reads at most this many entries."""
WALK_PROBE = 2_000
"""A count by walking first walks this many entries, to learn how often the terms are met."""
WALK_COST = 2
"""What testing one walked entry costs, in entries listed by the word index (measured at a
million: about 1.4 µs against 0.7 µs for the index with the entries it found)."""
PAGE_WALK = 20_000
"""A page found by walking (see :func:`_walked_page`) reads at most this many entries (the
walk stops at the page's last entry: words found together once in a hundred entries give
page 5 after 10,000, in about 15 ms at a million)."""
SHARES_KEY = "dataip:search:word-shares"
SHARES_SECONDS = 600


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


def _keys(filters: Mapping[str, str]) -> str:
    """The facet filters as keys of the word index (a ``tsquery``, :data:`WORD_KEYS`)."""
    return " & ".join(facet_key(name, value) for name, value in sorted(filters.items()))


def _words_condition(
    term_words: list[str], *, walked: bool = False, filters: Mapping[str, str] | None = None
) -> Q:
    """Entries holding every one of ``term_words`` (served by the word index). On PostgreSQL,
    ``walked``: as a test of each entry walked in the page's order (``ts_match_vq``, which no
    index serves), for words found in many entries; ``filters``: with these facet values too,
    asked of the word index as keys in the same query (:data:`WORD_KEYS`); the caller filters
    on SQLite."""
    if connection.vendor == "postgresql":
        if walked:
            sql, params = "ts_match_vq(words_tsv, plainto_tsquery('simple', %s))", []
        elif filters:
            sql = f"{WORD_KEYS} @@ (plainto_tsquery('simple', %s) && %s::tsquery)"
            params = [_keys(filters)]
        else:
            sql, params = f"{WORD_KEYS} @@ plainto_tsquery('simple', %s)", []
        return Q(
            RawSQL(  # noqa: S611 - the words and keys are bound parameters
                sql, [" ".join(term_words), *params], output_field=BooleanField()
            )
        )
    expression = " ".join(_fts_expression(w) for w in term_words)
    return Q(
        pk__in=RawSQL(  # noqa: S611 - the words are a bound parameter
            f"SELECT rowid FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH %s",  # noqa: S608
            [expression],
        )
    )


def _term_condition(term: str, *, common: bool, filters: Mapping[str, str] | None = None) -> Q:
    """Entries holding ``term`` as a substring, or every word jieba cuts it into.

    Substrings of three characters or more are matched by trigrams: on SQLite through the FTS5
    table, whose found ids are collected first; on PostgreSQL with ``LIKE``, which the pg_trgm
    GIN index serves. Shorter ones fall back to ``LIKE``, as a subquery whose ids are collected
    first (one scan of the documents), unless the words are ``common`` (found in many
    entries): a page of results is then found sooner by walking entries in the page's order
    and testing each. On PostgreSQL the tests are then written so that no index serves them
    (``strpos``, ``ts_match_vq``): its planner, which guesses few matches for a common word,
    would otherwise collect and sort every match (hundreds of milliseconds at a million).
    Otherwise the word index is asked for the words with the facet ``filters`` as keys.

    A term made of whole words of the dictionary (:func:`whole_words`) is found by its words
    alone: one question of the word index, where a substring alternative would have the
    planner read every entry holding another term's words (or, for fewer than three
    characters, every entry: pg_trgm cannot serve such a ``LIKE``).
    """
    term_words = words(term)
    if whole_words(term):
        return _words_condition(term_words, walked=common, filters=filters)
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
        condition |= _words_condition(term_words, walked=common, filters=filters)
    return condition


def matching(query: Query, *, common: bool = False) -> QuerySet[SearchEntry]:
    """Entries matching every term and every facet filter (see :func:`_term_condition`).

    On PostgreSQL, unless ``common``, the word index is asked for the filters with the words
    (:data:`WORD_KEYS`), and the filters are written so that no other index serves them: its
    planner would otherwise AND the word index with an index listing a third of a million
    entries (``year = 2025``). Walking (``common``), the page's order is read from the index
    of a filter (``year``, newest first).

    The index holds public applications only, so no status condition is needed for safety.
    """
    filters = {name: value for name, value in query.filters.items() if name in FACETS and value}
    keyed = (
        connection.vendor == "postgresql"
        and not common
        and bool(query.terms)
        and all(words(term) for term in query.terms)  # a term without words: trigrams only
    )
    entries = SearchEntry.objects.all()
    for term in query.terms:
        entries = entries.filter(_term_condition(term, common=common, filters=filters))
    for name, value in filters.items():
        if keyed:
            entries = entries.alias(**{f"{name}_kept": Coalesce(F(name), F(name))})
            entries = entries.filter(**{f"{name}_kept": value})
        else:
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
    key = _cache_key("facets", query, limit)
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


def word_shares() -> dict[str, float]:
    """The share of index entries holding each common word (0.2: one in five), as PostgreSQL
    last sampled them (``pg_stats.most_common_elems`` of ``words_tsv``, which ANALYZE keeps, as
    autovacuum runs it); empty on SQLite or before the first ANALYZE. Cached for a few minutes:
    the shares of common words change slowly."""
    if connection.vendor != "postgresql":
        return {}
    cached = cache.get(SHARES_KEY)
    if cached is not None:
        return dict(cached)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE tablename = %s AND attname = 'words_tsv'",
            [SearchEntry._meta.db_table],
        )
        row = cursor.fetchone()
    shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    cache.set(SHARES_KEY, shares, SHARES_SECONDS)
    return shares


def _term_shares(query: Query) -> list[float] | None:
    """At most about which share of the entries holds each term of ``query``: the share of
    its rarest word (as if the words of a term were always found together); for a term that
    is a part of one word ("logist"), the shares of the common words it begins ("logistics")
    added up (it may be found in more). None when a term has no words, or a word is not among
    the common ones: then the word index, whose lists are short, finds the matches sooner
    than a walk."""
    shares = word_shares()
    found: list[float] = []
    for term in query.terms:
        term_words = words(term)
        if term_words and all(w in shares for w in term_words):
            found.append(min(shares[w] for w in term_words))
        elif begun := _begun(term):
            found.append(min(sum(shares[word] for word in begun), 1.0))
        else:
            return None
    return found


def _begun(term: str) -> list[str]:
    """The common words (:func:`word_shares`) that ``term`` begins, when it is a part of one
    word ("logist": "logistics"); none for a term of whole words or of several words."""
    if words(term) != [term] or whole_words(term):
        return []
    return [word for word in word_shares() if word.startswith(term)]


def _share(query: Query) -> float | None:
    """At most about which share of the entries holds every term of ``query``: its rarest
    term's (:func:`_term_shares`), as if the terms were always found together ("medical
    imaging"); how often they are ("基因 模型": seldom) is for a first walk to tell."""
    term_shares = _term_shares(query)
    if not term_shares:
        return None
    return min(term_shares)


def _walked(query: Query, limit: int) -> list[tuple[Any, ...]] | None:
    """The facet values of the first ``limit`` matches of ``query`` met by walking the
    entries of its filters newest first (the filter's index, as a page of many matches is
    walked), testing each entry, with how many have them; None when walking would cost more
    than the word index. (Not in stored order: the entries are stored in the order they went
    public, so a year's are stored together, and a walk from the first would read every
    entry of the years before it.)

    Tried only when the words are common (PostgreSQL's sampled shares, :func:`word_shares`)
    and the filters leave enough of them (the facet cells count the entries of the filters),
    or the filters leave at most ``WALK_PROBE`` entries (all walked: the count is exact).
    A first walk of ``WALK_PROBE`` entries then tells how often the terms are found together
    (the shares cannot: "知识图谱" is two words always found together, "深圳电力" two words
    seldom). The walk goes on when it should meet ``limit`` matches within ``WALK_LIMIT``
    entries, each costing ``WALK_COST`` entries of the word index's lists, sooner than the
    index would list every entry holding the rarest term (a sixth of a million for the
    commonest: tens of milliseconds). The matches counted are then the newest ones (the word
    index's first ones are the first stored: a count at the limit is of some ``limit``
    matches)."""
    share = _share(query) if query.terms else None
    if not share:
        return None
    sizes = SearchFacetCell.objects.aggregate(
        every=Sum("entries"), filtered=Sum("entries", filter=Q(**dict(query.filters)))
    )
    every, filtered = sizes["every"] or 0, sizes["filtered"] or 0
    listed = share * every  # the word index lists the entries of the rarest term
    density = share * filtered / max(every, 1)
    if filtered > WALK_PROBE and limit / max(density, 1e-9) * WALK_COST > listed:
        return None  # even if every term were found with the others
    keys, rows = _walk(query, WALK_PROBE, limit)
    met = len(keys)
    if met < limit and filtered > WALK_PROBE:
        walk = limit * 1.25 * WALK_PROBE / max(met, 1)  # entries, with a margin
        if not met or walk > WALK_LIMIT or walk * WALK_COST > listed:
            return None
        keys, rows = _walk(query, WALK_LIMIT, limit)
        if len(keys) < limit and filtered > WALK_LIMIT:
            return None
    if len(keys) >= limit:  # the newest matches, in the order of the newest first pages
        cache.set(_order_key(query), keys, CACHE_SECONDS)
    return rows


def _walk(query: Query, entries: int, limit: int) -> tuple[list[int], list[tuple[Any, ...]]]:
    """The first ``limit`` matches of ``query`` among the first ``entries`` entries of its
    filters, newest first: their keys in that order, and their facet values with how many
    have them."""
    hit = Q()
    for term in query.terms:
        hit &= _term_condition(term, common=True)
    order = SORTS["newest"]
    walk = (
        SearchEntry.objects.filter(**dict(query.filters))
        .annotate(hit=ExpressionWrapper(hit, output_field=BooleanField()))
        .order_by(*order)
        .values_list("application_id", "public_since", *FACETS, "hit")[:entries]
    )
    sql, params = walk.query.sql_with_params()
    columns = ", ".join(FACETS)
    ordered = ", ".join(name.lstrip("-") + " DESC" for name in order)
    nothing = ", ".join("NULL" for _ in FACETS)
    with connection.cursor() as cursor:
        cursor.execute(  # the groups, then one row of the keys (in one array: fewer rows)
            f"WITH found AS (SELECT * FROM ({sql}) AS walked WHERE hit"  # noqa: S608
            f" ORDER BY {ordered} LIMIT %s)"
            f" SELECT {columns}, count(*), NULL FROM found GROUP BY {columns}"
            f" UNION ALL SELECT {nothing}, NULL, array_agg(application_id ORDER BY {ordered})"
            " FROM found",
            [*params, limit],
        )
        found = cursor.fetchall()
    return list(found[-1][-1] or []), [row[:-1] for row in found[:-1]]


def _cache_key(kind: str, query: Query, *more: object) -> str:
    """Where something ``kind`` of the search ``query`` (its words and filters, and ``more``)
    is kept: until the index next changes (its generation is in the key)."""
    asked = repr((query.terms, sorted(query.filters.items()), *more)).encode()
    return f"dataip:search:{generation()}:{kind}:{hashlib.sha256(asked).hexdigest()}"


def _order_key(query: Query) -> str:
    """Where the keys of the newest ``COUNT_LIMIT`` matches of ``query`` are kept, when a walk
    counted them (see :func:`_kept_page`)."""
    return _cache_key("newest", query)


def _kept_page(query: Query, start: int) -> list[SearchEntry] | None:
    """The page of a search with many matches, newest first, read by the keys its count kept
    (:func:`_walked`: the walk that counted them met the newest matches in this order); None
    when no count kept them, or the page lies beyond them."""
    if query.sort != "newest":
        return None
    keys = cache.get(_order_key(query))
    if not keys or len(keys) < start + PAGE_SIZE:
        return None
    return _by_keys(keys[start : start + PAGE_SIZE])


def _index_question(query: Query) -> Q | None:
    """PostgreSQL: the matches of ``query`` that one question of the word index finds, with
    the filters as keys (:data:`WORD_KEYS`): whole words by their words; with filters, a term
    that is one word of its own, not in the dictionary (a Latin word or a part of one,
    "logist"; a part of a Chinese word, "像标"), by the words it begins (``logist:*`` finds
    "logistics", and every entry holding such a word holds the term as a substring: a match;
    without filters the trigram index finds it sooner). None on SQLite, or when a term is
    neither."""
    if connection.vendor != "postgresql":
        return None
    pieces: list[str] = []
    params: list[str] = []
    for term in query.terms:
        if whole_words(term):
            pieces.append("plainto_tsquery('simple', %s)")
            params.append(" ".join(words(term)))
        elif query.filters and words(term) == [term] and term.isalnum():  # no operator in it
            pieces.append("to_tsquery('simple', %s)")
            params.append(term + ":*")
        else:
            return None
    if query.filters:
        pieces.append("%s::tsquery")
        params.append(_keys(query.filters))
    sql = f"{WORD_KEYS} @@ ({' && '.join(pieces)})"
    return Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 - bound parameters


def _likely_words(term: str) -> list[str]:
    """Words that an entry holding them holds ``term`` in: the words of ``term``; for a part
    of one word ("logist"), the commonest word it begins ("logistics"), when PostgreSQL
    sampled one (:func:`word_shares`). The word index finds an entry by one whole word sooner
    than by every word a part begins."""
    if begun := _begun(term):
        shares = word_shares()
        return [max(begun, key=lambda word: shares[word])]
    return words(term)


def _first_matches(
    query: Query, entries: QuerySet[SearchEntry], limit: int
) -> list[tuple[Any, ...]]:
    """The facet values of the first ``limit`` of ``entries`` (the matches of ``query``), with
    how many have them: found by walking the index in stored order when the words are common
    (:func:`_walked`), else by the indexes. The entries holding every word of every term are
    matches too (a word of an entry is a substring of its text): when the word index alone
    finds ``limit`` of them, the substring conditions, which read long trigram lists for common
    letters ("medical"), are never evaluated (a part of a word is asked as the commonest word
    it begins, :func:`_likely_words`). Then, on PostgreSQL, the words a part of a word
    begins (:func:`_index_question`, ``logist:*``), which match too but cost the word index
    more than whole words (a walk over every word the part begins): asked only when the whole
    words found fewer than ``limit``."""
    walked = _walked(query, limit)
    if walked is not None:
        return walked
    if all(words(term) for term in query.terms):
        every = [w for term in query.terms for w in _likely_words(term)]
        by_words = SearchEntry.objects.filter(_words_condition(every, filters=query.filters))
        if connection.vendor != "postgresql":  # there the filters are keys of the question
            by_words = by_words.filter(**query.filters)
        found = _grouped(by_words, limit)
        if sum(row[-1] for row in found) >= limit or all(map(whole_words, query.terms)):
            return found  # whole words are found by their words alone
    question = _index_question(query)
    if question is not None and not all(map(whole_words, query.terms)):
        found = _grouped(SearchEntry.objects.filter(question), limit)
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


def _walked_page(query: Query, start: int) -> list[SearchEntry] | None:
    """PostgreSQL: the page of a search with many matches, found by walking at most
    ``PAGE_WALK`` entries of its filters in the page's order and testing each; None when they
    hold fewer than a page (words seldom found together: collecting the matches is then
    sooner). The walk stops at the page's last entry (the walked order is the page's, so the
    planner needs no sort)."""
    hit = Q()
    for term in query.terms:
        hit &= _term_condition(term, common=True)
    order = SORTS.get(query.sort, SORTS["newest"])
    walk = (
        SearchEntry.objects.filter(**dict(query.filters))
        .annotate(hit=ExpressionWrapper(hit, output_field=BooleanField()))
        .order_by(*order)[:PAGE_WALK]
    )
    sql, params = walk.query.sql_with_params()
    columns = ", ".join(  # the order's columns, as the walk has them
        name.lstrip("-") + (" DESC" if name.startswith("-") else "") for name in order
    )
    found = list(
        SearchEntry.objects.raw(
            f"SELECT * FROM ({sql}) AS walked WHERE hit ORDER BY {columns}"  # noqa: S608
            " LIMIT %s OFFSET %s",
            [*params, PAGE_SIZE, start],
        )
    )
    return found if len(found) == PAGE_SIZE else None


def search(query: Query) -> Results:
    """Run a search: the page of entries (:func:`page_entries`), the total and the facet
    counts (of the first ``COUNT_LIMIT`` matches, when there are words). With many matches on
    PostgreSQL, the page is read by the keys its count kept (:func:`_kept_page`), else looked
    for by a short walk (:func:`_walked_page`)."""
    facets = facet_counts(query, matching(query), limit=COUNT_LIMIT)
    total = sum(n for _, n in facets["status"])
    capped = bool(query.terms) and total >= COUNT_LIMIT
    pages = max(1, min(MAX_PAGE, -(-total // PAGE_SIZE)))
    page = min(max(1, query.page), pages)
    start = (page - 1) * PAGE_SIZE
    found: list[SearchEntry] | None = None
    if connection.vendor == "postgresql" and query.terms and (capped or total > COMMON):
        found = _kept_page(query, start) or _walked_page(query, start)
        if found is None:  # collected and sorted instead of walked without end
            entries = matching(query).order_by(*_order(query, 0))
            found = list(entries[start : start + PAGE_SIZE])
    if found is None and query.terms and not capped and total > PAGE_SIZE:
        found = _by_keys(_ordered_keys(query, total)[start : start + PAGE_SIZE])
    if found is None:
        entries = page_entries(query, total, capped=capped)
        found = list(entries[start : start + PAGE_SIZE]) if total else []
    return Results(found, total, facets, page, pages, capped)


def _ordered_keys(query: Query, total: int) -> list[int]:
    """The keys of every match of a search with words and fewer than ``COUNT_LIMIT`` matches
    (``total``), in the page's order (:func:`page_entries`): ordered once, kept until the
    index next changes, so each further page (or the same page asked again) reads its
    entries by key instead of finding, ranking and sorting every match again."""
    key = _cache_key("order", query, query.sort)
    kept = cache.get(key)
    if kept is None:
        entries = page_entries(query, total, capped=False)
        kept = list(entries.values_list("pk", flat=True)[:COUNT_LIMIT])
        cache.set(key, kept, CACHE_SECONDS)
    return list(kept)


def _by_keys(keys: list[int]) -> list[SearchEntry] | None:
    """The entries of ``keys``, in that order; None when one has left the index since."""
    by_key = SearchEntry.objects.in_bulk(keys)
    if len(by_key) < len(keys):
        return None
    return [by_key[key] for key in keys]


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
    # Many matches: walked in the caller's order and tested, as the search page walks them.
    return Found(matching(query, common=capped), total, facets, capped)
