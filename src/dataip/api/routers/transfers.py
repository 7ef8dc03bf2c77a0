"""The transfer API (转让), with an organisation's token: a holder proposes a transfer of a
registration it holds (addressed by registration number) and may withdraw it; the assignee and
every other joint holder list the transfers waiting for them and confirm or decline each. The
transfer takes effect with the last confirmation. The same services as the pages
(``registry.services.changes``); the workflow decides who may act and when."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.api.auth import caller, rights_auth
from dataip.api.schemas.common import MAX_ID, RegistrationNumber, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.transfers import (
    TransferDeclineIn,
    TransferIn,
    TransferList,
    TransferOut,
    TransferWithdrawIn,
)
from dataip.errors import ValidationFailed
from dataip.registry import labels
from dataip.registry.models import Transfer
from dataip.registry.queries import rights
from dataip.registry.queries.applicants import holder_by_identifier
from dataip.registry.services import changes

router = Router(tags=["transfers"], auth=rights_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
Number = RegistrationNumber
TransferId = PathEx[int, P(ge=1, le=MAX_ID, description="The transfer's id")]
NAMES = {"contract_date": "contractDate", "effective_date": "effectiveDate"}


def _out(view: rights.TransferView) -> TransferOut:
    t = view.transfer
    return TransferOut(
        id=t.pk,
        registrationNumber=t.application.registration_number or "",
        productName=t.application.product.name,
        proposer=t.proposer.name if t.proposer else view.reported_by,
        assignee=t.assignee.name,
        contractDate=t.contract_date,
        effectiveDate=t.effective_date,
        price=None if t.price is None else str(t.price),
        currency=t.currency,
        status=t.status,
        statusLabel=labels.record_status(t.status),
        proposedAt=t.proposed_at,
        decidedAt=t.decided_at,
        confirmedBy=view.confirmed,
        waitingFor=view.waiting if t.status == "pending" else [],
        declinedBy=t.declined_by.name if t.declined_by else None,
        reason=t.reason,
    )


def _reread(transfer_id: int) -> TransferOut:
    found = Transfer.objects.select_related(
        "application__product", "assignee", "proposer", "declined_by"
    ).get(pk=transfer_id)
    return _out(rights.transfer_view(found))


@router.get(
    "/registrations/{number}/transfers",
    response={200: TransferList, **ERRORS},
    summary="Transfers of a registration you hold",
)
def list_transfers(request: HttpRequest, number: Number) -> TransferList:
    """Every transfer proposed on the registration (pending, confirmed, cancelled), the newest
    first, with who has confirmed it and who has yet to."""
    application = rights.held_registration(caller(request).actor, number=number)
    return TransferList(items=[_out(v) for v in rights.transfers_of(application)])


@router.post(
    "/registrations/{number}/transfers",
    response={201: TransferOut, **ERRORS},
    summary="Propose a transfer",
)
def propose_transfer(
    request: HttpRequest, number: Number, body: BodyEx[TransferIn, P()]
) -> Answer[TransferOut]:
    """Propose to transfer a registration you hold (转让) to a registered holder named by its
    credit code or ID number. It takes effect once the assignee and every other joint holder
    have confirmed it; while a pledge stands, the pledgee must have consented."""
    who = caller(request)
    application = rights.held_registration(who.actor, number=number)
    assignee = holder_by_identifier(body.assignee)
    try:
        made = changes.propose_transfer(
            application.pk,
            actor=who.actor,
            assignee_id=assignee.pk if assignee else 0,  # 0: the service says no such holder
            contract_date=body.contractDate,
            effective_date=body.effectiveDate,
            price=body.price,
            currency=body.currency,
        )
    except ValidationFailed as refused:
        raise ValidationFailed({NAMES.get(k, k): v for k, v in refused.errors.items()}) from None
    return Answer(201, _reread(made.pk))


@router.get(
    "/transfers/waiting",
    response={200: TransferList, **ERRORS},
    summary="Transfers waiting for you",
)
def waiting_transfers(request: HttpRequest) -> TransferList:
    """Pending transfers your organisation is a party to and has not confirmed: as the
    assignee, or as a joint holder other than the proposer (转让确认); the oldest first."""
    found = rights.transfers_waiting_for(caller(request).actor.holder_ids)
    return TransferList(items=[_out(v) for v in found])


@router.post(
    "/transfers/{transfer_id}/confirm",
    response={200: TransferOut, **ERRORS},
    summary="Confirm a transfer",
)
def confirm_transfer(request: HttpRequest, transfer_id: TransferId) -> TransferOut:
    """Confirm, as the assignee or a joint holder, a transfer waiting for you; the last
    confirmation makes it take effect (the assignee becomes the sole holder and a new
    certificate version is issued)."""
    who = caller(request)
    rights.transfer_for_party(who.actor.holder_ids, transfer_id)
    changes.confirm_transfer(transfer_id, actor=who.actor)
    return _reread(transfer_id)


@router.post(
    "/transfers/{transfer_id}/decline",
    response={200: TransferOut, **ERRORS},
    summary="Decline a transfer",
)
def decline_transfer(
    request: HttpRequest, transfer_id: TransferId, body: BodyEx[TransferDeclineIn, P()]
) -> TransferOut:
    """Decline, as the assignee or a joint holder, a transfer waiting for you, with the
    reason: the transfer is cancelled."""
    who = caller(request)
    rights.transfer_for_party(who.actor.holder_ids, transfer_id)
    changes.decline_transfer(transfer_id, actor=who.actor, reason=body.reason)
    return _reread(transfer_id)


@router.post(
    "/transfers/{transfer_id}/cancel",
    response={200: TransferOut, **ERRORS},
    summary="Withdraw a transfer",
)
def cancel_transfer(
    request: HttpRequest, transfer_id: TransferId, body: BodyEx[TransferWithdrawIn, P()]
) -> TransferOut:
    """Withdraw a transfer your organisation proposed, before it takes effect."""
    who = caller(request)
    rights.proposed_transfer(who.actor, transfer_id)
    changes.cancel_transfer(transfer_id, actor=who.actor, reason=body.reason)
    return _reread(transfer_id)
