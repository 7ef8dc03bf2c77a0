"""After registration (登记后): changes, transfers, licences, trades, pledges, revenue,
valuations, renewal, cancellation and revocation. Each is a workflow action on the registered
application, so it is checked by the same table, locked the same way and logged as an event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dataip.registry import clock
from dataip.registry.errors import FieldErrors, NotFound, PermissionDenied, gettext_noop
from dataip.registry.fields import CHANGEABLE, clean_product
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ChangeRequest,
    ConsentPurpose,
    Holder,
    Licence,
    LicenceKind,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    RecordStatus,
    ServiceRevenue,
    Trade,
    Transfer,
    Valuation,
    ValuationMethod,
)
from dataip.registry.regimes import Regime, load_regime
from dataip.registry.services._core import transition, user_id_of
from dataip.registry.workflow import Action, Actor, Role

HOLDER_CHANGEABLE = frozenset({"holder_name", "holder_name_en", "holder_address"})


# ── input checks shared by the records ──────────────────────────────────────────────────


def _money(
    errors: FieldErrors, field: str, amount: object, currency: str, regime: Regime, *, zero: bool
) -> Decimal:
    """A non-negative (or positive) amount with at most two decimals, in an accepted currency."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        errors.add(field, gettext_noop("Must be a number."))
        return Decimal(0)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        errors.add(field, gettext_noop("Must be a number with at most two decimals."))
    elif value < 0 or (value == 0 and not zero):
        errors.add(
            field,
            gettext_noop("Must be more than zero.")
            if not zero
            else gettext_noop("Must not be negative."),
        )
    elif value >= Decimal(10) ** 16:
        errors.add(field, gettext_noop("The amount is too large."))
    if currency not in regime.currencies:
        errors.add(
            "currency",
            gettext_noop("Amounts must be in %(currencies)s."),
            currencies=", ".join(regime.currencies),
        )
    return value


def _date(errors: FieldErrors, field: str, value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, gettext_noop("Must be a date (YYYY-MM-DD)."))
        return date.min


def _period(
    errors: FieldErrors, start_field: str, start: object, end_field: str, end: object
) -> tuple[date, date]:
    first, last = _date(errors, start_field, start), _date(errors, end_field, end)
    if first != date.min and last != date.min and last < first:
        errors.add(end_field, gettext_noop("Must not be before the start."))
    return first, last


def _text(errors: FieldErrors, field: str, value: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        errors.add(field, gettext_noop("This field is required."))
    elif len(value) > limit:
        errors.add(field, gettext_noop("At most %(max)s characters."), max=limit)
    return value


def _holder(errors: FieldErrors, field: str, holder_id: int) -> Holder | None:
    holder = Holder.objects.filter(pk=holder_id).first()
    if holder is None:
        errors.add(field, gettext_noop("No such holder."))
    return holder


def _regime(application_id: int) -> Regime:
    code = (
        Application.objects.filter(pk=application_id).values_list("regime_code", flat=True).first()
    )
    if code is None:
        raise NotFound(gettext_noop("No such application."))
    return load_regime(code)


def _use_consent(application: Application, purpose: str, when: datetime) -> None:
    """Mark the standing pledges' consents to ``purpose`` as used (one consent, one action)."""
    for pledge_id in Pledge.objects.filter(
        application=application, status=PledgeStatus.ACTIVE
    ).values_list("pk", flat=True):
        consent = PledgeConsent.objects.filter(
            pledge_id=pledge_id, purpose=purpose, used_at=None
        ).first()
        if consent is not None:
            PledgeConsent.objects.filter(pk=consent.pk).update(used_at=when)


# ── changes (变更) ────────────────────────────────────────────────────────────────────────


def request_change(
    application_id: int, *, actor: Actor, values: Mapping[str, Any], at: datetime | None = None
) -> ChangeRequest:
    """Ask to change registered particulars: product description fields, or the holder's name
    and address. Applied at once, or after an examiner approves where the regime requires."""
    regime = _regime(application_id)
    errors = FieldErrors()
    for name in values:
        if name not in CHANGEABLE | HOLDER_CHANGEABLE:
            errors.add(name, gettext_noop("This particular cannot be changed here."))
    if not values:
        errors.add("values", gettext_noop("Nothing to change."))
    errors.raise_if_any()
    product_values = {k: v for k, v in values.items() if k in CHANGEABLE}
    today = clock.local_date(at or clock.now())
    cleaned = clean_product(regime.code, product_values, today, "data_collection")
    holder_values = {k: str(v).strip() for k, v in values.items() if k in HOLDER_CHANGEABLE}
    if "holder_name" in holder_values and not holder_values["holder_name"]:
        FieldErrors.raise_one("holder_name", gettext_noop("This field is required."))
    created: list[ChangeRequest] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        product, holder = application.product, application.filed_by
        diff = {
            name: {"old": _plain(getattr(product, name)), "new": _plain(value)}
            for name, value in cleaned.items()
        }
        for name, value in holder_values.items():
            diff[name] = {"old": getattr(holder, name.removeprefix("holder_")), "new": value}
        change = ChangeRequest.objects.create(
            application=application,
            changes=diff,
            requested_by_id=user_id_of(actor),
            requested_at=when,
        )
        created.append(change)
        if not regime.change_requires_examination:
            _apply_change(application, change, when, actor)
        return {
            "change": change.pk,
            "fields": sorted(diff),
            "examined": regime.change_requires_examination,
        }

    transition(application_id, Action.REQUEST_CHANGE, actor=actor, at=at, effect=effect)
    return created[0]


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _apply_change(
    application: Application, change: ChangeRequest, when: datetime, actor: Actor
) -> None:
    product, holder = application.product, application.filed_by
    for name, diff in change.changes.items():
        if name in HOLDER_CHANGEABLE:
            setattr(holder, name.removeprefix("holder_"), diff["new"])
        else:
            setattr(product, name, diff["new"])
    product.save()
    holder.save()
    ChangeRequest.objects.filter(pk=change.pk).update(
        status=RecordStatus.APPROVED, decided_at=when, decided_by_id=actor.user_id
    )
    application.certificate_version += 1


def _decide_change(
    change_id: int, action: Action, actor: Actor, reason: str, at: datetime | None
) -> Application:
    change = ChangeRequest.objects.filter(pk=change_id).first()
    if change is None:
        raise NotFound(gettext_noop("No such change request."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        pending = ChangeRequest.objects.filter(pk=change_id, status=RecordStatus.PENDING).first()
        if pending is None:
            raise NotFound(gettext_noop("This change request is not pending."))
        if action == Action.APPROVE_CHANGE:
            _apply_change(application, pending, when, actor)
        else:
            ChangeRequest.objects.filter(pk=change_id).update(
                status=RecordStatus.REFUSED,
                decided_at=when,
                decided_by_id=actor.user_id,
                reason=reason,
            )
        return {"change": change_id}

    return transition(
        change.application_id,
        action,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
        public=action == Action.APPROVE_CHANGE,
    )


def approve_change(
    change_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """An examiner approves a change request; it applies and the certificate is re-issued."""
    return _decide_change(change_id, Action.APPROVE_CHANGE, actor, reason, at)


def refuse_change(
    change_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """An examiner refuses a change request, with the reason."""
    return _decide_change(change_id, Action.REFUSE_CHANGE, actor, reason, at)


# ── transfers (转让) ──────────────────────────────────────────────────────────────────────


def propose_transfer(
    application_id: int,
    *,
    actor: Actor,
    assignee_id: int,
    contract_date: object,
    effective_date: object,
    price: object | None = None,
    currency: str = "CNY",
    at: datetime | None = None,
) -> Transfer:
    """The holder proposes to transfer the right; the assignee must confirm."""
    regime = _regime(application_id)
    errors = FieldErrors()
    assignee = _holder(errors, "assignee", assignee_id)
    signed = _date(errors, "contract_date", contract_date)
    effective = _date(errors, "effective_date", effective_date)
    amount = (
        None if price in (None, "") else _money(errors, "price", price, currency, regime, zero=True)
    )
    errors.raise_if_any()
    created: list[Transfer] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        holders = list(application.holders.values_list("holder_id", "share"))
        if assignee is not None and [h for h, _ in holders] == [assignee.pk]:
            FieldErrors.raise_one("assignee", gettext_noop("The assignee already holds the right."))
        created.append(
            Transfer.objects.create(
                application=application,
                assignee_id=assignee_id,
                contract_date=signed,
                effective_date=effective,
                price=amount,
                currency=currency,
                previous_holders=[[h, str(s)] for h, s in holders],
                proposed_by_id=user_id_of(actor),
                proposed_at=when,
            )
        )
        return {"transfer": created[0].pk, "assignee": assignee_id}

    transition(application_id, Action.PROPOSE_TRANSFER, actor=actor, at=at, effect=effect)
    return created[0]


def confirm_transfer(transfer_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """The assignee confirms: it becomes the sole holder and a new certificate version is due."""
    transfer = Transfer.objects.filter(pk=transfer_id, status=RecordStatus.PENDING).first()
    if transfer is None:
        raise NotFound(gettext_noop("No such transfer waiting for confirmation."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        _use_consent(application, ConsentPurpose.TRANSFER, when)
        ApplicationHolder.objects.filter(application=application).delete()
        ApplicationHolder.objects.create(
            application=application, holder_id=transfer.assignee_id, share=Decimal(100)
        )
        Transfer.objects.filter(pk=transfer_id).update(
            status=RecordStatus.CONFIRMED, confirmed_by_id=actor.user_id, decided_at=when
        )
        application.certificate_version += 1
        return {"transfer": transfer_id, "assignee": transfer.assignee_id}

    return transition(
        transfer.application_id,
        Action.CONFIRM_TRANSFER,
        actor=actor,
        at=at,
        effect=effect,
        public=True,
    )


def cancel_transfer(
    transfer_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """Either side withdraws a transfer that was not yet confirmed."""
    transfer = Transfer.objects.filter(pk=transfer_id, status=RecordStatus.PENDING).first()
    if transfer is None:
        raise NotFound(gettext_noop("No such transfer waiting for confirmation."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        Transfer.objects.filter(pk=transfer_id).update(
            status=RecordStatus.CANCELLED, decided_at=when
        )
        return {"transfer": transfer_id}

    return transition(
        transfer.application_id,
        Action.CANCEL_TRANSFER,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
    )


# ── licences, trades, revenue (许可、交易、服务收入) ──────────────────────────────────────


def _licence_conflict(application: Application, kind: str, starts: date, ends: date) -> str:
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
    regime = _regime(application_id)
    errors = FieldErrors()
    _holder(errors, "licensee", licensee_id)
    if kind not in LicenceKind.values:
        errors.add("kind", gettext_noop("Choose exclusive, sole or ordinary."))
    scope = _text(errors, "scope", scope, 2000)
    territory = _text(errors, "territory", territory)
    first, last = _period(errors, "starts", starts, "ends", ends)
    amount = _money(errors, "fee", fee, currency, regime, zero=True)
    errors.raise_if_any()
    created: list[Licence] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        if kind != LicenceKind.ORDINARY:
            _use_consent(application, ConsentPurpose.EXCLUSIVE_LICENCE, when)
        created.append(
            Licence.objects.create(
                application=application,
                licensee_id=licensee_id,
                kind=kind,
                scope=scope,
                territory=territory,
                starts=first,
                ends=last,
                amount=amount,
                currency=currency,
                recorded_at=when,
            )
        )
        return {
            "licence": created[0].pk,
            "kind": kind,
            "starts": first.isoformat(),
            "ends": last.isoformat(),
        }

    def conflict(application: Application) -> dict[str, Any]:
        # Computed under the row lock, so two exclusive licences at once cannot both pass.
        return {
            "licence_conflict": _licence_conflict(application, kind, first, last),
            "exclusive": kind != LicenceKind.ORDINARY,
        }

    transition(
        application_id,
        Action.GRANT_LICENCE,
        actor=actor,
        at=at,
        effect=effect,
        public=True,
        context_extra=conflict,
    )
    return created[0]


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
    ended = _date(errors, "on", on) if on else clock.local_date(at or clock.now())
    if ended != date.min and ended < licence.starts:
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
    )


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
    regime = _regime(application_id)
    errors = FieldErrors()
    exchange = _text(errors, "exchange", exchange)
    contract_reference = _text(errors, "contract_reference", contract_reference, 100)
    day = _date(errors, "traded_on", traded_on)
    value = _money(errors, "amount", amount, currency, regime, zero=False)
    errors.raise_if_any()
    created: list[Trade] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        created.append(
            Trade.objects.create(
                application=application,
                exchange=exchange,
                contract_reference=contract_reference,
                traded_on=day,
                amount=value,
                currency=currency,
                recorded_at=when,
            )
        )
        return {"trade": created[0].pk, "amount": str(value), "currency": currency}

    transition(application_id, Action.RECORD_TRADE, actor=actor, at=at, effect=effect)
    return created[0]


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
    regime = _regime(application_id)
    errors = FieldErrors()
    first, last = _period(errors, "period_start", period_start, "period_end", period_end)
    value = _money(errors, "amount", amount, currency, regime, zero=False)
    errors.raise_if_any()
    created: list[ServiceRevenue] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        created.append(
            ServiceRevenue.objects.create(
                application=application,
                period_start=first,
                period_end=last,
                amount=value,
                currency=currency,
                description=description[:200],
                recorded_at=when,
            )
        )
        return {"revenue": created[0].pk, "amount": str(value), "currency": currency}

    transition(application_id, Action.RECORD_REVENUE, actor=actor, at=at, effect=effect)
    return created[0]


# ── pledges (质押) ────────────────────────────────────────────────────────────────────────


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
    regime = _regime(application_id)
    errors = FieldErrors()
    pledgee = _holder(errors, "pledgee", pledgee_id)
    value = _money(errors, "amount", amount, currency, regime, zero=False)
    first, last = _period(errors, "starts", starts, "ends", ends)
    contract_reference = _text(errors, "contract_reference", contract_reference, 100)
    errors.raise_if_any()
    created: list[Pledge] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        if pledgee is not None and application.holders.filter(holder=pledgee).exists():
            FieldErrors.raise_one("pledgee", gettext_noop("A holder cannot be its own pledgee."))
        created.append(
            Pledge.objects.create(
                application=application,
                pledgee_id=pledgee_id,
                amount=value,
                currency=currency,
                starts=first,
                ends=last,
                contract_reference=contract_reference,
                recorded_at=when,
            )
        )
        return {
            "pledge": created[0].pk,
            "pledgee": pledgee_id,
            "starts": first.isoformat(),
            "ends": last.isoformat(),
        }

    transition(application_id, Action.PLEDGE, actor=actor, at=at, effect=effect, public=True)
    return created[0]


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
    created: list[PledgeConsent] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        created.append(
            PledgeConsent.objects.create(
                pledge=record, purpose=purpose, given_by_id=user_id_of(actor), given_at=when
            )
        )
        return {"pledge": pledge_id, "purpose": purpose}

    transition(record.application_id, Action.CONSENT, actor=actor, at=at, effect=effect)
    return created[0]


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
    released = _date(errors, "on", on) if on else clock.local_date(at or clock.now())
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
    )


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
    regime = _regime(application_id)
    errors = FieldErrors()
    if method not in ValuationMethod.values:
        errors.add("method", gettext_noop("Choose the cost, income, market or composite approach."))
    evaluator = _text(errors, "evaluator", evaluator)
    day = _date(errors, "valued_on", valued_on)
    amount = _money(errors, "value", value, currency, regime, zero=False)
    if (
        pledge_id
        and not Pledge.objects.filter(pk=pledge_id, application_id=application_id).exists()
    ):
        errors.add("pledge", gettext_noop("No such pledge on this registration."))
    if trade_id and not Trade.objects.filter(pk=trade_id, application_id=application_id).exists():
        errors.add("trade", gettext_noop("No such trade of this registration."))
    errors.raise_if_any()
    created: list[Valuation] = []

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        created.append(
            Valuation.objects.create(
                application=application,
                method=method,
                evaluator=evaluator,
                valued_on=day,
                amount=amount,
                currency=currency,
                inputs=dict(inputs or {}),
                pledge_id=pledge_id,
                trade_id=trade_id,
                recorded_at=when,
            )
        )
        return {"valuation": created[0].pk, "method": method, "value": str(amount)}

    transition(application_id, Action.RECORD_VALUATION, actor=actor, at=at, effect=effect)
    return created[0]


# ── renewal, cancellation, revocation (续展、注销、撤销) ───────────────────────────────────


def renew(application_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """Renew inside the regime's window: validity extends by the regime's term."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        regime = load_regime(application.regime_code)
        if application.valid_until is None:  # the renewal guard has refused this already
            raise NotFound(gettext_noop("This registration cannot be renewed."))
        start = application.valid_until + timedelta(days=1)
        application.valid_until = regime.validity_end(
            start, application.product.source_agreement_end
        )
        application.certificate_version += 1
        return {"valid_until": application.valid_until.isoformat()}

    return transition(application_id, Action.RENEW, actor=actor, at=at, effect=effect, public=True)


def cancel(
    application_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """The holder cancels the registration (注销); a pledgee must have consented."""

    def effect(application: Application, when: datetime) -> None:
        _use_consent(application, ConsentPurpose.CANCELLATION, when)
        application.decided_at = when
        application.decision_reason = reason

    return transition(
        application_id, Action.CANCEL, actor=actor, reason=reason, at=at, effect=effect, public=True
    )


def revoke(
    application_id: int, *, actor: Actor, reason: str, reference: str, at: datetime | None = None
) -> Application:
    """The registry revokes the registration (撤销) after an upheld challenge or a court
    decision, recorded with the decision's reference."""
    errors = FieldErrors()
    reference = _text(errors, "reference", reference)
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        application.decided_at = when
        application.decision_reason = reason
        application.decision_reference = reference
        return {"reference": reference}

    return transition(
        application_id, Action.REVOKE, actor=actor, reason=reason, at=at, effect=effect, public=True
    )
