"""A data exchange's listings of registered products (挂牌) and its fast-lane referrals
(快速通道).

A member of a verified data exchange (:attr:`Role.EXCHANGE`) lists a registered product on its
exchange after checking the registration by number: a record on the registered application, in
the transition of ``list_product`` (a logged, public event; the holder is told). It may update
or end (delist) its own listings. One live listing per exchange, product and listing id.

A referral is an application pre-filled by the exchange for a holder named by its unified
social credit code. It is no application and never public: no event and no ledger leaf carries
its content. The holder's members may start a draft from it (``create_draft`` with its values;
the holder still edits, files and submits it) or decline it; the exchange may withdraw it
until then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from dataip.accounts.models import User
from dataip.errors import (
    Conflict,
    FieldErrors,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    gettext_noop,
)
from dataip.registry import clock, notices
from dataip.registry.actors import user_id_of
from dataip.registry.fields import clean_product
from dataip.registry.identifiers import InvalidIdentifier, validate_uscc
from dataip.registry.kinds import ProductKind
from dataip.registry.models import (
    Application,
    Holder,
    Listing,
    PriceModel,
    Referral,
    ReferralStatus,
)
from dataip.registry.services import applications as filing
from dataip.registry.services.records import create_record
from dataip.registry.services.transition import transition
from dataip.registry.validators import NO_DATE, iso_date, required_text
from dataip.registry.workflow import Action, Actor, Notice, Role, Status

MAX_DESCRIPTION = 2000
NOT_AN_EXCHANGE = gettext_noop("Only a member of a verified data exchange may do this.")


def exchange_of(actor: Actor) -> int:
    """The verified data exchange the actor acts for; refused for anyone else."""
    if Role.EXCHANGE not in actor.roles or len(actor.holder_ids) != 1:
        raise PermissionDenied(NOT_AN_EXCHANGE)
    return next(iter(actor.holder_ids))


def _url(errors: FieldErrors, field: str, value: str, *, required: bool) -> str:
    """An http or https URL of at most 500 characters."""
    value = (value or "").strip()
    if not value:
        if required:
            errors.add(field, gettext_noop("This field is required."))
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors.add(field, gettext_noop("Give an http or https address."))
        return ""
    if len(value) > 500 or urlsplit(value).scheme not in {"http", "https"}:
        errors.add(field, gettext_noop("Give an http or https address."))
        return ""
    return value


def _price_model(errors: FieldErrors, value: str) -> str:
    if value not in PriceModel.values:
        errors.add("price_model", gettext_noop("Choose one of the price models offered."))
    return value


def _description(errors: FieldErrors, value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_DESCRIPTION:
        errors.add(
            "description",
            gettext_noop("At most %(limit)s characters."),
            limit=MAX_DESCRIPTION,
        )
    return value


def _registration(errors: FieldErrors, number: str) -> Application | None:
    """The registration in force with this number (registered, not expired, cancelled or
    revoked), or None with the reason on ``registration_number``."""
    number = (number or "").strip().upper()
    if not number:
        errors.add("registration_number", gettext_noop("This field is required."))
        return None
    found = Application.objects.filter(registration_number=number).first()
    if found is None:
        errors.add("registration_number", gettext_noop("No registration has this number."))
        return None
    if found.status != Status.REGISTERED:
        errors.add(
            "registration_number",
            gettext_noop(
                "Only a registration in force can be listed (not expired, cancelled or revoked)."
            ),
        )
        return None
    return found


def _payload(listing: Listing) -> dict[str, Any]:
    return {
        "listing": listing.pk,
        "exchange": listing.exchange_id,
        "reference": listing.listing_id,
        "url": listing.url,
        "listed_on": listing.listed_on.isoformat(),
        "price_model": listing.price_model,
    }


def list_product(
    *,
    actor: Actor,
    registration_number: str,
    listing_id: str,
    url: str,
    listed_on: object,
    price_model: str,
    description: str = "",
    at: datetime | None = None,
) -> Listing:
    """Record that the registered product is listed on the actor's exchange (挂牌)."""
    exchange_id = exchange_of(actor)
    errors = FieldErrors()
    application = _registration(errors, registration_number)
    reference = required_text(errors, "listing_id", listing_id, 100)
    address = _url(errors, "url", url, required=True)
    day = iso_date(errors, "listed_on", listed_on)
    model = _price_model(errors, price_model)
    text = _description(errors, description)
    errors.raise_if_any()
    assert application is not None  # noqa: S101 - refused above otherwise

    def prepare(locked: Application, when: datetime) -> None:
        live = Listing.objects.filter(
            exchange_id=exchange_id, application=locked, listing_id=reference, ended_on=None
        )
        if live.exists():
            FieldErrors.raise_one(
                "listing_id",
                gettext_noop("Your exchange already lists this product under this listing id."),
            )

    return create_record(
        Listing,
        application.pk,
        Action.LIST_PRODUCT,
        actor=actor,
        at=at,
        fields={
            "exchange_id": exchange_id,
            "listing_id": reference,
            "url": address,
            "listed_on": day,
            "price_model": model,
            "description": text,
        },
        payload=_payload,
        prepare=prepare,
        public=True,
    )


def _own_listing(actor: Actor, listing_pk: int) -> Listing:
    exchange_id = exchange_of(actor)
    found = Listing.objects.filter(pk=listing_pk, exchange_id=exchange_id).first()
    if found is None:
        raise NotFound(gettext_noop("No such listing."))
    if found.ended_on is not None:
        raise Conflict(gettext_noop("This listing has ended."))
    return found


def update_listing(
    listing_pk: int,
    *,
    actor: Actor,
    url: str,
    price_model: str,
    description: str = "",
    at: datetime | None = None,
) -> Listing:
    """Change the URL, price model or description of one of the exchange's live listings."""
    listing = _own_listing(actor, listing_pk)
    errors = FieldErrors()
    address = _url(errors, "url", url, required=True)
    model = _price_model(errors, price_model)
    text = _description(errors, description)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        changed = Listing.objects.filter(pk=listing.pk, ended_on=None).update(
            url=address, price_model=model, description=text
        )
        if not changed:
            raise Conflict(gettext_noop("This listing has ended."))
        listing.refresh_from_db()
        return _payload(listing)

    transition(
        listing.application_id,
        Action.UPDATE_LISTING,
        actor=actor,
        at=at,
        effect=effect,
        public=True,
    )
    return listing


def end_listing(
    listing_pk: int,
    *,
    actor: Actor,
    on: object = None,
    reason: str = "",
    at: datetime | None = None,
) -> Listing:
    """Delist (摘牌): the exchange's listing ends on ``on`` (today by default)."""
    listing = _own_listing(actor, listing_pk)
    errors = FieldErrors()
    ended = iso_date(errors, "on", on) if on else clock.local_date(at or clock.now())
    if ended != NO_DATE and ended < listing.listed_on:
        errors.add("on", gettext_noop("Must not be before the listing date."))
    reason = _description(FieldErrors(), reason)[:MAX_DESCRIPTION]
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        if not Listing.objects.filter(pk=listing.pk, ended_on=None).update(
            ended_on=ended, end_reason=reason
        ):
            raise Conflict(gettext_noop("This listing has ended."))
        return {**_payload(listing), "ended_on": ended.isoformat()}

    transition(
        listing.application_id,
        Action.END_LISTING,
        actor=actor,
        at=at,
        effect=effect,
        public=True,
    )
    listing.refresh_from_db()
    return listing


# ── the fast lane (快速通道) ──────────────────────────────────────────────────────────────


def create_referral(
    *,
    actor: Actor,
    holder_identifier: str,
    kind: str,
    values: Mapping[str, Any],
    listing_reference: str,
    listing_url: str = "",
    at: datetime | None = None,
) -> Referral:
    """Pre-fill an application for the holder with this credit code (快速通道). The product
    fields are checked as a draft's are (each bad one named); the name is required."""
    exchange_id = exchange_of(actor)
    at = at or clock.now()
    errors = FieldErrors()
    code = ""
    try:
        code = validate_uscc(holder_identifier or "", field="holder_identifier")
    except InvalidIdentifier:
        errors.add("holder_identifier", gettext_noop("Give a valid unified social credit code."))
    if kind not in {k.value for k in ProductKind}:
        errors.add("kind", gettext_noop("Choose one of the kinds offered."))
    reference = required_text(errors, "listing_reference", listing_reference, 100)
    address = _url(errors, "listing_url", listing_url, required=False)
    values = {k: v for k, v in values.items() if v not in (None, "") and k != "kind"}
    if not str(values.get("name", "")).strip():
        errors.add("name", gettext_noop("This field is required."))
    try:
        clean_product(settings.DATAIP_REGIME, {"kind": kind, **values}, clock.local_date(at), kind)
    except ValidationFailed as refused:  # name every bad field alongside ours
        for name, messages in refused.errors.items():
            errors.errors.setdefault(name, []).extend(messages)
    if code and Holder.objects.filter(pk=exchange_id, identifier=code).exists():
        errors.add("holder_identifier", gettext_noop("Name the holder, not your own exchange."))
    errors.raise_if_any()
    with transaction.atomic():
        referral = Referral.objects.create(
            exchange_id=exchange_id,
            holder_identifier=code,
            kind=kind,
            values=dict(values),
            listing_reference=reference,
            listing_url=address,
            created_by_id=user_id_of(actor),
            created_at=at,
        )
        holder = Holder.objects.filter(identifier=code).first()
        if holder is not None:
            notices.notify(
                Notice.REFERRAL_RECEIVED,
                recipients=notices.members_of(holder.pk),
                key=f"referral.{referral.pk}",
                params={"number": reference, "product": str(values.get("name", ""))},
                at=at,
            )
    return referral


def _locked_referral(referral_pk: int) -> Referral:
    found = Referral.objects.select_for_update().filter(pk=referral_pk).first()
    if found is None:
        raise NotFound(gettext_noop("No such referral."))
    return found


def withdraw_referral(referral_pk: int, *, actor: Actor, at: datetime | None = None) -> Referral:
    """The exchange withdraws its referral while the holder has not used or declined it."""
    exchange_id = exchange_of(actor)
    with transaction.atomic():
        referral = _locked_referral(referral_pk)
        if referral.exchange_id != exchange_id:
            raise NotFound(gettext_noop("No such referral."))
        if referral.status != ReferralStatus.PENDING:
            raise Conflict(gettext_noop("The holder has already answered this referral."))
        referral.status = ReferralStatus.WITHDRAWN
        referral.decided_at = at or clock.now()
        referral.save(update_fields=["status", "decided_at"])
    return referral


def _holder_identifiers(actor: Actor) -> set[str]:
    """The credit codes of the holders the actor acts for (never only views)."""
    return set(Holder.objects.filter(pk__in=actor.holder_ids).values_list("identifier", flat=True))


def _for_holder(referral: Referral, actor: Actor) -> None:
    if referral.holder_identifier not in _holder_identifiers(actor):
        raise NotFound(gettext_noop("No such referral."))
    if referral.status != ReferralStatus.PENDING:
        raise Conflict(gettext_noop("This referral is no longer waiting for you."))


def decline_referral(
    referral_pk: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Referral:
    """The holder declines a referral made to it."""
    errors = FieldErrors()
    reason = _description(errors, reason)
    errors.raise_if_any()
    with transaction.atomic():
        referral = _locked_referral(referral_pk)
        _for_holder(referral, actor)
        referral.status = ReferralStatus.DECLINED
        referral.decline_reason = reason
        referral.decided_at = at or clock.now()
        referral.save(update_fields=["status", "decline_reason", "decided_at"])
    return referral


def start_draft(
    referral_pk: int, *, actor: Actor, user: User, at: datetime | None = None
) -> Application:
    """The holder starts a draft from a referral made to it: the values the exchange filled
    in, the application recording the referral it came from. The holder then edits, files
    and submits it as any draft."""
    at = at or clock.now()
    with transaction.atomic():
        referral = _locked_referral(referral_pk)
        _for_holder(referral, actor)
        if user.holder_id is None or user.holder_id not in actor.holder_ids:
            raise PermissionDenied(
                gettext_noop("Only a user acting for a holder can file an application.")
            )
        application = filing.create_draft(
            actor=actor, user=user, kind=referral.kind, values=referral.values, at=at
        )
        application.source_referral = referral
        application.save(update_fields=["source_referral"])
        referral.status = ReferralStatus.USED
        referral.decided_at = at
        referral.save(update_fields=["status", "decided_at"])
    return application
