"""Reads of a data exchange's listings (挂牌) and fast-lane referrals (快速通道): for the
exchange's own pages and API, for the holder, and what the public may see (a listing of a
public registration; the listing an application came from, once the application is public).
A referral is never public: only the exchange that made it and the holder named may read it,
and the exchange learns of the application started from it no more than its public number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dataip.registry.models import Application, Holder, Listing, Referral, ReferralStatus
from dataip.registry.queries.public import may_have
from dataip.registry.workflow import PUBLIC_STATUSES, Status


@dataclass(frozen=True)
class PublicListing:
    """Where a public registration is listed (挂牌信息): what anyone may see."""

    exchange: str
    listing_id: str
    url: str
    since: date
    price_model: str


@dataclass(frozen=True)
class Source:
    """The listing an application came from (快速通道)."""

    exchange: str
    listing_reference: str
    listing_url: str


@dataclass(frozen=True)
class ExchangeReferral:
    """A referral as the exchange that made it sees it: whether it was used and, once the
    application is public, its number; nothing else of the draft."""

    referral: Referral
    used: bool
    public_number: str


def registration_to_check(number: str) -> Application | None:
    """The public registration with this registration number (an exchange checks it before
    listing); None if there is none."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        Application.objects.filter(registration_number=number, status__in=PUBLIC_STATUSES)
        .select_related("product")
        .first()
    )


def public_listings(application: Application) -> list[PublicListing]:
    """The live listings of a public registration, the oldest first (none otherwise)."""
    if Status(application.status) not in PUBLIC_STATUSES or not may_have(application, "listings"):
        return []
    return [
        PublicListing(x.exchange.name, x.listing_id, x.url, x.listed_on, x.price_model)
        for x in application.listings.filter(ended_on=None).select_related("exchange")
    ]


def listings_of_application(application: Application) -> list[Listing]:
    """Every listing of a registration, ended ones too (for its holders), the oldest first."""
    return list(application.listings.select_related("exchange").order_by("id"))


def listings_of_exchange(exchange_id: int) -> list[Listing]:
    """The exchange's listings, the newest first."""
    return list(
        Listing.objects.filter(exchange_id=exchange_id)
        .select_related("application__product")
        .order_by("-id")
    )


def listing_of_exchange(listing_pk: int, exchange_id: int) -> Listing | None:
    """One of the exchange's listings."""
    return (
        Listing.objects.filter(pk=listing_pk, exchange_id=exchange_id)
        .select_related("application__product")
        .first()
    )


def _public_number(referral: Referral) -> str:
    application = getattr(referral, "application", None)
    if application is None or Status(application.status) not in PUBLIC_STATUSES:
        return ""
    return str(application.registration_number or application.number or "")


def as_seen_by_exchange(referral: Referral) -> ExchangeReferral:
    """The referral with what its exchange may know of its use."""
    return ExchangeReferral(
        referral, referral.status == ReferralStatus.USED, _public_number(referral)
    )


def referrals_of_exchange(exchange_id: int) -> list[ExchangeReferral]:
    """The exchange's referrals, the newest first."""
    return [
        as_seen_by_exchange(r)
        for r in Referral.objects.filter(exchange_id=exchange_id)
        .select_related("application")
        .order_by("-id")
    ]


def referral_of_exchange(referral_pk: int, exchange_id: int) -> ExchangeReferral | None:
    """One of the exchange's referrals."""
    found = (
        Referral.objects.filter(pk=referral_pk, exchange_id=exchange_id)
        .select_related("application")
        .first()
    )
    return as_seen_by_exchange(found) if found else None


def _identifiers(holder_ids: Iterable[int]) -> list[str]:
    return list(Holder.objects.filter(pk__in=set(holder_ids)).values_list("identifier", flat=True))


def referrals_for_holder(holder_ids: Iterable[int], *, pending_only: bool = True) -> list[Referral]:
    """The referrals made to the holders (waiting ones only, by default), the newest first."""
    found = Referral.objects.filter(holder_identifier__in=_identifiers(holder_ids))
    if pending_only:
        found = found.filter(status=ReferralStatus.PENDING)
    return list(found.select_related("exchange").order_by("-id"))


def referral_for_holder(referral_pk: int, holder_ids: Iterable[int]) -> Referral | None:
    """One referral made to one of the holders."""
    return (
        Referral.objects.filter(pk=referral_pk, holder_identifier__in=_identifiers(holder_ids))
        .select_related("exchange")
        .first()
    )


def source_of(application: Application, *, public: bool = False) -> Source | None:
    """The listing the application came from (快速通道), if any; with ``public``, only once
    the application is public."""
    if application.source_referral_id is None:
        return None
    if public and Status(application.status) not in PUBLIC_STATUSES:
        return None
    referral = Referral.objects.select_related("exchange").get(pk=application.source_referral_id)
    return Source(referral.exchange.name, referral.listing_reference, referral.listing_url)
