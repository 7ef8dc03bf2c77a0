"""A data exchange's API (scope ``listings``): its listings of registered products (挂牌) and
its fast-lane referrals (快速通道); and the holder's side of a referral (scope ``apply``):
the referrals made to its organisation, starting a draft from one, declining one.

Every change goes through ``registry.services.listings``, as the pages do: only a member of a
verified data exchange lists or refers (403 otherwise); a listing or referral of another
exchange, or a referral made to another holder, is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.accounts import scopes
from dataip.api import pagination
from dataip.api.auth import TokenAuth, apply_auth, caller
from dataip.api.errors import api_name
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.listings import (
    DeclineIn,
    DraftStarted,
    ListingEnd,
    ListingIn,
    ListingList,
    ListingOut,
    ListingUpdate,
    ReceivedReferral,
    ReceivedReferralList,
    ReferralIn,
    ReferralList,
    ReferralOut,
)
from dataip.api.schemas.log import Problem
from dataip.errors import NotFound, gettext_noop
from dataip.registry import labels
from dataip.registry.fields import EDITABLE
from dataip.registry.models import Listing, Referral
from dataip.registry.queries import listings as found
from dataip.registry.services import listings as listing

listings_auth = TokenAuth(scopes.LISTINGS)
router = Router(tags=["listings"], auth=listings_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
ListingId = PathEx[int, P(ge=1, le=MAX_ID, description="The listing's id")]
ReferralId = PathEx[int, P(ge=1, le=MAX_ID, description="The referral's id")]
SERVICE_NAMES = {api_name(name): name for name in EDITABLE}
T = TypeVar("T")


def _page(
    request: HttpRequest, items: list[T], cursor: str | None, limit: int, out: Callable[[T], Any]
) -> dict[str, Any]:
    page = pagination.by_key(items, lambda i: (-int(getattr(i, "pk", 0)),), cursor, limit, (int,))
    return {
        "items": [out(i) for i in page.items],
        "next": pagination.next_link(request, page.next_cursor),
        "nextCursor": page.next_cursor,
    }


def _listing(made: Listing) -> ListingOut:
    return ListingOut(
        id=made.pk,
        registrationNumber=made.application.registration_number or "",
        productName=made.application.product.name,
        listingId=made.listing_id,
        url=made.url,
        listedOn=made.listed_on,
        priceModel=made.price_model,
        priceModelLabel=labels.price_model(made.price_model),
        description=made.description,
        endedOn=made.ended_on,
        recordedAt=made.recorded_at,
    )


def _referral(seen: found.ExchangeReferral) -> ReferralOut:
    r = seen.referral
    return ReferralOut(
        id=r.pk,
        holderIdentifier=r.holder_identifier,
        kind=r.kind,
        productName=str(r.values.get("name", "")),
        listingReference=r.listing_reference,
        listingUrl=r.listing_url,
        status=r.status,
        statusLabel=labels.referral_status(r.status),
        createdAt=r.created_at,
        decidedAt=r.decided_at,
        used=seen.used,
        publicNumber=seen.public_number or None,
    )


def _received(r: Referral) -> ReceivedReferral:
    return ReceivedReferral(
        id=r.pk,
        exchange=r.exchange.name,
        kind=r.kind,
        listingReference=r.listing_reference,
        listingUrl=r.listing_url,
        product={api_name(k): v for k, v in r.values.items()},
        status=r.status,
        statusLabel=labels.referral_status(r.status),
        createdAt=r.created_at,
    )


def _exchange(request: HttpRequest) -> int:
    return listing.exchange_of(caller(request).actor)


def _own_listing(request: HttpRequest, listing_id: int) -> Listing:
    made = found.listing_of_exchange(listing_id, _exchange(request))
    if made is None:
        raise NotFound(gettext_noop("No such listing."))
    return made


# ── the exchange's listings ──────────────────────────────────────────────────────────────


@router.get("/exchange/listings", response={200: ListingList, **ERRORS}, summary="Your listings")
def list_listings(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Your exchange's listings, ended ones too, the newest first."""
    items = found.listings_of_exchange(_exchange(request))
    return _page(request, items, cursor, limit, _listing)


@router.post("/exchange/listings", response={201: ListingOut, **ERRORS}, summary="List a product")
def create_listing(request: HttpRequest, body: BodyEx[ListingIn, P()]) -> Answer[ListingOut]:
    """Record that a registered product is listed on your exchange (挂牌), naming it by its
    registration number: only a registration in force can be listed; one live listing per
    product and listing id. The listing is public; the holder is told."""
    made = listing.list_product(
        actor=caller(request).actor,
        registration_number=body.registrationNumber,
        listing_id=body.listingId,
        url=body.url,
        listed_on=body.listedOn,
        price_model=body.priceModel.value,
        description=body.description,
    )
    return Answer(201, _listing(_own_listing(request, made.pk)))


@router.get(
    "/exchange/listings/{listing_id}", response={200: ListingOut, **ERRORS}, summary="A listing"
)
def read_listing(request: HttpRequest, listing_id: ListingId) -> ListingOut:
    """One of your exchange's listings."""
    return _listing(_own_listing(request, listing_id))


@router.patch(
    "/exchange/listings/{listing_id}",
    response={200: ListingOut, **ERRORS},
    summary="Update a listing",
)
def update_listing(
    request: HttpRequest, listing_id: ListingId, body: BodyEx[ListingUpdate, P()]
) -> ListingOut:
    """Change the URL, price model or description of a live listing."""
    _own_listing(request, listing_id)
    listing.update_listing(
        listing_id,
        actor=caller(request).actor,
        url=body.url,
        price_model=body.priceModel.value,
        description=body.description,
    )
    return _listing(_own_listing(request, listing_id))


@router.post(
    "/exchange/listings/{listing_id}/end",
    response={200: ListingOut, **ERRORS},
    summary="Delist",
)
def end_listing(
    request: HttpRequest, listing_id: ListingId, body: BodyEx[ListingEnd, P()]
) -> ListingOut:
    """End a live listing (摘牌) on a day (today if left out); the holder is told."""
    _own_listing(request, listing_id)
    listing.end_listing(listing_id, actor=caller(request).actor, on=body.on, reason=body.reason)
    return _listing(_own_listing(request, listing_id))


# ── the exchange's referrals (快速通道) ────────────────────────────────────────────────────


def _own_referral(request: HttpRequest, referral_id: int) -> found.ExchangeReferral:
    seen = found.referral_of_exchange(referral_id, _exchange(request))
    if seen is None:
        raise NotFound(gettext_noop("No such referral."))
    return seen


@router.get("/exchange/referrals", response={200: ReferralList, **ERRORS}, summary="Your referrals")
def list_referrals(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Your exchange's fast-lane referrals, the newest first, each saying whether the holder
    started a draft from it and, once that application is public, its number."""
    items = found.referrals_of_exchange(_exchange(request))
    return _page(request, items, cursor, limit, _referral)


@router.post("/exchange/referrals", response={201: ReferralOut, **ERRORS}, summary="Pre-fill")
def create_referral(request: HttpRequest, body: BodyEx[ReferralIn, P()]) -> Answer[ReferralOut]:
    """Pre-fill an application for a holder named by its unified social credit code (快速通道):
    the product's fields (the name at least) and your listing reference. It is no application
    and never public; the holder's members may start a draft from it or decline it."""
    sent = body.product.model_dump(exclude_unset=True)
    made = listing.create_referral(
        actor=caller(request).actor,
        holder_identifier=body.holderIdentifier,
        kind=body.kind.value,
        values={SERVICE_NAMES[k]: v for k, v in sent.items() if k in SERVICE_NAMES},
        listing_reference=body.listingReference,
        listing_url=body.listingUrl,
    )
    return Answer(201, _referral(_own_referral(request, made.pk)))


@router.get(
    "/exchange/referrals/{referral_id}",
    response={200: ReferralOut, **ERRORS},
    summary="A referral",
)
def read_referral(request: HttpRequest, referral_id: ReferralId) -> ReferralOut:
    """One of your exchange's referrals."""
    return _referral(_own_referral(request, referral_id))


@router.post(
    "/exchange/referrals/{referral_id}/withdraw",
    response={200: ReferralOut, **ERRORS},
    summary="Withdraw a referral",
)
def withdraw_referral(request: HttpRequest, referral_id: ReferralId) -> ReferralOut:
    """Withdraw a referral the holder has not used or declined yet."""
    _own_referral(request, referral_id)
    listing.withdraw_referral(referral_id, actor=caller(request).actor)
    return _referral(_own_referral(request, referral_id))


# ── the holder's side (scope ``apply``) ─────────────────────────────────────────────────


def _received_one(request: HttpRequest, referral_id: int) -> Referral:
    r = found.referral_for_holder(referral_id, caller(request).actor.sees_holder_ids)
    if r is None:
        raise NotFound(gettext_noop("No such referral."))
    return r


@router.get(
    "/referrals",
    response={200: ReceivedReferralList, **ERRORS},
    summary="Referrals to you",
    auth=apply_auth,
)
def received_referrals(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Applications data exchanges pre-filled for your organisation that wait for you."""
    items = found.referrals_for_holder(caller(request).actor.sees_holder_ids)
    return _page(request, items, cursor, limit, _received)


@router.get(
    "/referrals/{referral_id}",
    response={200: ReceivedReferral, **ERRORS},
    summary="A referral to you",
    auth=apply_auth,
)
def received_referral(request: HttpRequest, referral_id: ReferralId) -> ReceivedReferral:
    """One referral made to your organisation, with the product's fields as pre-filled."""
    return _received(_received_one(request, referral_id))


@router.post(
    "/referrals/{referral_id}/draft",
    response={201: DraftStarted, **ERRORS},
    summary="Start a draft from a referral",
    auth=apply_auth,
)
def start_draft(
    request: HttpRequest, referral_id: ReferralId, response: HttpResponse
) -> Answer[DraftStarted]:
    """Start a draft application from a referral made to your organisation: its fields as the
    exchange filled them in; you still edit, file and submit it. The application records the
    listing it came from."""
    who = caller(request)
    application = listing.start_draft(referral_id, actor=who.actor, user=who.filer())
    path = reverse("api:read_application", kwargs={"application_id": application.pk})
    response["Location"] = request.build_absolute_uri(path)
    return Answer(201, DraftStarted(applicationId=application.pk))


@router.post(
    "/referrals/{referral_id}/decline",
    response={200: ReceivedReferral, **ERRORS},
    summary="Decline a referral",
    auth=apply_auth,
)
def decline_referral(
    request: HttpRequest, referral_id: ReferralId, body: BodyEx[DeclineIn, P()]
) -> ReceivedReferral:
    """Decline a referral made to your organisation (the exchange sees that you did)."""
    listing.decline_referral(referral_id, actor=caller(request).actor, reason=body.reason)
    return _received(_received_one(request, referral_id))
