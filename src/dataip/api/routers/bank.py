"""The API for banks and other creditors (API token of the bank): the pledges it holds, and
the encumbrance search it runs before lending against a registration (权利负担查询); a pledge
it registers (质押登记), which a holder of the right confirms or declines (holder's token),
its consents and its release. The same services as the pages under ``/bank/``."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import P, QueryEx, Router
from ninja import Status as Answer
from ninja.params import PathEx

from dataip.api import pagination
from dataip.api.auth import bank_auth, caller, rights_auth
from dataip.api.schemas.bank import (
    ConsentIn,
    ConsentOut,
    ConsentRequestIn,
    ConsentRequestOut,
    ConsentRequests,
    Encumbrance,
    Encumbrances,
    ExclusiveLicence,
    PendingTransfer,
    PledgeHeld,
    PledgeIn,
    PledgesHeld,
    PledgesWaiting,
    PledgeWaiting,
    ReasonIn,
    StandingPledge,
)
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.certificates import issue_records
from dataip.certificates.models import IssuedRecord
from dataip.errors import FieldErrors, Message, NotFound, ValidationFailed, gettext_noop
from dataip.registry import labels
from dataip.registry.models import ConsentRequest, Pledge
from dataip.registry.queries import rights
from dataip.registry.services import pledges as pledging

router = Router(tags=["banks"], auth=bank_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 403: Problem, 404: Problem, 409: Problem}
PledgeId = PathEx[int, P(ge=1, le=MAX_ID, description="The pledge's id")]
RequestId = PathEx[int, P(ge=1, le=MAX_ID, description="The request's id")]
RegistrationNumber = PathEx[
    str, P(pattern=r"^[0-9A-Za-z]{1,20}$", description="The registration number")
]
PDF_ANSWER = {
    "responses": {
        200: {
            "description": "A sealed PDF (PAdES), Chinese and English; `dataip verify` checks it",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _pdf(row: IssuedRecord) -> HttpResponse:
    name, data = issue_records.record_pdf(row)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _held(p: Pledge) -> PledgeHeld:
    return PledgeHeld(
        id=p.pk,
        registrationNumber=p.application.registration_number,
        productName=p.application.product.name,
        amount=str(p.amount),
        currency=p.currency,
        contractReference=p.contract_reference,
        valuationReference=p.valuation_reference,
        starts=p.starts,
        ends=p.ends,
        status=p.status,
        statusLabel=str(p.get_status_display()),
        recordedAt=p.recorded_at,
        confirmedAt=p.confirmed_at,
        releasedOn=p.released_on,
    )


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
        items=[_held(p) for p in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post("/pledges", response={201: PledgeHeld, **ACTING}, summary="Register a pledge")
def propose_pledge(request: HttpRequest, body: PledgeIn) -> Answer[PledgeHeld]:
    """Register a pledge your organisation takes as pledgee (质押登记): amount, currency, term,
    the secured contract's reference and the valuation report's. It waits (``proposed``) until
    a holder of the right confirms it; then it stands (``active``)."""
    who = caller(request)
    application_id = rights.registered_application_id(body.registrationNumber)
    if application_id is None:
        raise ValidationFailed(
            {"registrationNumber": [Message(gettext_noop("No registration has this number."))]}
        )
    made = pledging.propose_pledge(
        application_id,
        actor=who.actor,
        amount=body.amount,
        currency=body.currency,
        starts=body.starts,
        ends=body.ends,
        contract_reference=body.contractReference,
        valuation_reference=body.valuationReference,
    )
    return Answer(201, _reread(made.pk))


@router.get(
    "/pledges/waiting",
    response={200: PledgesWaiting, **ERRORS},
    summary="Pledges to confirm",
    auth=rights_auth,
)
def pledges_waiting(request: HttpRequest) -> PledgesWaiting:
    """Pledges registered by pledgees on rights your organisation holds, waiting for a
    holder's confirmation (出质人确认)."""
    who = caller(request)
    return PledgesWaiting(
        items=[
            PledgeWaiting(
                id=p.pk,
                registrationNumber=p.application.registration_number,
                productName=p.application.product.name,
                pledgee=p.pledgee.name,
                amount=str(p.amount),
                currency=p.currency,
                contractReference=p.contract_reference,
                valuationReference=p.valuation_reference,
                starts=p.starts,
                ends=p.ends,
                recordedAt=p.recorded_at,
            )
            for p in rights.pledges_waiting_for(who.actor.holder_ids)
        ]
    )


def _waiting_for(request: HttpRequest, pledge_id: int) -> Pledge:
    who = caller(request)
    for p in rights.pledges_waiting_for(who.actor.holder_ids):
        if p.pk == pledge_id:
            return p
    raise NotFound(gettext_noop("No such pledge waiting for confirmation."))


def _own_pledge(request: HttpRequest, pledge_id: int) -> Pledge:
    found = rights.pledge_of_pledgee(pledge_id, caller(request).holder_id)
    if found is None:
        raise NotFound(gettext_noop("No such pledge."))
    return found


def _reread(pledge_id: int) -> PledgeHeld:
    found = Pledge.objects.select_related("application__product").get(pk=pledge_id)
    return _held(found)


@router.post(
    "/pledges/{pledge_id}/confirm",
    response={200: PledgeHeld, **ACTING},
    summary="Confirm",
    auth=rights_auth,
)
def confirm_pledge(request: HttpRequest, pledge_id: PledgeId) -> PledgeHeld:
    """A holder of the right confirms the pledge its pledgee registered: now it stands."""
    _waiting_for(request, pledge_id)
    pledging.confirm_pledge(pledge_id, actor=caller(request).actor)
    return _reread(pledge_id)


@router.post(
    "/pledges/{pledge_id}/decline",
    response={200: PledgeHeld, **ACTING},
    summary="Decline",
    auth=rights_auth,
)
def decline_pledge(request: HttpRequest, pledge_id: PledgeId, body: ReasonIn) -> PledgeHeld:
    """A holder of the right declines the pledge registered in its name, with a reason."""
    _waiting_for(request, pledge_id)
    pledging.decline_pledge(pledge_id, actor=caller(request).actor, reason=body.reason)
    return _reread(pledge_id)


@router.post(
    "/pledges/{pledge_id}/release", response={200: PledgeHeld, **ACTING}, summary="Release"
)
def release_pledge(request: HttpRequest, pledge_id: PledgeId, body: ReasonIn) -> PledgeHeld:
    """Release a pledge your organisation holds (解除质押), with the reason (loan repaid…)."""
    _own_pledge(request, pledge_id)
    pledging.release_pledge(pledge_id, actor=caller(request).actor, reason=body.reason)
    return _reread(pledge_id)


@router.post(
    "/pledges/{pledge_id}/consents",
    response={201: ConsentOut, **ACTING},
    summary="Consent as pledgee",
)
def consent(request: HttpRequest, pledge_id: PledgeId, body: ConsentIn) -> Answer[ConsentOut]:
    """Consent, as the pledgee of a pledge in force, to one transfer, exclusive or sole
    licence, or cancellation of the registration; the next such action uses it."""
    _own_pledge(request, pledge_id)
    given = pledging.consent(pledge_id, actor=caller(request).actor, purpose=body.purpose)
    return Answer(
        201,
        ConsentOut(id=given.pk, pledge=pledge_id, purpose=given.purpose, givenAt=given.given_at),
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
        ExclusiveLicence(
            kind=lic.kind,
            licensee=lic.licensee_display,
            regions=list(lic.regions),
            territory=labels.territory(lic.regions, lic.territory),
            starts=lic.starts,
            ends=lic.ends,
        )
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


@router.get(
    "/encumbrances/{number}/statement.pdf",
    response={200: None, **ERRORS, 404: Problem},
    summary="Encumbrance statement (signed PDF)",
    openapi_extra=PDF_ANSWER,
)
def encumbrance_statement(request: HttpRequest, number: RegistrationNumber) -> HttpResponse:
    """The encumbrance search of one registration as a signed statement (查询证明): status,
    validity, holders, pledges, exclusive or sole licences in force and pending transfers, as
    of the registration's latest ledger entry. Each call issues a new statement with its own
    number, and records its issuing in the ledger (a private leaf); the PDF embeds the
    evidence and carries the registry's seal, so `dataip verify` checks it offline. HEAD
    issues nothing: it only says whether a statement would be issued."""
    if getattr(request, "head_only", False) or request.method == "HEAD":
        issue_records.statement_subject(number)
        head = HttpResponse(content_type="application/pdf")
        head["Content-Disposition"] = 'attachment; filename="statement.pdf"'
        head["Cache-Control"] = "no-store"
        return head
    return _pdf(issue_records.issue_encumbrance_statement(number, actor=caller(request).actor))


@router.get(
    "/pledges/{pledge_id}/certificate.pdf",
    response={200: None, **ERRORS, 404: Problem},
    summary="Pledge registration certificate (signed PDF)",
    openapi_extra=PDF_ANSWER,
)
def pledge_certificate(request: HttpRequest, pledge_id: PledgeId) -> HttpResponse:
    """The registration certificate (质押登记证明) of a pledge in force or released, for its
    pledgee and the holders of the pledged right (404 for anyone else); issued at the first
    request, the same sealed file afterwards."""
    return _pdf(issue_records.pledge_certificate(pledge_id, actor=caller(request).actor))


# ── requests for the pledgee's consent (征求质权人同意) ─────────────────────────────────


def _consent_request(r: ConsentRequest) -> ConsentRequestOut:
    application = r.pledge.application
    return ConsentRequestOut(
        id=r.pk,
        pledge=r.pledge_id,
        registrationNumber=application.registration_number,
        productName=application.product.name,
        purpose=r.purpose,
        purposeLabel=str(r.get_purpose_display()),
        note=r.note,
        status=r.status,
        statusLabel=str(r.get_status_display()),
        requestedAt=r.requested_at,
        decidedAt=r.decided_at,
        refusalReason=r.refusal_reason,
        consent=r.consent_id,
    )


def _reread_request(request_id: int) -> ConsentRequestOut:
    found = ConsentRequest.objects.select_related("pledge__application__product").get(pk=request_id)
    return _consent_request(found)


@router.post(
    "/pledges/{pledge_id}/consent-requests",
    response={201: ConsentRequestOut, **ACTING},
    summary="Ask the pledgee's consent",
    auth=rights_auth,
)
def request_consent(
    request: HttpRequest, pledge_id: PledgeId, body: ConsentRequestIn
) -> Answer[ConsentRequestOut]:
    """A holder of a pledged right asks the pledgee of a pledge in force to consent to a
    transfer, an exclusive or sole licence, or the cancellation (holder's token). The request
    waits in the pledgee's `GET /consents` until it gives or refuses it; one request of a
    purpose may wait at a time (422 on ``purpose`` otherwise)."""
    made = pledging.request_consent(
        pledge_id, actor=caller(request).actor, purpose=body.purpose, note=body.note
    )
    return Answer(201, _reread_request(made.pk))


@router.get(
    "/consent-requests",
    response={200: ConsentRequests, **ERRORS},
    summary="Your requests for consent",
    auth=rights_auth,
)
def my_consent_requests(request: HttpRequest) -> ConsentRequests:
    """The requests for consent made on rights your organisation holds, newest first, with
    the pledgee's answer."""
    found = rights.consent_requests_of(caller(request).actor.holder_ids)
    return ConsentRequests(items=[_consent_request(r) for r in found])


@router.get(
    "/consents", response={200: ConsentRequests, **ERRORS}, summary="Requests for your consent"
)
def consent_requests(request: HttpRequest) -> ConsentRequests:
    """The requests of holders waiting for your organisation's consent as pledgee (oldest
    first), then those you answered (newest first). The same list as the page
    `/bank/consents`."""
    found = rights.consent_requests_for_pledgee(caller(request).holder_id)
    return ConsentRequests(items=[_consent_request(r) for r in found])


@router.post(
    "/consents/{request_id}/give",
    response={200: ConsentRequestOut, **ACTING},
    summary="Give the consent asked for",
)
def give_consent(request: HttpRequest, request_id: RequestId) -> ConsentRequestOut:
    """Give the consent a holder asked for: one consent, used by its next action of that
    purpose. 404 if the request is not addressed to you or no longer waits."""
    pledging.give_requested_consent(request_id, actor=caller(request).actor)
    return _reread_request(request_id)


@router.post(
    "/consents/{request_id}/refuse",
    response={200: ConsentRequestOut, **ACTING},
    summary="Refuse the consent asked for",
)
def refuse_consent(
    request: HttpRequest, request_id: RequestId, body: ReasonIn
) -> ConsentRequestOut:
    """Refuse the consent a holder asked for, with the reason the holder reads. Nothing is
    consented; the holder may ask again."""
    pledging.refuse_consent(request_id, actor=caller(request).actor, reason=body.reason)
    return _reread_request(request_id)
