"""The public search index (检索索引): one row per application the public may see.

It is a read model of the registry, kept in step by :mod:`dataip.registry.search_index`, which
every workflow transition calls right after it saves the application. It holds only public
fields, so a search can never reveal a draft, an application under examination or a
confidential field. Chinese is searched by substring: on SQLite through an FTS5 table with the
trigram tokenizer (``registry_search_fts``, kept in step by triggers), on PostgreSQL through a
pg_trgm GIN index on ``document`` (both made by the migration). Chinese is also searched by
words (``words``, cut by jieba): on SQLite through a second FTS5 table (``unicode61``, ranked by
``bm25()``), on PostgreSQL through a GIN index on its ``simple`` ``tsvector`` (ranked by
``ts_rank_cd``), made by migration 0022; since 0025 that index holds the facet values too, as
keys beside the words (:data:`WORD_KEYS`), so words and filters are matched together inside it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """A public registration (or announced application), as search results show it."""

    application = models.OneToOneField(
        "registry.Application", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    number = models.CharField(_("application number"), max_length=20)
    registration_number = models.CharField(_("registration number"), max_length=16, blank=True)
    name = models.CharField(_("product name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("English summary"), max_length=300, blank=True)
    holders = models.CharField(_("holders"), max_length=1000, blank=True)
    holders_en = models.CharField(_("holders (English)"), max_length=1000, blank=True)
    document = models.TextField(_("searchable text"))
    words = models.TextField(_("words"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=20)
    industry_code = models.CharField(_("industry"), max_length=2, blank=True)
    province_code = models.CharField(_("province"), max_length=2, blank=True)
    status = models.CharField(_("status"), max_length=24)
    year = models.PositiveSmallIntegerField(_("year"))
    public_since = models.DateField(_("announced"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        # No index on kind, status or year alone: each value is shared by a large part of the
        # entries, and SQLite (without statistics) would prefer such an index to the better ones.
        indexes = [
            models.Index(fields=["-public_since", "-application"], name="registry_search_newest"),
            models.Index(
                fields=["industry_code", "-public_since", "-application"],
                name="registry_search_industry_new",
            ),
            models.Index(
                fields=["province_code", "-public_since", "-application"],
                name="registry_search_province_new",
            ),
            models.Index(fields=["number"], name="registry_search_number"),
            models.Index(fields=["name", "application"], name="registry_search_name"),
            # Cover the facet counts of a text search (found rows looked up by id, facet values
            # read from the index). Counts without words read ``SearchFacetCell`` instead.
            models.Index(
                fields=["application", "kind", "industry_code", "province_code", "status", "year"],
                name="registry_search_facets",
            ),
            # A filter on kind, status or year, newest first: walked in order without skipping
            # the entries of other values (at a million, a year filter otherwise walks every
            # entry of later years).
            models.Index(
                fields=["kind", "-public_since", "-application"], name="registry_search_kind_newest"
            ),
            models.Index(
                fields=["status", "-public_since", "-application"],
                name="registry_search_status_newest",
            ),
            models.Index(
                fields=["year", "-public_since", "-application"], name="registry_search_year_newest"
            ),
        ]

    def __str__(self) -> str:
        return self.registration_number or self.number


FACET_COLUMNS = ("kind", "industry_code", "province_code", "status", "year")
"""The columns of :class:`SearchEntry` a search counts by (its facets), declared once."""

WORD_KEYS = (
    "(words_tsv || array_to_tsvector(ARRAY["
    + ", ".join(f"'{name}:' || {name}::text" for name in FACET_COLUMNS)
    + "]))"
)
"""PostgreSQL: the expression the word index is built on (migration 0025): the words of an
entry and its facet values as keys (``kind:data_product``, ``year:2025``; the ``simple``
parser never makes such a word of a search, since it splits at the colon). A search with words
and filters asks the index for both at once (``WORD_KEYS @@ (words && keys)``), which reads the
entries holding all of them, where a separate index of a filter would list a third of a
million entries."""


def facet_key(name: str, value: object) -> str:
    """The key of a facet value in the word index (:data:`WORD_KEYS`), as a quoted lexeme of
    a ``tsquery``."""
    return "'" + f"{name}:{value}".replace("\\", "\\\\").replace("'", "''") + "'"


class SearchFacetCell(models.Model):
    """How many entries of the public index share one set of facet values (检索分面计数单元):
    kind, industry, province, status and year. Kept in step with :class:`SearchEntry` in the
    same transaction by :mod:`dataip.registry.search_index`, so that the facet counts of a
    search without words, and the public statistics, add up a few thousand cells instead of
    reading a million entries. Rebuilt with the index; checked by ``dataip audit``."""

    kind = models.CharField(max_length=20)
    industry_code = models.CharField(max_length=2, blank=True)
    province_code = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=24)
    year = models.PositiveSmallIntegerField()
    entries = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("search facet cell")
        verbose_name_plural = _("search facet cells")
        constraints = [
            models.UniqueConstraint(fields=list(FACET_COLUMNS), name="registry_search_cell_key")
        ]

    def __str__(self) -> str:
        return " ".join(str(getattr(self, name)) for name in FACET_COLUMNS)
