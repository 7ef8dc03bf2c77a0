"""Pledges (质押), the pledgee's consents, and valuations (价值评估) of a registered right.

While a pledge stands, a transfer, an exclusive licence or a cancellation needs the pledgee's
consent (the workflow's ``pledgee_consents`` guard); one consent serves one action."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dataip.errors import FieldErrors, NotFound, PermissionDenied, gettext_noop
from dataip.registry import clock
from dataip.registry.actors import user_id_of
from dataip.registry.models import (
    Application,
    ConsentPurpose,
    ConsentRequest,
    ConsentRequestStatus,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    Trade,
    Valuation,
    ValuationMethod,
)
from dataip.registry.services.records import create_record, regime_of
from dataip.registry.services.transition import Made, transition
from dataip.registry.validators import iso_date, known_holder, money, period, required_text
from dataip.registry.workflow import Action, Actor, Role


def pledge(
    application_id: int,
    *,
    actor: Actor,
    pledgee_id: int,
    amount: object,
    starts: object,
    ends: object,
    contract_reference: str,
    currency: str = "CNY",
    at: datetime | None = None,
) -> Pledge:
    """Record a pledge of the registered right to secure a loan (质押登记)."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    pledgee = known_holder(errors, "pledgee", pledgee_id)
    value = money(errors, "amount", amount, currency, regime, zero=False)
    first, last = period(errors, "starts", starts, "ends", ends)
    contract_reference = required_text(errors, "contract_reference", contract_reference, 100)
    errors.raise_if_any()

    def not_a_holder(application: Application, when: datetime) -> None:
        if pledgee is not None and application.holders.filter(holder=pledgee).exists():
            FieldErrors.raise_one("pledgee", gettext_noop("A holder cannot be its own pledgee."))

    return create_record(
        Pledge,
        application_id,
        Action.PLEDGE,
        actor=actor,
        at=at,
        fields={
            "pledgee_id": pledgee_id,
            "amount": value,
            "currency": currency,
            "starts": first,
            "ends": last,
            "contract_reference": contract_reference,
        },
        prepare=not_a_holder,
        public=True,
        payload=lambda record: {
            "pledge": record.pk,
            "pledgee": pledgee_id,
            "starts": first.isoformat(),
            "ends": last.isoformat(),
            "amount": str(value),
            "currency": currency,
        },
    )


# ── a pledge registered by the pledgee, confirmed by a holder (质押登记与出质人确认) ──────


def propose_pledge(
    application_id: int,
    *,
    actor: Actor,
    amount: object,
    starts: object,
    ends: object,
    contract_reference: str,
    currency: str = "CNY",
    valuation_reference: str = "",
    at: datetime | None = None,
) -> Pledge:
    """The pledgee (a bank: the actor's organisation) registers a pledge; it stands once a
    holder of the right confirms it (:func:`confirm_pledge`)."""
    if len(actor.holder_ids) != 1:
        raise PermissionDenied(gettext_noop("Only a member of the lending organisation may."))
    [pledgee_id] = actor.holder_ids
    regime = regime_of(application_id)
    errors = FieldErrors()
    value = money(errors, "amount", amount, currency, regime, zero=False)
    first, last = period(errors, "starts", starts, "ends", ends)
    contract_reference = required_text(errors, "contract_reference", contract_reference, 100)
    valuation_reference = (valuation_reference or "").strip()
    if len(valuation_reference) > 100:
        errors.add("valuation_reference", gettext_noop("At most 100 characters."))
    errors.raise_if_any()
    return create_record(
        Pledge,
        application_id,
        Action.PROPOSE_PLEDGE,
        actor=actor,
        at=at,
        fields={
            "pledgee_id": pledgee_id,
            "amount": value,
            "currency": currency,
            "starts": first,
            "ends": last,
            "contract_reference": contract_reference,
            "valuation_reference": valuation_reference,
            "status": PledgeStatus.PROPOSED,
        },
        payload=lambda record: {"pledge": record.pk, "pledgee": pledgee_id},
    )


def _waiting(pledge_id: int) -> Pledge:
    record = Pledge.objects.filter(pk=pledge_id, status=PledgeStatus.PROPOSED).first()
    if record is None:
        raise NotFound(gettext_noop("No such pledge waiting for confirmation."))
    return record


def _still_waiting(pledge_id: int) -> Any:
    """Under the application's lock: whether the pledge still waits (two holders at once)."""
    return lambda application: {
        "pledge_proposed": Pledge.objects.filter(
            pk=pledge_id, status=PledgeStatus.PROPOSED
        ).exists()
    }


def confirm_pledge(pledge_id: int, *, actor: Actor, at: datetime | None = None) -> Pledge:
    """A holder of the right confirms the pledge its pledgee registered: now it stands."""
    record = _waiting(pledge_id)

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        Pledge.objects.filter(pk=pledge_id).update(status=PledgeStatus.ACTIVE, confirmed_at=when)
        return {
            "pledge": pledge_id,
            "pledgee": record.pledgee_id,
            "starts": record.starts.isoformat(),
            "ends": record.ends.isoformat(),
        }

    transition(
        record.application_id,
        Action.CONFIRM_PLEDGE,
        actor=actor,
        at=at,
        effect=effect,
        public=True,
        context_extra=_still_waiting(pledge_id),
    )
    record.refresh_from_db()
    return record


def decline_pledge(
    pledge_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Pledge:
    """A holder of the right declines the pledge registered in its name (with a reason)."""
    record = _waiting(pledge_id)

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        Pledge.objects.filter(pk=pledge_id).update(
            status=PledgeStatus.DECLINED, decline_reason=reason.strip()
        )
        return {"pledge": pledge_id}

    transition(
        record.application_id,
        Action.DECLINE_PLEDGE,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        context_extra=_still_waiting(pledge_id),
    )
    record.refresh_from_db()
    return record


def consent(
    pledge_id: int, *, actor: Actor, purpose: str, at: datetime | None = None
) -> PledgeConsent:
    """The pledgee consents to one transfer, exclusive licence or cancellation."""
    record = Pledge.objects.filter(pk=pledge_id, status=PledgeStatus.ACTIVE).first()
    if record is None:
        raise NotFound(gettext_noop("No such pledge in force."))
    if purpose not in ConsentPurpose.values:
        FieldErrors.raise_one(
            "purpose", gettext_noop("Choose transfer, exclusive licence or cancellation.")
        )
    if record.pledgee_id not in actor.holder_ids:
        raise PermissionDenied(gettext_noop("Only this pledge's pledgee may consent."))

    def effect(application: Application, when: datetime) -> Made[PledgeConsent]:
        given = PledgeConsent.objects.create(
            pledge=record, purpose=purpose, given_by_id=user_id_of(actor), given_at=when
        )
        return Made(given, {"pledge": pledge_id, "purpose": purpose, "consent": given.pk})

    return transition(record.application_id, Action.CONSENT, actor=actor, at=at, effect=effect).made


# ── the holder asks, the pledgee gives or refuses (征求质权人同意) ───────────────────────


def request_consent(
    pledge_id: int, *, actor: Actor, purpose: str, note: str = "", at: datetime | None = None
) -> ConsentRequest:
    """A holder of the pledged right asks the pledgee of a standing pledge to consent to one
    transfer, exclusive licence or cancellation; the request waits on the pledgee's page."""
    record = Pledge.objects.filter(pk=pledge_id, status=PledgeStatus.ACTIVE).first()
    if record is None:
        raise NotFound(gettext_noop("No such pledge in force."))
    errors = FieldErrors()
    if purpose not in ConsentPurpose.values:
        errors.add("purpose", gettext_noop("Choose transfer, exclusive licence or cancellation."))
    note = (note or "").strip()
    if len(note) > 2000:
        errors.add("note", gettext_noop("At most %(max)s characters."), max=2000)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> Made[ConsentRequest]:
        if ConsentRequest.objects.filter(
            pledge_id=pledge_id, purpose=purpose, status=ConsentRequestStatus.PENDING
        ).exists():
            FieldErrors.raise_one(
                "purpose", gettext_noop("A request for this consent already waits for the pledgee.")
            )
        made = ConsentRequest.objects.create(
            pledge=record,
            purpose=purpose,
            note=note,
            requested_by_id=user_id_of(actor),
            requested_at=when,
        )
        return Made(made, {"pledge": pledge_id, "purpose": purpose, "request": made.pk})

    return transition(
        record.application_id, Action.REQUEST_CONSENT, actor=actor, at=at, effect=effect
    ).made


def _pending_request(request_id: int, actor: Actor) -> ConsentRequest:
    found = (
        ConsentRequest.objects.select_related("pledge")
        .filter(pk=request_id, status=ConsentRequestStatus.PENDING)
        .first()
    )
    if found is None or found.pledge.pledgee_id not in actor.holder_ids:
        raise NotFound(gettext_noop("No such request waiting for your consent."))
    if found.pledge.status != PledgeStatus.ACTIVE:
        raise NotFound(gettext_noop("No such pledge in force."))
    return found


def _still_pending(request_id: int) -> None:
    """Under the application's lock: the request has not been answered meanwhile."""
    if not ConsentRequest.objects.filter(
        pk=request_id, status=ConsentRequestStatus.PENDING
    ).exists():
        raise NotFound(gettext_noop("No such request waiting for your consent."))


def give_requested_consent(
    request_id: int, *, actor: Actor, at: datetime | None = None
) -> ConsentRequest:
    """The pledgee gives the consent a holder asked for: one consent, used by the holder's next
    such action (as :func:`consent` gives one unasked)."""
    asked = _pending_request(request_id, actor)

    def effect(application: Application, when: datetime) -> Made[PledgeConsent]:
        _still_pending(request_id)
        given = PledgeConsent.objects.create(
            pledge=asked.pledge, purpose=asked.purpose, given_by_id=user_id_of(actor), given_at=when
        )
        ConsentRequest.objects.filter(pk=request_id).update(
            status=ConsentRequestStatus.GIVEN, decided_at=when, consent=given
        )
        payload = {"pledge": asked.pledge_id, "purpose": asked.purpose, "consent": given.pk}
        return Made(given, {**payload, "request": request_id})

    transition(asked.pledge.application_id, Action.CONSENT, actor=actor, at=at, effect=effect)
    asked.refresh_from_db()
    return asked


def refuse_consent(
    request_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> ConsentRequest:
    """The pledgee refuses the consent a holder asked for, with its reason; nothing is
    consented, and the holder may ask again."""
    asked = _pending_request(request_id, actor)
    errors = FieldErrors()
    reason = required_text(errors, "reason", reason, 2000)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        _still_pending(request_id)
        ConsentRequest.objects.filter(pk=request_id).update(
            status=ConsentRequestStatus.REFUSED, decided_at=when, refusal_reason=reason
        )
        return {"pledge": asked.pledge_id, "purpose": asked.purpose, "request": request_id}

    transition(
        asked.pledge.application_id,
        Action.REFUSE_CONSENT,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
    )
    asked.refresh_from_db()
    return asked


def release_pledge(
    pledge_id: int,
    *,
    actor: Actor,
    reason: str,
    on: object | None = None,
    at: datetime | None = None,
) -> Application:
    """Release a pledge (解除质押): by the pledgee, or by the registrar on a decision."""
    record = Pledge.objects.filter(pk=pledge_id, status=PledgeStatus.ACTIVE).first()
    if record is None:
        raise NotFound(gettext_noop("No such pledge in force."))
    errors = FieldErrors()
    released = iso_date(errors, "on", on) if on else clock.local_date(at or clock.now())
    errors.raise_if_any()
    if record.pledgee_id not in actor.holder_ids and Role.REGISTRAR not in actor.roles:
        raise PermissionDenied(
            gettext_noop("Only this pledge's pledgee or a registrar may release it.")
        )

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        Pledge.objects.filter(pk=pledge_id).update(
            status=PledgeStatus.RELEASED, released_on=released, release_reason=reason
        )
        return {"pledge": pledge_id, "released_on": released.isoformat()}

    return transition(
        record.application_id,
        Action.RELEASE_PLEDGE,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=True,
    ).application


# ── valuation (价值评估) ──────────────────────────────────────────────────────────────────


def record_valuation(
    application_id: int,
    *,
    actor: Actor,
    method: str,
    evaluator: str,
    valued_on: object,
    value: object,
    currency: str = "CNY",
    inputs: Mapping[str, Any] | None = None,
    pledge_id: int | None = None,
    trade_id: int | None = None,
    at: datetime | None = None,
) -> Valuation:
    """Record a valuation by the cost, income, market or composite approach, with its inputs,
    optionally backing a pledge or a trade of the same registration."""
    regime = regime_of(application_id)
    errors = FieldErrors()
    if method not in ValuationMethod.values:
        errors.add("method", gettext_noop("Choose the cost, income, market or composite approach."))
    evaluator = required_text(errors, "evaluator", evaluator)
    day = iso_date(errors, "valued_on", valued_on)
    amount = money(errors, "value", value, currency, regime, zero=False)
    if (
        pledge_id
        and not Pledge.objects.filter(pk=pledge_id, application_id=application_id).exists()
    ):
        errors.add("pledge", gettext_noop("No such pledge on this registration."))
    if trade_id and not Trade.objects.filter(pk=trade_id, application_id=application_id).exists():
        errors.add("trade", gettext_noop("No such trade of this registration."))
    errors.raise_if_any()
    return create_record(
        Valuation,
        application_id,
        Action.RECORD_VALUATION,
        actor=actor,
        at=at,
        fields={
            "method": method,
            "evaluator": evaluator,
            "valued_on": day,
            "amount": amount,
            "currency": currency,
            "inputs": dict(inputs or {}),
            "pledge_id": pledge_id,
            "trade_id": trade_id,
        },
        payload=lambda valuation: {
            "valuation": valuation.pk,
            "method": method,
            "value": str(amount),
            "currency": currency,
            "pledge": pledge_id,
            "trade": trade_id,
        },
    )
