"""The public API (no token): search, registration details, the display card for trading
platforms, current announcements and statistics.

Only what the public may see: applications from their announcement on
(``workflow.PUBLIC_STATUSES``), and of them only ``registry.queries.public_record``: public
fields, holders' names and shares, pledges, licences and public history. Drafts and
applications under examination are never found.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import P, QueryEx, Router
from ninja.params import PathEx

from dataip.api import pagination
from dataip.api.errors import api_name
from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.public import (
    Announcement,
    Announcements,
    CameFrom,
    Display,
    Facet,
    PublicEvent,
    PublicHolder,
    PublicLicence,
    PublicListingOut,
    PublicPledge,
    PublicProduct,
    PublicState,
    Registration,
    RegistrationSummary,
    SearchResults,
    Statistics,
)
from dataip.api.schemas.statistics import bulletin_out
from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import labels
from dataip.registry.clock import local_date
from dataip.registry.kinds import ProductKind
from dataip.registry.models import Application, SearchEntry
from dataip.registry.queries import listings
from dataip.registry.queries.bulletin import Scope, bulletin
from dataip.registry.queries.public import (
    current_announcements,
    public_application,
    public_record,
    registry_figures,
)
from dataip.registry.queries.search import find_all
from dataip.registry.queries.statistics import registrations_by

router = Router(tags=["public"])
ERRORS: dict[int, type[Problem]] = {404: Problem, 422: ValidationProblem}
NUMBER = P(pattern=r"^[0-9A-Za-z]{1,20}$", description="Registration or application number")
PublicStatus = Literal[
    "under_publicity", "objection_review", "registered", "expired", "cancelled", "revoked"
]
DISPLAY_MAX_AGE = 300


def _url(request: HttpRequest, number: str) -> str:
    return request.build_absolute_uri(reverse("api:registration", kwargs={"number": number}))


def _summary(request: HttpRequest, entry: SearchEntry) -> RegistrationSummary:
    number = entry.registration_number or entry.number
    return RegistrationSummary(
        applicationNumber=entry.number,
        registrationNumber=entry.registration_number or None,
        name=entry.name,
        nameEn=entry.name_en,
        summary=entry.summary,
        summaryEn=entry.summary_en,
        holders=entry.holders,
        holdersEn=entry.holders_en,
        kind=entry.kind,
        industryCode=entry.industry_code,
        provinceCode=entry.province_code,
        status=entry.status,
        year=entry.year,
        publicSince=entry.public_since,
        url=_url(request, number),
    )


def _facets(name: str, counts: list[tuple[str, int]]) -> list[Facet]:
    return [Facet(value=v, label=labels.facet(name, v), count=n) for v, n in counts]


@router.get("/registrations", response={200: SearchResults, **ERRORS}, summary="Search")
def search_registrations(
    request: HttpRequest,
    q: QueryEx[str, P(max_length=200, pattern=r"^[^\x00]*$")] = "",
    kind: QueryEx[ProductKind | None, P()] = None,
    industry: QueryEx[str | None, P(pattern=r"^[0-9]{2}$")] = None,
    province: QueryEx[str | None, P(pattern=r"^[0-9]{2}$")] = None,
    status: QueryEx[PublicStatus | None, P()] = None,
    year: QueryEx[int | None, P(ge=1900, le=9999)] = None,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> SearchResults:
    """Search registrations and announced applications: every word of ``q`` must occur in
    the Chinese or English name, summary, holders or numbers (Chinese by substring).
    Facets count the hits by kind, industry, province, status and year (with words, the
    first 1,000 hits: ``totalCapped``); the newest first."""
    filters = {
        "kind": kind.value if kind else "",
        "industry": industry or "",
        "province": province or "",
        "status": status or "",
        "year": str(year or ""),
    }
    found = find_all(q, filters)
    page = pagination.by_id(found.entries, cursor, limit)
    return SearchResults(
        total=found.total,
        totalCapped=found.capped,
        items=[_summary(request, entry) for entry in page.items],
        facets={name: _facets(name, counts) for name, counts in found.facets.items()},
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


def _registration(application: Application) -> Registration:
    record = public_record(application)
    product = {api_name(name): value for name, value in record.product.items()}
    return Registration(
        applicationNumber=application.number or "",
        registrationNumber=application.registration_number,
        certificateNumber=application.certificate_number,
        status=application.status,
        statusLabel=labels.status(application.status),
        regime=application.regime_code,
        announcementStarts=application.announcement_starts,
        announcementEnds=application.announcement_ends,
        registeredOn=application.registered_on,
        validFrom=application.valid_from,
        validUntil=application.valid_until,
        underPledge=record.under_pledge,
        state=PublicState.of(record.state),
        product=PublicProduct(**product),
        holders=[PublicHolder(name=name, share=str(share)) for name, share in record.holders],
        pledges=[
            PublicPledge(
                pledgee=p.pledgee,
                starts=p.starts,
                ends=p.ends,
                inForce=p.in_force,
                amount=None if p.amount is None else str(p.amount),
                currency=p.currency,
            )
            for p in record.pledges
        ],
        licences=[
            PublicLicence(kind=lic.kind, starts=lic.starts, ends=lic.ends, inForce=lic.in_force)
            for lic in record.licences
        ],
        history=[
            PublicEvent(action=action, label=labels.event(action), at=at, day=local_date(at))
            for action, at in record.history
        ],
        **_listings_of(application),
    )


def _listings_of(application: Application) -> dict[str, Any]:
    """Where the registration is listed, and the listing it came from (public only)."""
    source = listings.source_of(application, public=True)
    return {
        "listings": [
            PublicListingOut(
                exchange=x.exchange,
                listingId=x.listing_id,
                url=x.url,
                since=x.since,
                priceModel=x.price_model,
                priceModelLabel=labels.price_model(x.price_model),
            )
            for x in listings.public_listings(application)
        ],
        "cameFrom": CameFrom(
            exchange=source.exchange,
            listingReference=source.listing_reference,
            listingUrl=source.listing_url,
        )
        if source
        else None,
    }


@router.get(
    "/registrations/{number}",
    response={200: Registration, **ERRORS},
    summary="Registration details",
)
def registration(request: HttpRequest, number: PathEx[str, NUMBER]) -> Registration:
    """The public record of a registration, by registration number (or, while it is
    announced, by application number): first its ``state`` (pledges standing, exclusive or
    sole licences in force, a pending transfer, cancellation or revocation, with a plain-words
    ``summary``), then public fields, holders, pledges, licences and the public history (each
    event named in plain words, with its day)."""
    return _registration(public_application(number))


def _display(request: HttpRequest, application: Application) -> Display:
    record = public_record(application)
    number = application.registration_number or application.number or ""
    return Display(
        registrationNumber=application.registration_number,
        applicationNumber=application.number or "",
        name=application.product.name,
        nameEn=application.product.name_en,
        kind=application.product.kind,
        holders=[name for name, _ in record.holders],
        status=application.status,
        statusLabel=labels.status(application.status),
        registeredOn=application.registered_on,
        validUntil=application.valid_until,
        underPledge=record.under_pledge,
        verifyUrl=f"{settings.DATAIP_PUBLIC_URL}/verify/{number}",
        detailsUrl=_url(request, number),
    )


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names this entity tag (weak comparison)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


@router.get(
    "/registrations/{number}/display",
    response={200: Display, 304: None, **ERRORS},
    summary="Display registration details (for trading platforms)",
)
def display(
    request: HttpRequest, number: PathEx[str, NUMBER], response: HttpResponse
) -> HttpResponse | Display:
    """The compact card a trading platform shows with a listing: name, holders, status,
    validity, whether a pledge stands, and where to verify. Cacheable: send the ``ETag`` back
    as ``If-None-Match`` to get ``304 Not Modified`` while nothing changed."""
    card = _display(request, public_application(number))
    etag = '"' + hashlib.sha256(card.model_dump_json().encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={DISPLAY_MAX_AGE}"}
    if _matches(request.headers.get("If-None-Match", ""), etag):
        not_modified = HttpResponse(status=304)
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    for name, value in headers.items():
        response[name] = value
    return card


def _announcement(request: HttpRequest, application: Application) -> Announcement:
    product = application.product
    return Announcement(
        applicationNumber=application.number or "",
        name=product.name,
        nameEn=product.name_en,
        kind=product.kind,
        summary=product.summary,
        summaryEn=product.summary_en,
        holders=[h.holder.name for h in application.holders.all()],
        industryCode=product.industry_code,
        provinceCode=product.province_code,
        announcementStarts=application.announcement_starts,
        announcementEnds=application.announcement_ends,
        url=_url(request, application.number or ""),
    )


def _announcement_key(application: Application) -> tuple[str, int]:
    ends = application.announcement_ends
    return (ends.isoformat() if ends else "", application.pk)


@router.get("/announcements", response={200: Announcements, **ERRORS}, summary="Announcements")
def announcements(
    request: HttpRequest,
    q: QueryEx[str, P(max_length=200, pattern=r"^[^\x00]*$")] = "",
    kind: QueryEx[ProductKind | None, P()] = None,
    province: QueryEx[str | None, P(pattern=r"^[0-9]{2}$")] = None,
    endsBefore: QueryEx[date | None, P()] = None,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> Announcements:
    """Applications under public announcement now (公示), the soonest to end first: anyone
    may object until the announcement ends. Filter by ``kind``, ``province`` (two-digit
    GB/T 2260 code), ``endsBefore`` (the last day, inclusive) and words ``q`` (application
    number, name or applicant)."""
    current = current_announcements(
        kind=kind.value if kind else "",
        province=province or "",
        ends_before=endsBefore,
        text=q,
    )
    page = pagination.by_key(current, _announcement_key, cursor, limit, (str, int))
    prefetch_related_objects(page.items, "holders__holder")
    return Announcements(
        items=[_announcement(request, a) for a in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.get("/statistics", response={200: Statistics, 422: ValidationProblem}, summary="Statistics")
def statistics(
    request: HttpRequest,
    start: QueryEx[date | None, P(alias="from", description="First day (included)")] = None,
    end: QueryEx[date | None, P(alias="to", description="Last day (included)")] = None,
    province: QueryEx[
        str | None, P(pattern=r"^[0-9]{2}$", description="GB/T 2260 province (2 digits)")
    ] = None,
) -> Statistics:
    """Headline figures of the registry, registrations by kind, industry and province, and the
    statistics bulletin (统计公报) for the period and province asked for: counts, amounts (an
    amount of fewer than 3 products is not published), shares, turnaround, objections."""
    if start and end and end < start:
        FieldErrors.raise_one("to", gettext_noop("The end of the period comes before its start."))
    figures = registry_figures()
    return Statistics(
        applications=figures.applications,
        underPublicity=figures.under_publicity,
        registered=figures.registered,
        provinces=figures.provinces,
        industries=figures.industries,
        byKind=_facets("kind", registrations_by("kind")),
        byIndustry=_facets("industry", registrations_by("industry_code")),
        byProvince=_facets("province", registrations_by("province_code")),
        bulletin=bulletin_out(bulletin(Scope(start, end, province or ""))),
    )
