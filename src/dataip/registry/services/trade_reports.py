"""Trade reports by a data exchange (交易所交易报送): a verified exchange reports each trade of
a registered product (contract, parties, date, amount, and a licence or a transfer); the
holder sees it and may dispute it; the exchange may withdraw it (and report it again).

A reported transfer does not move the right: it proposes a :class:`Transfer` to the buyer (a
registered organisation), which every current holder and the buyer then confirm as any other
transfer (:mod:`dataip.registry.services.changes`). The exchange is not a holder, so the
transfer has no proposer and every holder is a party to it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dataip.errors import Conflict, FieldErrors, NotFound, PermissionDenied, gettext_noop
from dataip.registry.actors import user_id_of
from dataip.registry.identifiers import InvalidIdentifier, validate_uscc
from dataip.registry.models import (
    Application,
    Holder,
    LicenceKind,
    RecordStatus,
    Trade,
    TradeKind,
    TradeStatus,
    Transfer,
)
from dataip.registry.models.holders import OrganisationType, Verification
from dataip.registry.queries.applicants import holder_by_identifier
from dataip.registry.services.records import create_record, regime_of
from dataip.registry.services.transition import transition
from dataip.registry.validators import iso_date, money, period, required_text
from dataip.registry.workflow import Action, Actor

BUYER_MUST_SIGN_UP = gettext_noop(
    "A transfer needs a buyer registered with the registry: the buyer must sign up first, "
    "then give its unified social credit code here."
)

REPORT_WITHDRAWN = gettext_noop("The exchange withdrew its trade report.")
"""The reason kept on a pending transfer cancelled with the report that proposed it."""


def _registration(errors: FieldErrors, registration_number: str) -> int | None:
    """The id of the application registered under this number (checked by number)."""
    wanted = (registration_number or "").strip().upper()
    found = (
        Application.objects.filter(registration_number=wanted).values_list("pk", flat=True).first()
        if wanted
        else None
    )
    if found is None:
        errors.add("registration_number", gettext_noop("No registration has this number."))
    return found


def _exchange_of(actor: Actor) -> Holder:
    """The verified data exchange the actor reports for."""
    exchange = (
        Holder.objects.filter(
            pk__in=actor.holder_ids,
            org_type=OrganisationType.EXCHANGE,
            verification=Verification.VERIFIED,
        )
        .order_by("pk")
        .first()
    )
    if exchange is None:
        raise PermissionDenied(gettext_noop("Only a member of a verified data exchange may."))
    return exchange


def _buyer(
    errors: FieldErrors, name: str, identifier: str, kind: str
) -> tuple[Holder | None, str, str]:
    """The buyer: its name (required) and optional unified social credit code; a code of a
    registered organisation links it. A transfer needs a registered buyer."""
    name = required_text(errors, "buyer_name", name)
    identifier = (identifier or "").strip().upper()
    registered = holder_by_identifier(identifier) if identifier else None
    if identifier and registered is None:
        try:
            identifier = validate_uscc(identifier, field="buyer_identifier")
        except InvalidIdentifier:
            errors.add("buyer_identifier", gettext_noop("Give a valid unified social credit code."))
    if kind == TradeKind.TRANSFER and registered is None:
        errors.add("buyer_identifier", BUYER_MUST_SIGN_UP)
    return registered, name, identifier


def report_trade(
    registration_number: str,
    *,
    actor: Actor,
    contract_reference: str,
    traded_on: object,
    amount: object,
    currency: str = "CNY",
    kind: str,
    buyer_name: str,
    buyer_identifier: str = "",
    licence_kind: str = "",
    starts: object = None,
    ends: object = None,
    at: datetime | None = None,
) -> Trade:
    """A verified data exchange reports a trade of a registered product (found by its
    registration number): the contract, the buyer, the date, the amount and what was traded.
    One report per contract of an exchange (a withdrawn one may be reported again). A transfer
    also proposes the transfer to the buyer, whom every holder and the buyer confirm."""
    errors = FieldErrors()
    application_id = _registration(errors, registration_number)
    contract_reference = required_text(errors, "contract_reference", contract_reference, 100)
    day = iso_date(errors, "traded_on", traded_on)
    if kind not in TradeKind.values:
        errors.add("kind", gettext_noop("Choose a licence or a transfer."))
    buyer, name, code = _buyer(errors, buyer_name, buyer_identifier, kind)
    first: date | None = None
    last: date | None = None
    if kind == TradeKind.LICENCE:
        if licence_kind not in LicenceKind.values:
            errors.add("licence_kind", gettext_noop("Choose exclusive, sole or ordinary."))
        first, last = period(errors, "starts", starts, "ends", ends)
    value = Decimal(0)
    if application_id is not None:
        value = money(errors, "amount", amount, currency, regime_of(application_id), zero=False)
    errors.raise_if_any()
    assert application_id is not None  # noqa: S101 - raise_if_any named it otherwise
    transfer_kind = kind == TradeKind.TRANSFER

    def prepare(application: Application, when: datetime) -> dict[str, Any]:
        # The workflow has let only a member of a verified exchange in.
        exchange = _exchange_of(actor)
        if (
            Trade.objects.filter(reported_by=exchange, contract_reference=contract_reference)
            .exclude(status=TradeStatus.WITHDRAWN)
            .exists()
        ):
            FieldErrors.raise_one(
                "contract_reference",
                gettext_noop("Your exchange has already reported this contract."),
            )
        holders = list(application.holders.order_by("id").values_list("holder_id", "share"))
        sellers = [h for h, _ in holders]
        if buyer is not None and buyer.pk in sellers:
            FieldErrors.raise_one(
                "buyer_identifier", gettext_noop("The buyer already holds the right.")
            )
        transfer = None
        if transfer_kind and buyer is not None:
            transfer = Transfer.objects.create(
                application=application,
                assignee=buyer,
                previous_holders=[[h, str(s)] for h, s in holders],
                contract_date=day,
                effective_date=day,
                price=value,
                currency=currency,
                proposed_by_id=user_id_of(actor),
                proposed_at=when,
                proposer=None,  # the exchange is no holder: every holder confirms
            )
        return {
            "reported_by_id": exchange.pk,
            "exchange": exchange.name,
            "sellers": sellers,
            "transfer_id": transfer.pk if transfer else None,
        }

    def payload(trade: Trade) -> dict[str, Any]:
        logged: dict[str, Any] = {
            "trade": trade.pk,
            "exchange": trade.reported_by_id,
            "exchange_name": trade.exchange,
            "reference": contract_reference,
            "kind": kind,
            "traded_on": day.isoformat(),
            "amount": str(value),
            "currency": currency,
            "sellers": trade.sellers,
            "buyer": buyer.pk if buyer else None,
        }
        if buyer is None:
            logged.update(buyer_name=name, buyer_identifier=code)
        if first is not None and last is not None:
            logged.update(
                licence_kind=licence_kind, starts=first.isoformat(), ends=last.isoformat()
            )
        if trade.transfer_id is not None:
            transfer = trade.transfer
            assert transfer is not None  # noqa: S101
            logged.update(transfer=transfer.pk, parties=sorted(transfer.parties()))
        return logged

    return create_record(
        Trade,
        application_id,
        Action.REPORT_TRADE,
        actor=actor,
        at=at,
        fields={
            "status": TradeStatus.REPORTED,
            "kind": kind,
            "contract_reference": contract_reference,
            "traded_on": day,
            "amount": value,
            "currency": currency,
            "buyer": buyer,
            "buyer_name": "" if buyer else name,
            "buyer_identifier": "" if buyer else code,
            "licence_kind": licence_kind if first else "",
            "starts": first,
            "ends": last,
        },
        prepare=prepare,
        context_extra={"reported_transfer": transfer_kind},
        payload=payload,
    )


def withdraw_trade_report(
    trade_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Trade:
    """The exchange that reported a trade withdraws the report (to correct it, it reports the
    contract again); a transfer it proposed that still waits for confirmation is cancelled."""
    trade = Trade.objects.filter(pk=trade_id, reported_by_id__in=actor.holder_ids).first()
    if trade is None:
        raise NotFound(gettext_noop("No such trade report."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        current = Trade.objects.filter(pk=trade_id).exclude(status=TradeStatus.WITHDRAWN).first()
        if current is None:
            raise Conflict(gettext_noop("This trade report is withdrawn already."))
        Trade.objects.filter(pk=trade_id).update(
            status=TradeStatus.WITHDRAWN, withdrawn_at=when, withdraw_reason=reason.strip()
        )
        logged: dict[str, Any] = {
            "trade": trade_id,
            "exchange": current.reported_by_id,
            "exchange_name": current.exchange,
            "reference": current.contract_reference,
        }
        if current.transfer_id is not None and Transfer.objects.filter(
            pk=current.transfer_id, status=RecordStatus.PENDING
        ).update(
            status=RecordStatus.CANCELLED,
            decided_at=when,
            reason=REPORT_WITHDRAWN,
        ):
            logged["transfer"] = current.transfer_id
            logged["transfer_cancelled"] = True
        return logged

    transition(
        trade.application_id,
        Action.WITHDRAW_TRADE_REPORT,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
    )
    return Trade.objects.get(pk=trade_id)


def dispute_trade(trade_id: int, *, actor: Actor, reason: str, at: datetime | None = None) -> Trade:
    """A holder of the right disputes a trade an exchange reported, with the reason; the
    exchange is told, and may withdraw it and report it again."""
    trade = Trade.objects.filter(pk=trade_id).exclude(reported_by=None).first()
    if trade is None:
        raise NotFound(gettext_noop("No such trade report."))

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        if not Trade.objects.filter(pk=trade_id, status=TradeStatus.REPORTED).update(
            status=TradeStatus.DISPUTED, disputed_at=when, dispute_reason=reason.strip()
        ):
            raise Conflict(gettext_noop("Only a reported trade that stands can be disputed."))
        return {
            "trade": trade_id,
            "exchange": trade.reported_by_id,
            "reference": trade.contract_reference,
        }

    transition(
        trade.application_id,
        Action.DISPUTE_TRADE,
        actor=actor,
        reason=reason,
        at=at,
        effect=effect,
    )
    return Trade.objects.get(pk=trade_id)
