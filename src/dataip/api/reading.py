"""Small read-only queries the API needs beyond ``registry.queries`` (they never write).

Access checks stay in ``registry.queries`` (``get_application_for``, ``can_see_confidential``);
search runs on the portal's public index (:mod:`dataip.web.search`), which holds public
applications only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dataip.errors import NotFound, gettext_noop
from dataip.registry import queries
from dataip.registry.models import Application, Holder
from dataip.registry.workflow import PUBLIC_STATUSES, Actor, Status
from dataip.web import search
from dataip.web.models import SearchEntry

PUBLIC = [s.value for s in PUBLIC_STATUSES]
REGISTERED = [Status.REGISTERED.value, Status.EXPIRED.value]
SEARCH_FACETS: Mapping[str, str] = {
    "kind": "kind",
    "industry": "industry_code",
    "province": "province_code",
    "status": "status",
    "year": "year",
}
"""Facet names of the API and the index columns they count."""


def public_application(number: str) -> Application:
    """A registration (or an announced application) by its registration or application number.

    Drafts and applications under examination are never found: NotFound, as if they did not
    exist.
    """
    wanted = number.strip().upper()
    application = (
        Application.objects.select_related("product")
        .filter(Q(registration_number=wanted) | Q(number=wanted), status__in=PUBLIC)
        .first()
    )
    if application is None:
        raise NotFound(gettext_noop("No such registration."))
    return application


def own_application(actor: Actor, application_id: int) -> Application:
    """An application of the actor's organisation (filer or holder), with its confidential
    fields; any other application is NotFound, even a public one."""
    application = queries.get_application_for(actor, application_id)
    if not queries.can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such application."))
    return application


def applications_of(holder_id: int, status: str | None = None) -> QuerySet[Application]:
    """Applications filed by, or held by, one holder."""
    found = Application.objects.filter(Q(filed_by_id=holder_id) | Q(holders__holder_id=holder_id))
    if status:
        found = found.filter(status=status)
    return found.distinct().select_related("product")


def holder_ids_by_identifier(identifiers: Iterable[str]) -> dict[str, int]:
    """Holder ids by credit code or resident ID number (normalised to upper case)."""
    wanted = {i.strip().upper() for i in identifiers}
    return dict(Holder.objects.filter(identifier__in=wanted).values_list("identifier", "pk"))


# ── search over the public index ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class Found:
    """Every index entry matching a search, and the count of each facet value among them."""

    entries: QuerySet[SearchEntry]
    total: int
    facets: dict[str, list[tuple[str, int]]]


def search_public(text: str, filters: Mapping[str, str]) -> Found:
    """Entries matching every word (Chinese by substring) and every facet filter."""
    query = search.Query(
        text=text,
        filters={SEARCH_FACETS[name]: value for name, value in filters.items() if value},
    )
    entries = search.matching(query)
    facets: dict[str, list[tuple[str, int]]] = {}
    for name, column in SEARCH_FACETS.items():
        rows = (
            entries.order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
        )
        facets[name] = sorted(((str(v), n) for v, n in rows), key=lambda kv: (-kv[1], kv[0]))
    total = sum(n for _, n in facets["status"])
    return Found(entries, total, facets)


# ── statistics ─────────────────────────────────────────────────────────────────────────


def registrations_by(column: str) -> list[tuple[str, int]]:
    """Registrations (registered or expired) counted by a field of their data product."""
    rows = (
        Application.objects.filter(status__in=REGISTERED)
        .order_by()
        .values_list(f"product__{column}")
        .annotate(n=Count("id"))
        .values_list(f"product__{column}", "n")
    )
    return sorted(((str(v), n) for v, n in rows), key=lambda kv: (-kv[1], kv[0]))
