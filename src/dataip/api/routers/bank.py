"""The API for banks and other creditors (API token of the bank): the pledges it holds, and
the encumbrance search it runs before lending against a registration (权利负担查询)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import P, QueryEx, Router

from dataip.api import pagination
from dataip.api.auth import caller, token_auth
from dataip.api.schemas.bank import (
    Encumbrance,
    Encumbrances,
    ExclusiveLicence,
    PendingTransfer,
    PledgeHeld,
    PledgesHeld,
    StandingPledge,
)
from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import labels
from dataip.registry.queries import rights

router = Router(tags=["banks"], auth=token_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 422: ValidationProblem}


@router.get("/pledges", response={200: PledgesHeld, **ERRORS}, summary="Pledges you hold")
def pledges(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> PledgesHeld:
    """The pledges your organisation holds as pledgee, standing or released, newest first."""
    held = rights.pledges_held_by(caller(request).holder_id)
    page = pagination.by_key(held, lambda p: (p.pk,), cursor, limit, (int,), descending=True)
    prefetch_related_objects(page.items, "application__product")
    return PledgesHeld(
        items=[
            PledgeHeld(
                id=p.pk,
                registrationNumber=p.application.registration_number,
                productName=p.application.product.name,
                amount=str(p.amount),
                currency=p.currency,
                contractReference=p.contract_reference,
                starts=p.starts,
                ends=p.ends,
                status=p.status,
                recordedAt=p.recorded_at,
                releasedOn=p.released_on,
            )
            for p in page.items
        ],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


def _encumbrance(found: rights.Encumbrance, amounts_published: bool) -> Encumbrance:
    standing = [
        StandingPledge(
            pledgee=p.pledgee.name,
            starts=p.starts,
            ends=p.ends,
            amount=str(p.amount) if amounts_published else None,
            currency=p.currency,
        )
        for p in found.pledges
    ]
    licences = [
        ExclusiveLicence(kind=lic.kind, starts=lic.starts, ends=lic.ends)
        for lic in found.exclusive_licences
    ]
    return Encumbrance(
        registrationNumber=found.registration_number,
        certificateNumber=found.certificate_number or None,
        productName=found.product_name,
        status=found.status,
        statusLabel=labels.status(found.status),
        validFrom=found.valid_from,
        validUntil=found.valid_until,
        holders=found.holders,
        pledges=standing,
        exclusiveLicences=licences,
        pendingTransfers=[
            PendingTransfer(
                proposedOn=t.proposed_on,
                contractDate=t.contract_date,
                effectiveDate=t.effective_date,
            )
            for t in found.pending_transfers
        ],
        transferPending=found.transfer_pending,
        encumbered=found.encumbered,
    )


@router.get("/encumbrances", response={200: Encumbrances, **ERRORS}, summary="Encumbrance search")
def encumbrances(
    request: HttpRequest,
    registration_number: QueryEx[
        str | None, P(alias="registrationNumber", pattern=r"^[0-9A-Za-z]{1,20}$")
    ] = None,
    certificate_number: QueryEx[
        str | None, P(alias="certificateNumber", pattern=r"^[0-9]{1,17}$")
    ] = None,
    holder_identifier: QueryEx[
        str | None, P(alias="holderIdentifier", pattern=r"^[0-9A-Za-z]{1,18}$")
    ] = None,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> Encumbrances:
    """Before lending: by registration number, certificate number or the holder's credit
    code, what stands on each registration: its status and validity, its holders, pledges,
    exclusive or sole licences in force, transfers waiting for confirmation. The same search
    as the bank's page `/bank/encumbrances`."""
    caller(request)
    if not (registration_number or certificate_number or holder_identifier):
        FieldErrors.raise_one(
            "registrationNumber",
            gettext_noop(
                "Give a registration number, a certificate number or a holder's credit code."
            ),
        )
    found = rights.encumbrances(
        registration_number=registration_number or "",
        certificate_number=certificate_number or "",
        holder_identifier=holder_identifier or "",
    )
    page = pagination.by_key(found, lambda e: (e.registration_number,), cursor, limit, (str,))
    published = rights.pledge_amounts_published([e.registration_number for e in page.items])
    return Encumbrances(
        items=[_encumbrance(e, e.registration_number in published) for e in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )
