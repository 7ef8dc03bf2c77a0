"""Changes (变更) and transfers (转让) of a registered right.

A change of registered particulars applies at once, or after an examiner approves where the
regime requires; a transfer is proposed by the holder and confirmed by the assignee. Both make
a new certificate version due (``Consequence.ISSUE_CERTIFICATE`` in the workflow)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dataip.errors import FieldErrors, NotFound, gettext_noop
from dataip.registry import clock
from dataip.registry.actors import user_id_of
from dataip.registry.fields import CHANGEABLE, clean_product
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ChangeRequest,
    ConsentPurpose,
    RecordStatus,
    Transfer,
)
from dataip.registry.services.applications import product_digest
from dataip.registry.services.records import create_record, regime_of, use_consent
from dataip.registry.services.transition import Made, transition
from dataip.registry.validators import iso_date, known_holder, money
from dataip.registry.workflow import Action, Actor

HOLDER_CHANGEABLE = frozenset({"holder_name", "holder_name_en", "holder_address"})


# ── changes (变更) ────────────────────────────────────────────────────────────────────────


def request_change(
    application_id: int, *, actor: Actor, values: Mapping[str, Any], at: datetime | None = None
) -> ChangeRequest:
    """Ask to change registered particulars: product description fields, or the holder's name
    and address. Applied at once, or after an examiner approves where the regime requires."""
    regime = regime_of(application_id)
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

    def effect(application: Application, when: datetime) -> Made[ChangeRequest]:
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
        payload: dict[str, Any] = {
            "change": change.pk,
            "fields": sorted(diff),
            "examined": regime.change_requires_examination,
        }
        if not regime.change_requires_examination:
            _apply_change(application, change, when, actor)
            payload["product_sha256"] = product_digest(application.product)
        return Made(change, payload)

    return transition(application_id, Action.REQUEST_CHANGE, actor=actor, at=at, effect=effect).made


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
            return {"change": change_id, "product_sha256": product_digest(application.product)}
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
    ).application


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
    regime = regime_of(application_id)
    errors = FieldErrors()
    assignee = known_holder(errors, "assignee", assignee_id)
    signed = iso_date(errors, "contract_date", contract_date)
    effective = iso_date(errors, "effective_date", effective_date)
    amount = (
        None if price in (None, "") else money(errors, "price", price, currency, regime, zero=True)
    )
    errors.raise_if_any()

    def previous_holders(application: Application, when: datetime) -> dict[str, Any]:
        holders = list(application.holders.values_list("holder_id", "share"))
        if assignee is not None and [h for h, _ in holders] == [assignee.pk]:
            FieldErrors.raise_one("assignee", gettext_noop("The assignee already holds the right."))
        return {
            "previous_holders": [[h, str(s)] for h, s in holders],
            "proposed_by_id": user_id_of(actor),
        }

    return create_record(
        Transfer,
        application_id,
        Action.PROPOSE_TRANSFER,
        actor=actor,
        at=at,
        fields={
            "assignee_id": assignee_id,
            "contract_date": signed,
            "effective_date": effective,
            "price": amount,
            "currency": currency,
        },
        stamp="proposed_at",
        prepare=previous_holders,
        payload=lambda transfer: {
            "transfer": transfer.pk,
            "assignee": assignee_id,
            "contract_date": signed.isoformat(),
            "effective_date": effective.isoformat(),
            "price": None if amount is None else str(amount),
            "currency": currency,
        },
    )


def confirm_transfer(transfer_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """The assignee confirms: it becomes the sole holder and a new certificate version is due."""
    transfer = Transfer.objects.filter(pk=transfer_id, status=RecordStatus.PENDING).first()
    if transfer is None:
        raise NotFound(gettext_noop("No such transfer waiting for confirmation."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        use_consent(application, ConsentPurpose.TRANSFER, when)
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
    ).application


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
    ).application
