"""Keeping the public search index (检索索引) in step with the registry.

Only applications in ``workflow.PUBLIC_STATUSES`` are in the index (:class:`SearchEntry`). The
generic transition calls :func:`follow` right after it saves the application, in the same
transaction; :func:`rebuild_index` refills the whole index (after a restore, or for old data).
The same step moves the entry's count between the facet cells (:class:`SearchFacetCell`), so
counts without words add up cells instead of reading every entry.
Searching the index is the read side's business: :mod:`dataip.registry.queries.search`.

Each row also holds its words (分词): the public text cut by jieba, the segmenter made for
Chinese (:func:`words`), so that a search finds "医学影像标注数据集" by "影像数据". The first line
holds the words of the names (they weigh more in the ranking), the second the rest.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from dataip.registry import counters
from dataip.registry.models import Application, SearchEntry, SearchFacetCell
from dataip.registry.models.search import FACET_COLUMNS
from dataip.registry.workflow import PUBLIC_STATUSES, TERMINAL, Action, Status

FTS_TABLE = "registry_search_fts"
"""The SQLite FTS5 table over ``SearchEntry.document`` (made by the registry's migration)."""
WORDS_TABLE = "registry_search_words"
"""The SQLite FTS5 table over ``SearchEntry.words`` (``unicode61`` tokenizer; columns ``name``
and ``rest``, the two lines of the words), made by the registry's migration 0021."""
GENERATION_KEY = "dataip:search:generation"


_segmenter: Any = None
_segmenter_lock = threading.Lock()


def segmenter() -> Any:
    """jieba's tokenizer, its dictionary loaded once per process, on first use (or by the app
    server's preload). Quiet: jieba's own log lines are warnings only. Its cache of the
    dictionary goes under the data directory, not the system's temporary directory."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            with warnings.catch_warnings():  # its regular expressions predate Python 3.12
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(settings.DATA_DIR)
            tokenizer.initialize()
            _segmenter = tokenizer
    return _segmenter


def words(text: str) -> list[str]:
    """The words of ``text`` (分词), case-folded, in order: jieba's ``cut_for_search``, which
    gives a long word and also its shorter words ("医学影像" → 医学, 影像, 医学影像), so a
    search by a part finds the whole. Spaces and punctuation are left out."""
    return [
        word
        for word in segmenter().cut_for_search(text.casefold())
        if any(char.isalnum() for char in word)
    ]


def is_word(text: str) -> bool:
    """Whether ``text`` is a word of jieba's dictionary (not only a word its HMM guessed)."""
    return bool(segmenter().FREQ.get(text))


def whole_words(text: str) -> bool:
    """Whether ``text`` is made of whole words: every word jieba cuts it into is a word of its
    dictionary, of two characters or more ("金融风控", "基因"). A search finds such a term by
    its words; a part of a word ("像标", "影像标注数"), a Latin word ("genom") or a number
    also by substring."""
    cut = words(text)
    return bool(cut) and all(len(word) >= 2 and is_word(word) for word in cut)


def entry_words(names: Iterable[str], rest: Iterable[str]) -> str:
    """The ``words`` column: the names' words on the first line, every other word on the
    second, each line joined by spaces."""
    return "\n".join(" ".join(w for text in part for w in words(text)) for part in (names, rest))


def entry_values(application: Application, holders: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The index row of a public application (public fields only)."""
    product = application.product
    names = list(holders)
    since = application.announcement_starts or application.registered_on
    if since is None:  # public statuses always have an announcement; be safe all the same
        since = (application.submitted_at or application.created_at).date()
    holders_zh = " / ".join(name for name, _ in names)
    holders_en = " / ".join(name_en or name for name, name_en in names)
    document = "\n".join(
        [
            application.number or "",
            application.registration_number or "",
            product.name,
            product.name_en,
            product.summary,
            product.summary_en,
            holders_zh,
            holders_en,
        ]
    ).casefold()
    return {
        "number": application.number or "",
        "registration_number": application.registration_number or "",
        "name": product.name[:200],
        "name_en": product.name_en[:200],
        "summary": product.summary[:300],
        "summary_en": product.summary_en[:300],
        "holders": holders_zh[:1000],
        "holders_en": holders_en[:1000],
        "document": document,
        "words": entry_words(
            [product.name, product.name_en],
            [
                application.number or "",
                application.registration_number or "",
                product.summary,
                product.summary_en,
                holders_zh,
                holders_en,
            ],
        ),
        "kind": product.kind,
        "industry_code": product.industry_code,
        "province_code": product.province_code,
        "status": application.status,
        "year": (application.registered_on or since).year,
        "public_since": since,
    }


def index_application(application: Application, *, cells: bool = True) -> None:
    """Add, refresh or drop the index row of one application, by its status now, and move its
    count between the facet cells (unless ``cells`` is false: a rebuild counts them after)."""
    row = SearchEntry.objects.filter(application_id=application.pk)
    # A transition holds the application's row lock here: no one changes this row meanwhile.
    before = row.values_list(*FACET_COLUMNS).first() if cells else None
    if Status(application.status) not in PUBLIC_STATUSES:
        if row.delete()[0]:
            if cells:
                _move_count(before, None)
            transaction.on_commit(bump_generation)
        return
    holders = application.holders.values_list("holder__name", "holder__name_en").order_by("id")
    values = entry_values(application, holders)
    if not row.update(**values):
        SearchEntry.objects.create(application_id=application.pk, **values)
    if cells:
        _move_count(before, tuple(values[name] for name in FACET_COLUMNS))
    # Cached facet counts are dropped now and again after the commit, so no reader caches
    # counts of the old index in between.
    bump_generation()
    transaction.on_commit(bump_generation)


def _move_count(before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> None:
    """Take one entry off the facet cell of ``before`` and add one to that of ``after`` (either
    may be None: an entry added or dropped), in key order (one lock order for every writer)."""
    if before == after:
        return
    moves = sorted(
        [(values, -1) for values in [before] if values is not None]
        + [(values, 1) for values in [after] if values is not None]
    )
    for values, delta in moves:
        counters.add(
            SearchFacetCell, dict(zip(FACET_COLUMNS, values, strict=True)), {"entries": delta}
        )


def counted_cells() -> dict[tuple[Any, ...], int]:
    """The facet cells as the index rows say: how many entries have each set of facet values."""
    grouped = SearchEntry.objects.order_by().values_list(*FACET_COLUMNS).annotate(n=Count("pk"))
    return {tuple(values): n for *values, n in grouped.values_list(*FACET_COLUMNS, "n")}


def stored_cells() -> dict[tuple[Any, ...], int]:
    """The facet cells as stored, leaving out those that count nothing."""
    rows = SearchFacetCell.objects.exclude(entries=0).values_list(*FACET_COLUMNS, "entries")
    return {tuple(values): n for *values, n in rows}


def rebuild_cells() -> int:
    """Count the facet cells anew from the index rows (in the caller's transaction); how many."""
    counted = counted_cells()
    SearchFacetCell.objects.all().delete()
    SearchFacetCell.objects.bulk_create(
        SearchFacetCell(**dict(zip(FACET_COLUMNS, values, strict=True)), entries=n)
        for values, n in counted.items()
    )
    return len(counted)


def cell_differences(limit: int = 20) -> list[tuple[tuple[Any, ...], int, int]]:
    """Facet cells whose stored count differs from the index rows': (values, stored, counted)."""
    stored, counted = stored_cells(), counted_cells()
    found = []
    for values in sorted(stored.keys() | counted.keys()):
        if stored.get(values, 0) != counted.get(values, 0):
            found.append((values, stored.get(values, 0), counted.get(values, 0)))
            if len(found) >= limit:
                break
    return found


UNINDEXED_ACTIONS = frozenset(
    {
        Action.GRANT_LICENCE,
        Action.END_LICENCE,
        Action.RECORD_TRADE,
        Action.LIST_PRODUCT,
        Action.UPDATE_LISTING,
        Action.END_LISTING,
        Action.REPORT_TRADE,
        Action.WITHDRAW_TRADE_REPORT,
        Action.DISPUTE_TRADE,
        Action.RECORD_REVENUE,
        Action.RECORD_VALUATION,
        Action.PLEDGE,
        Action.PROPOSE_PLEDGE,
        Action.CONFIRM_PLEDGE,
        Action.DECLINE_PLEDGE,
        Action.CONSENT,
        Action.RELEASE_PLEDGE,
        Action.PROPOSE_TRANSFER,
        Action.AGREE_TO_TRANSFER,
        Action.DECLINE_TRANSFER,
        Action.CANCEL_TRANSFER,
        Action.REFUSE_CHANGE,
        Action.RENEW,
        Action.REISSUE_CERTIFICATE,
    }
)
"""Actions that leave alone everything an index row is made of (the numbers, the product,
the holders, the status and the dates of :func:`entry_values`) as long as the status stays:
records made on a registered right, requests still pending, renewal (validity is not
indexed). A change applied, a transfer confirmed or particulars corrected are not here."""


def follow(
    application: Application, action: Action | None = None, from_status: Status | None = None
) -> None:
    """Bring the index in step with an application just saved by a transition (``action``,
    from ``from_status``).

    Applications that were never public (drafts, applications under examination) need no work;
    a public one that leaves the public statuses (an upheld objection) is terminal; an action
    of :data:`UNINDEXED_ACTIONS` that kept the status changed nothing the index holds.
    """
    status = Status(application.status)
    if action in UNINDEXED_ACTIONS and from_status == status:
        return
    if status in PUBLIC_STATUSES or status in TERMINAL:
        index_application(application)


@transaction.atomic
def rebuild_index() -> int:
    """Rebuild the whole index and its facet cells from the registry (after a restore, or for
    old data), in one transaction."""
    SearchEntry.objects.all().delete()
    bump_generation()
    count = 0
    public = Application.objects.filter(status__in=[s.value for s in PUBLIC_STATUSES])
    # In the order they went public, as follow() added them: the newest are stored last, so a
    # page of the newest is read from the last pages of the table (see queries.search).
    public = public.order_by("announcement_starts", "registered_on", "pk")
    for application in public.select_related("product").iterator(chunk_size=500):
        index_application(application, cells=False)
        count += 1
    rebuild_cells()
    return count


def generation() -> int:
    """A number that changes whenever the index changes: the key of cached facet counts.

    It starts from the clock (nanoseconds), not from 1: when the cache loses it (evicted, or
    emptied apart from the searches it keys), the new one is greater than any used before,
    so no search kept under an old index is read again."""
    return int(cache.get_or_set(GENERATION_KEY, time.time_ns, None) or time.time_ns())


def bump_generation() -> None:
    """Make every cached facet count stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), None)
