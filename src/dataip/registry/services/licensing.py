"""Licences (许可), trades on a data exchange (场内交易) and service revenue (服务收入) of a
registered right: what the holder earns from it, recorded and logged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dataip.errors import FieldErrors, NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.models import (
    Application,
    ConsentPurpose,
    Licence,
    LicenceKind,
    ServiceRevenue,
    Trade,
)
from dataip.registry.services.records import create_record, regime_of, use_consent
from dataip.registry.services.transition import transition
from dataip.registry.validators import NO_DATE, iso_date, known_holder, money, period, required_text
from dataip.registry.workflow import Action, Actor


def licence_conflict(application: Application, kind: str, starts: date, ends: date) -> str:
    """Why a new licence would collide with one in force: exclusive and sole licences admit no
    other licence over an overlapping term (territories are free text, so they do not help)."""
    overlapping = Licence.objects.filter(
        application=application, starts__lte=ends, ends__gte=starts, ended_on=None
    )
    if kind != LicenceKind.ORDINARY and overlapping.exists():
        return gettext_noop("An exclusive or sole licence cannot overlap another licence in force.")
    if overlapping.exclude(kind=LicenceKind.ORDINARY).exists():
        return gettext_noop("An exclusive or sole licence is in force for that term.")
    return ""


def grant_licence(
    application_id: int,
    *,
    actor: Actor,
    licensee_id: int,
    kind: str,
    scope: str,
    territory: str,
    starts: object,
    ends: object,
    fee: object = 0,
    currency: str = "CNY",
    at: datetime | None = None,
) -> Licence:
    """Record a licence (许可备案); an exclusive or sole licence excludes overlapping ones."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    known_holder(errors, "licensee", licensee_id)
    if kind not in LicenceKind.values:
        errors.add("kind", gettext_noop("Choose exclusive, sole or ordinary."))
    scope = required_text(errors, "scope", scope, 2000)
    territory = required_text(errors, "territory", territory)
    first, last = period(errors, "starts", starts, "ends", ends)
    amount = money(errors, "fee", fee, currency, regime, zero=True)
    errors.raise_if_any()
    exclusive = kind != LicenceKind.ORDINARY

    def consent_used(application: Application, when: datetime) -> None:
        if exclusive:
            use_consent(application, ConsentPurpose.EXCLUSIVE_LICENCE, when)

    def conflict(application: Application) -> dict[str, Any]:
        # Computed under the row lock, so two exclusive licences at once cannot both pass.
        return {
            "licence_conflict": licence_conflict(application, kind, first, last),
            "exclusive": exclusive,
        }

    return create_record(
        Licence,
        application_id,
        Action.GRANT_LICENCE,
        actor=actor,
        at=at,
        fields={
            "licensee_id": licensee_id,
            "kind": kind,
            "scope": scope,
            "territory": territory,
            "starts": first,
            "ends": last,
            "amount": amount,
            "currency": currency,
        },
        prepare=consent_used,
        context_extra=conflict,
        public=True,
        payload=lambda licence: {
            "licence": licence.pk,
            "kind": kind,
            "starts": first.isoformat(),
            "ends": last.isoformat(),
            "licensee": licensee_id,
            "fee": str(amount),
            "currency": currency,
        },
    )


def end_licence(
    licence_id: int,
    *,
    actor: Actor,
    reason: str,
    on: object | None = None,
    at: datetime | None = None,
) -> Application:
    """End a licence early (terminated, or surrendered), with the date and reason."""
    licence = Licence.objects.filter(pk=licence_id, ended_on=None).first()
    if licence is None:
        raise NotFound(gettext_noop("No such licence in force."))
    errors = FieldErrors()
    ended = iso_date(errors, "on", on) if on else clock.local_date(at or clock.now())
    if ended != NO_DATE and ended < licence.starts:
        errors.add("on", gettext_noop("Must not be before the licence starts."))
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        Licence.objects.filter(pk=licence_id).update(ended_on=ended, end_reason=reason)
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
