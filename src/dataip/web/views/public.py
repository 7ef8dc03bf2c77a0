"""Public pages: home, search, registration, announcements, objections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import ValidationFailed
from dataip.registry import clock, labels
from dataip.registry.i18n import field_errors
from dataip.registry.kinds import ProductKind
from dataip.registry.models import SearchEntry
from dataip.registry.queries import listings, objections, search
from dataip.registry.queries.public import (
    ANNOUNCEMENTS_PER_PAGE,
    announcement_filters,
    current_announcements,
    home_figures,
    public_application,
    public_record,
    with_days_left,
)
from dataip.registry.services import publicity
from dataip.registry.workflow import Action
from dataip.web.access import actor_of, login_required, signed_in_user, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import ObjectionForm
from dataip.web.views._common import FILES_AGAIN, allowed
from dataip.web.views.declared import public_fields
from dataip.web.views.metadata import dcat_response, page_metadata, wanted_rdf


def _reasons(refused: ValidationFailed | None) -> list[str]:
    """Every reason of a refusal, in the user's language (each names its field)."""
    if refused is None:
        return []
    return [reason for reasons in field_errors(refused).values() for reason in reasons]


SUMMARY_SHOWN = 200
"""Characters of a summary a search result shows (the rest ends in "…")."""


@dataclass(frozen=True)
class FoundEntry:
    """One search result as the page shows it, in the active language: what the template
    prints, made once here rather than decided field by field for each of a page's results."""

    href: str
    title: str
    number_label: str
    number: str
    status: str
    holders: str
    summary: str


def _shown(entries: Sequence[SearchEntry]) -> list[FoundEntry]:
    """The page's results as :class:`FoundEntry`, in the active language."""
    english = labels.is_english()
    # Every result's address differs only in its number: reversed once, not once a result.
    marker = "NUMBER"
    address = reverse("web:registration", args=[marker]).removesuffix(marker)
    shown = []
    for entry in entries:
        summary = (entry.summary_en if english and entry.summary_en else entry.summary) or ""
        if len(summary) > SUMMARY_SHOWN:
            summary = summary[: SUMMARY_SHOWN - 1] + "…"
        registered = bool(entry.registration_number)
        shown.append(
            FoundEntry(
                href=address + quote(entry.number, safe=""),
                title=entry.name_en if english and entry.name_en else entry.name,
                number_label=_("Registration number") if registered else _("Application number"),
                number=entry.registration_number if registered else entry.number,
                status=labels.status(entry.status),
                holders=entry.holders_en if english else entry.holders,
                summary=summary,
            )
        )
    return shown


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public home page: live figures, the newest announcements, a search box."""
    today = clock.local_date(clock.now())
    announcements = with_days_left(current_announcements()[:5], today)
    figures, certificates = home_figures()
    context = {"figures": figures, "certificates": certificates, "announcements": announcements}
    return render(request, "web/home.html", context)


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Search the public registrations: words, facets, sort order, pages. A refused value
    (``?year=abcd``) is named in a message above the form (400); the rest of the search runs."""
    params = {name: request.GET.get(name, "") for name in ("q", *search.FACETS, "sort", "page")}
    query, refused = search.checked_query(params)
    filters = {name: query.filters.get(name, "") for name in search.FACETS}
    results = search.search(query)
    facets = [
        {
            "name": name,
            "selected": filters[name],
            "values": [(value, labels.facet(name, value), n) for value, n in counts[:40]],
        }
        for name, counts in results.facets.items()
    ]
    base = request.GET.copy()
    base.pop("page", None)
    return render(
        request,
        "web/search.html",
        {
            "query": query,
            "refused": _reasons(refused),
            "results": results,
            "shown": _shown(results.entries),
            "facets": facets,
            "base_query": base.urlencode(),
            "sorts": [
                ("newest", _("Newest first")),
                ("oldest", _("Oldest first")),
                ("name", _("By name")),
            ],
        },
        status=400 if refused else 200,
    )


@require_GET
def registration(request: HttpRequest, number: str) -> HttpResponse:
    """A registration (or an announced application) as the public sees it; DCAT-AP 3 in
    Turtle or JSON-LD for a client that prefers it (``Accept``, docs/metadata.md)."""
    application = public_application(number)
    if number.strip().upper() not in {application.number, application.registration_number}:
        # Found by its certificate number, or written with spaces or hyphens: one address.
        target = application.registration_number or application.number or ""
        return redirect("web:registration", number=target)
    rdf = wanted_rdf(request)
    if rdf is not None:
        return dcat_response(number, rdf, vary=True)
    record = public_record(application)
    # Anyone may be offered the objection form while the announcement runs; for a signed-in
    # person, the workflow says whether this person may object (not the applicant's side).
    today = clock.local_date(clock.now())
    can_object = objections.objections_open(application, today) and (
        signed_in_user(request) is None
        or Action.FILE_OBJECTION in allowed(application, actor_of(request))
    )
    response = render(
        request,
        "web/registration.html",
        {
            "application": application,
            "record": record,
            "fields": public_fields(record.product, ProductKind(record.product["kind"])),
            "can_object": can_object,
            "state_lines": labels.state_lines(record.state),
            "industry": labels.industry(record.product["industry_code"]),
            "province": labels.province(record.product["province_code"]),
            "listings": listings.public_listings(application),
            "came_from": listings.source_of(application, public=True),
            "metadata": page_metadata(record),
        },
    )
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def announcements(request: HttpRequest) -> HttpResponse:
    """Every application under public announcement now, with the days left to object: paged,
    filtered by kind, province, the last day and words; each row links the objection form."""
    today = clock.local_date(clock.now())
    wanted, refused = announcement_filters(request.GET)
    found = current_announcements(**wanted)
    pages = max(1, -(-len(found) // ANNOUNCEMENTS_PER_PAGE))
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        page = 1
    start = (page - 1) * ANNOUNCEMENTS_PER_PAGE
    items = with_days_left(found[start : start + ANNOUNCEMENTS_PER_PAGE], today)
    base = request.GET.copy()
    base.pop("page", None)
    context = {
        "announcements": items,
        "total": len(found),
        "page": page,
        "pages": pages,
        "base_query": base.urlencode(),
        "wanted": wanted,
        "kinds": [(k.value, labels.kind(k.value)) for k in ProductKind],
        "provinces": labels.provinces(),
        "refused": _reasons(refused),
        "with_objection_links": True,
    }
    return render(request, "web/announcements.html", context, status=400 if refused else 200)


@login_required
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, number: str) -> HttpResponse:
    """File an objection to an announced application (grounds, statement, evidence), only
    while the announcement runs. A refused form keeps what was typed and asks for the files
    again."""
    application = public_application(number)
    if not objections.objections_open(application, clock.local_date(clock.now())):
        context = {"application": application}
        return render(request, "web/objection_closed.html", context, status=409)
    user = user_of(request)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    files = request.FILES.getlist("evidence") if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            filed = publicity.file_objection(
                application.pk,
                actor=actor_of(request),
                user=user,
                ground=form.cleaned_data["ground"],
                statement=form.cleaned_data["statement"],
                evidence=[(f.name or "evidence", f) for f in files],
            )
        except ValidationFailed as error:
            names = {f"evidence.{i}": "evidence" for i in range(len(files))}
            put_on_form(form, error, names)
        else:
            messages.success(
                request,
                _("Your objection was filed under reference %(reference)s.")
                % {"reference": filed.reference},
            )
            return redirect("web:my-objection", reference=filed.reference)
    if form.errors and files and "evidence" not in form.errors:
        form.add_error("evidence", str(FILES_AGAIN))
    status = 422 if form.errors else 200
    return render(
        request, "web/objection.html", {"application": application, "form": form}, status=status
    )
