"""Licences (许可), trades on a data exchange (场内交易) and service revenue (服务收入) of a
registered right: what the holder earns from it, recorded and logged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dataip.errors import (
    Conflict,
    FieldErrors,
    GuardFailed,
    NotFound,
    ValidationFailed,
    gettext_noop,
)
from dataip.registry import clock
from dataip.registry import territory as territories
from dataip.registry.identifiers import InvalidIdentifier, validate_resident_id, validate_uscc
from dataip.registry.models import (
    Application,
    ConsentPurpose,
    Licence,
    LicenceKind,
    ServiceRevenue,
    Trade,
)
from dataip.registry.queries.applicants import holder_by_identifier
from dataip.registry.services.records import create_record, regime_of, use_consent
from dataip.registry.services.transition import transition
from dataip.registry.validators import NO_DATE, iso_date, known_holder, money, period, required_text
from dataip.registry.workflow import Action, Actor

CONFLICTS = (
    gettext_noop("An exclusive or sole licence cannot overlap another licence in force."),
    gettext_noop("An exclusive or sole licence is in force for that term."),
)
"""Why a licence collides with one in force (the workflow's guard; named on ``territory``)."""


def licence_conflict(
    application: Application,
    kind: str,
    starts: date,
    ends: date,
    regions: territories.Territory = (),
) -> str:
    """Why a new licence would collide with one in force: exclusive and sole licences admit no
    other licence over an overlapping term and territory (GB/T 2260 regions, nationwide
    overlapping all; a licence with free-text territory counts as nationwide)."""
    overlapping = [
        licence
        for licence in Licence.objects.filter(
            application=application, starts__lte=ends, ends__gte=starts, ended_on=None
        ).only("kind", "regions")
        if territories.overlaps(licence.regions or (), regions)
    ]
    if kind != LicenceKind.ORDINARY and overlapping:
        return CONFLICTS[0]
    if any(licence.kind != LicenceKind.ORDINARY for licence in overlapping):
        return CONFLICTS[1]
    return ""


def _licensee(
    errors: FieldErrors, licensee_id: int | None, name: str, identifier: str
) -> tuple[int | None, str, str]:
    """The licensee: a registered holder (by id, or by its identity code), or a party outside
    the registry named by its name and identity code (统一社会信用代码, or a resident ID for a
    natural person). Returns the holder's id, or the name and the normalised code."""
    if licensee_id is not None:
        holder = known_holder(errors, "licensee", licensee_id)
        return (holder.pk if holder else None), "", ""
    identifier = (identifier or "").strip()
    if not identifier:
        errors.add("licensee", gettext_noop("This field is required."))
        return None, "", ""
    registered = holder_by_identifier(identifier)
    if registered is not None:
        return registered.pk, "", ""
    code = ""
    try:
        code = validate_uscc(identifier, field="licensee")
    except InvalidIdentifier:
        try:
            code = validate_resident_id(identifier, field="licensee")
        except InvalidIdentifier:
            errors.add(
                "licensee",
                gettext_noop("Give a valid unified social credit code or resident ID number."),
            )
    name = required_text(errors, "licensee_name", name)
    return None, name, code


def grant_licence(
    application_id: int,
    *,
    actor: Actor,
    kind: str,
    scope: str,
    territory: object,
    starts: object,
    ends: object,
    licensee_id: int | None = None,
    licensee_identifier: str = "",
    licensee_name: str = "",
    fee: object = 0,
    currency: str = "CNY",
    at: datetime | None = None,
) -> Licence:
    """Record a licence (许可备案) to a registered holder (``licensee_id``, or its identity
    code), or to a party outside the registry (its name and identity code); an exclusive or
    sole licence excludes overlapping ones. A holder of the right cannot be its licensee.
    ``territory``: ``"nationwide"`` or GB/T 2260 codes (:func:`territory.parse`)."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    holder_id, name, code = _licensee(errors, licensee_id, licensee_name, licensee_identifier)
    if kind not in LicenceKind.values:
        errors.add("kind", gettext_noop("Choose exclusive, sole or ordinary."))
    scope = required_text(errors, "scope", scope, 2000)
    regions = territories.parse(errors, "territory", territory)
    first, last = period(errors, "starts", starts, "ends", ends)
    amount = money(errors, "fee", fee, currency, regime, zero=True)
    errors.raise_if_any()
    exclusive = kind != LicenceKind.ORDINARY

    def prepare(application: Application, when: datetime) -> None:
        if holder_id is not None and application.holders.filter(holder_id=holder_id).exists():
            FieldErrors.raise_one(
                "licensee", gettext_noop("A holder of the right cannot be its licensee.")
            )
        if exclusive:
            use_consent(application, ConsentPurpose.EXCLUSIVE_LICENCE, when)

    def conflict(application: Application) -> dict[str, Any]:
        # Computed under the row lock, so two exclusive licences at once cannot both pass.
        return {
            "licence_conflict": licence_conflict(application, kind, first, last, regions),
            "exclusive": exclusive,
        }

    def payload(licence: Licence) -> dict[str, Any]:
        logged: dict[str, Any] = {
            "licence": licence.pk,
            "kind": kind,
            "starts": first.isoformat(),
            "ends": last.isoformat(),
            "licensee": holder_id,
            "territory": list(regions) or territories.NATIONWIDE,
            "fee": str(amount),
            "currency": currency,
        }
        if holder_id is None:
            logged.update(licensee_name=name, licensee_identifier=code)
        return logged

    try:
        return create_record(
            Licence,
            application_id,
            Action.GRANT_LICENCE,
            actor=actor,
            at=at,
            fields={
                "licensee_id": holder_id,
                "licensee_name": name,
                "licensee_identifier": code,
                "kind": kind,
                "scope": scope,
                "regions": list(regions),
                "starts": first,
                "ends": last,
                "amount": amount,
                "currency": currency,
            },
            prepare=prepare,
            context_extra=conflict,
            public=True,
            payload=payload,
        )
    except GuardFailed as refused:
        if refused.message.msgid in CONFLICTS:  # the territory is what the holder can change
            raise ValidationFailed({"territory": [refused.message]}) from None
        raise


def end_licence(
    licence_id: int,
    *,
    actor: Actor,
    reason: str,
    on: object | None = None,
    at: datetime | None = None,
) -> Application:
    """End a licence early (terminated, or surrendered), with the date and reason. Whether the
    licence is still in force is checked again under the lock (two ends at once: one wins)."""
    licence = Licence.objects.filter(pk=licence_id, ended_on=None).first()
    if licence is None:
        raise NotFound(gettext_noop("No such licence in force."))
    errors = FieldErrors()
    ended = iso_date(errors, "on", on) if on else clock.local_date(at or clock.now())
    if ended != NO_DATE and ended < licence.starts:
        errors.add("on", gettext_noop("Must not be before the licence starts."))
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        ending = Licence.objects.filter(pk=licence_id, ended_on=None)
        if not ending.update(ended_on=ended, end_reason=reason):
            raise Conflict(gettext_noop("The licence was ended meanwhile; reload the page."))
        return {"licence": licence_id, "ended_on": ended.isoformat()}

    return transition(
        licence.application_id,
        Action.END_LICENCE,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=True,
    ).application


def record_trade(
    application_id: int,
    *,
    actor: Actor,
    exchange: str,
    contract_reference: str,
    traded_on: object,
    amount: object,
    currency: str = "CNY",
    at: datetime | None = None,
) -> Trade:
    """Record a trade of the product on a data exchange (场内交易)."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    exchange = required_text(errors, "exchange", exchange)
    contract_reference = required_text(errors, "contract_reference", contract_reference, 100)
    day = iso_date(errors, "traded_on", traded_on)
    value = money(errors, "amount", amount, currency, regime, zero=False)
    errors.raise_if_any()
    return create_record(
        Trade,
        application_id,
        Action.RECORD_TRADE,
        actor=actor,
        at=at,
        fields={
            "exchange": exchange,
            "contract_reference": contract_reference,
            "traded_on": day,
            "amount": value,
            "currency": currency,
        },
        payload=lambda trade: {"trade": trade.pk, "amount": str(value), "currency": currency},
    )


def record_revenue(
    application_id: int,
    *,
    actor: Actor,
    period_start: object,
    period_end: object,
    amount: object,
    currency: str = "CNY",
    description: str = "",
    at: datetime | None = None,
) -> ServiceRevenue:
    """Record revenue from data services sold on the product, for a period."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    first, last = period(errors, "period_start", period_start, "period_end", period_end)
    value = money(errors, "amount", amount, currency, regime, zero=False)
    errors.raise_if_any()
    return create_record(
        ServiceRevenue,
        application_id,
        Action.RECORD_REVENUE,
        actor=actor,
        at=at,
        fields={
            "period_start": first,
            "period_end": last,
            "amount": value,
            "currency": currency,
            "description": description[:200],
        },
        payload=lambda revenue: {
            "revenue": revenue.pk,
            "amount": str(value),
            "currency": currency,
            "period_start": first.isoformat(),
            "period_end": last.isoformat(),
        },
    )
