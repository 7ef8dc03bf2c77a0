"""Changes (变更) and transfers (转让) of a registered right.

A change of registered particulars applies at once, or after an examiner approves where the
regime requires; a transfer is proposed by a holder and takes effect once the assignee and
every other joint holder have confirmed it. Both make a new certificate version due
(``Consequence.ISSUE_CERTIFICATE`` in the workflow)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from dataip.errors import Conflict, FieldErrors, NotFound, gettext_noop
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
    TransferConfirmation,
)
from dataip.registry.services.applications import product_digest
from dataip.registry.services.records import create_record, regime_of, use_consent
from dataip.registry.services.transition import Made, lock_application, transition
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
    """A holder proposes to transfer the right to another registered holder (the assignee);
    it takes effect once the assignee and every other joint holder have confirmed it."""
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
        holders = list(application.holders.order_by("id").values_list("holder_id", "share"))
        ids = [h for h, _ in holders]
        proposer = min(actor.holder_ids & set(ids), default=None)
        if assignee is not None and (ids == [assignee.pk] or assignee.pk == proposer):
            FieldErrors.raise_one("assignee", gettext_noop("The assignee already holds the right."))
        return {
            "previous_holders": [[h, str(s)] for h, s in holders],
            "proposed_by_id": user_id_of(actor),
            "proposer_id": proposer,
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
            "proposer": transfer.proposer_id,
            "parties": sorted(transfer.parties()),
            "contract_date": signed.isoformat(),
            "effective_date": effective.isoformat(),
            "price": None if amount is None else str(amount),
            "currency": currency,
        },
    )


def _pending_transfer(transfer_id: int) -> Transfer:
    transfer = Transfer.objects.filter(pk=transfer_id, status=RecordStatus.PENDING).first()
    if transfer is None:
        raise NotFound(gettext_noop("No such transfer waiting for confirmation."))
    return transfer


def _still_pending(transfer_id: int) -> Transfer:
    """Under the application's lock: the transfer, if no one has decided it meanwhile."""
    transfer = Transfer.objects.filter(pk=transfer_id, status=RecordStatus.PENDING).first()
    if transfer is None:
        raise Conflict(gettext_noop("The transfer was decided meanwhile; reload and try again."))
    return transfer


def _waiting_parties(transfer: Transfer) -> frozenset[int]:
    return transfer.parties() - set(transfer.confirmations.values_list("holder_id", flat=True))


def confirm_transfer(transfer_id: int, *, actor: Actor, at: datetime | None = None) -> Application:
    """A party to the transfer (the assignee, or another joint holder) confirms it; the
    confirmation is recorded and logged. The last one makes it take effect: the assignee
    becomes the sole holder (the pledgee's consent is used where a pledge stands) and a new
    certificate version is due."""
    transfer = _pending_transfer(transfer_id)
    with transaction.atomic():
        # Which action this confirmation is (the last one or not) is decided under the lock,
        # so two parties confirming at once cannot both be "the last".
        lock_application(transfer.application_id)
        waiting = _waiting_parties(_still_pending(transfer_id))
        final = len(waiting) == 1
        action = Action.CONFIRM_TRANSFER if final else Action.AGREE_TO_TRANSFER

        def effect(application: Application, when: datetime) -> dict[str, Any]:
            party = min(actor.holder_ids & waiting)  # the workflow let only a waiting party in
            TransferConfirmation.objects.create(
                transfer_id=transfer_id,
                holder_id=party,
                confirmed_by_id=user_id_of(actor),
                confirmed_at=when,
            )
            payload: dict[str, Any] = {"transfer": transfer_id, "party": party}
            if not final:
                return payload
            use_consent(application, ConsentPurpose.TRANSFER, when)
            ApplicationHolder.objects.filter(application=application).delete()
            ApplicationHolder.objects.create(
                application=application, holder_id=transfer.assignee_id, share=Decimal(100)
            )
            Transfer.objects.filter(pk=transfer_id).update(
                status=RecordStatus.CONFIRMED, confirmed_by_id=actor.user_id, decided_at=when
            )
            application.certificate_version += 1
            return {**payload, "assignee": transfer.assignee_id}

        return transition(
            transfer.application_id, action, actor=actor, at=at, effect=effect, public=final
        ).application


def _end_transfer(
    transfer_id: int, action: Action, actor: Actor, reason: str, at: datetime | None
) -> Application:
    transfer = _pending_transfer(transfer_id)

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        pending = _still_pending(transfer_id)
        declined_by = None
        if action == Action.DECLINE_TRANSFER:
            declined_by = min(actor.holder_ids & _waiting_parties(pending), default=None)
        Transfer.objects.filter(pk=transfer_id).update(
            status=RecordStatus.CANCELLED,
            decided_at=when,
            reason=reason.strip(),
            declined_by_id=declined_by,
        )
        payload: dict[str, Any] = {"transfer": transfer_id}
        if declined_by is not None:
            payload["party"] = declined_by
        return payload

    return transition(
        transfer.application_id, action, actor=actor, reason=reason, at=at, effect=effect
    ).application


def decline_transfer(
    transfer_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Application:
    """A party to the transfer (the assignee, or another joint holder who has not confirmed)
    declines it, with the reason: the transfer is cancelled."""
    return _end_transfer(transfer_id, Action.DECLINE_TRANSFER, actor, reason, at)


def cancel_transfer(
    transfer_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """The proposer's organisation withdraws a transfer that has not taken effect yet."""
    return _end_transfer(transfer_id, Action.CANCEL_TRANSFER, actor, reason, at)
