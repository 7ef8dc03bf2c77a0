"""The holder's API after registration (API token of a current holder's organisation):
licences, trades, service revenue, changes of particulars, renewal, cancellation, valuations
and the income split between joint holders, addressed by registration number; and the
licences granted to the caller's organisation as licensee.

Every change goes through the same services as the pages (``registry.services.licensing``,
``changes``, ``pledges``, ``lifecycle``); the workflow decides who may act and when. A
registration the caller's organisation does not hold is 404, even a public one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import Caller, caller, rights_auth
from dataip.api.errors import api_name
from dataip.api.routers.objections import download
from dataip.api.schemas.common import MAX_ID, FileId, RegistrationNumber, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.rights import (
    CancelIn,
    ChangeIn,
    ChangeList,
    ChangeOut,
    DecisionFileOut,
    DecisionOut,
    EndLicenceIn,
    HolderIncome,
    IncomeSplit,
    LicenceIn,
    LicenceList,
    LicenceOut,
    LicenseeOut,
    RegistrationState,
    RevenueIn,
    RevenueList,
    RevenueOut,
    TradeIn,
    TradeList,
    TradeOut,
    ValuationIn,
    ValuationList,
    ValuationOut,
)
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, labels
from dataip.registry.fields import CHANGEABLE
from dataip.registry.models import (
    Application,
    ChangeRequest,
    Licence,
    ServiceRevenue,
    Trade,
    Valuation,
)
from dataip.registry.queries import rights
from dataip.registry.services import changes, licensing, lifecycle, pledges

router = Router(tags=["rights"], auth=rights_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
Number = RegistrationNumber
LicenceId = PathEx[int, P(ge=1, le=MAX_ID, description="The licence's id")]
SERVICE_NAMES = {api_name(name): name for name in CHANGEABLE}
T = TypeVar("T")


def _held(request: HttpRequest, number: str) -> tuple[Caller, Application]:
    who = caller(request)
    return who, rights.held_registration(who.actor, number=number)


def _renamed(refused: ValidationFailed, names: Mapping[str, str]) -> ValidationFailed:
    """Name refused fields as the API spells them where the service names them otherwise."""
    return ValidationFailed({names.get(k, k): v for k, v in refused.errors.items()})


def _page(
    request: HttpRequest,
    items: list[T],
    cursor: str | None,
    limit: int,
    out: Callable[[T], Any],
    *,
    descending: bool = False,
) -> dict[str, Any]:
    page = pagination.by_key(
        items,
        lambda i: (int(getattr(i, "pk", 0)),),
        cursor,
        limit,
        (int,),
        descending=descending,
    )
    return {
        "items": [out(i) for i in page.items],
        "next": pagination.next_link(request, page.next_cursor),
        "nextCursor": page.next_cursor,
    }


# ── answers ────────────────────────────────────────────────────────────────────────────


def _licence(licence: Licence) -> LicenceOut:
    today = clock.local_date(clock.now())
    return LicenceOut(
        id=licence.pk,
        registrationNumber=licence.application.registration_number or "",
        licensee=LicenseeOut(
            holderId=licence.licensee_id,
            name=licence.licensee_display,
            identifier=(
                licence.licensee.identifier if licence.licensee else licence.licensee_identifier
            ),
        ),
        kind=licence.kind,
        kindLabel=labels.licence(licence.kind),
        scope=licence.scope,
        territory=list(licence.regions) or "nationwide",
        territoryLabel=labels.territory(licence.regions, licence.territory),
        territoryText=licence.territory,
        starts=licence.starts,
        ends=licence.ends,
        fee=str(licence.amount),
        currency=licence.currency,
        endedOn=licence.ended_on,
        endReason=licence.end_reason,
        inForce=rights.in_force(licence, today),
        recordedAt=licence.recorded_at,
    )


def _trade(trade: Trade) -> TradeOut:
    return TradeOut(
        id=trade.pk,
        exchange=trade.exchange,
        contractReference=trade.contract_reference,
        tradedOn=trade.traded_on,
        amount=str(trade.amount),
        currency=trade.currency,
        recordedAt=trade.recorded_at,
        status=trade.status,
        statusLabel=labels.trade_status(trade.status),
    )


def _revenue(revenue: ServiceRevenue) -> RevenueOut:
    return RevenueOut(
        id=revenue.pk,
        periodStart=revenue.period_start,
        periodEnd=revenue.period_end,
        amount=str(revenue.amount),
        currency=revenue.currency,
        description=revenue.description,
        recordedAt=revenue.recorded_at,
    )


def _valuation(valuation: Valuation) -> ValuationOut:
    return ValuationOut(
        id=valuation.pk,
        method=valuation.method,
        methodLabel=labels.valuation_method(valuation.method),
        evaluator=valuation.evaluator,
        valuedOn=valuation.valued_on,
        value=str(valuation.amount),
        currency=valuation.currency,
        inputs=valuation.inputs,
        pledgeId=valuation.pledge_id,
        tradeId=valuation.trade_id,
        recordedAt=valuation.recorded_at,
    )


def _change(change: ChangeRequest) -> ChangeOut:
    return ChangeOut(
        id=change.pk,
        status=change.status,
        statusLabel=labels.record_status(change.status),
        changes={api_name(name): diff for name, diff in change.changes.items()},
        requestedAt=change.requested_at,
        decidedAt=change.decided_at,
        reason=change.reason,
    )


def _state(application: Application) -> RegistrationState:
    return RegistrationState(
        registrationNumber=application.registration_number or "",
        status=application.status,
        statusLabel=labels.status(application.status),
        validUntil=application.valid_until,
        certificateVersion=application.certificate_version,
    )


# ── licences ───────────────────────────────────────────────────────────────────────────


@router.get(
    "/registrations/{number}/licences",
    response={200: LicenceList, **ERRORS},
    summary="Licences of a registration you hold",
)
def list_licences(
    request: HttpRequest,
    number: Number,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Every licence recorded on the registration, in force or ended, the oldest first."""
    _, application = _held(request, number)
    return _page(request, rights.records_of(application).licences, cursor, limit, _licence)


@router.post(
    "/registrations/{number}/licences",
    response={201: LicenceOut, **ERRORS},
    summary="Record a licence",
)
def grant_licence(
    request: HttpRequest, number: Number, body: BodyEx[LicenceIn, P()]
) -> Answer[LicenceOut]:
    """Record a licence (许可备案) to a registered holder named by its credit code or ID
    number, or to a party outside the registry (its credit code or resident ID number and its
    ``licenseeName``): exclusive, sole or ordinary; an exclusive or sole licence may not
    overlap another licence in force, and needs the pledgee's consent while a pledge stands.
    A holder of the right cannot be its licensee."""
    who, application = _held(request, number)
    try:
        made = licensing.grant_licence(
            application.pk,
            actor=who.actor,
            licensee_identifier=body.licensee,
            licensee_name=body.licenseeName,
            kind=body.kind.value,
            scope=body.scope,
            territory=body.territory,
            starts=body.starts,
            ends=body.ends,
            fee=body.fee,
            currency=body.currency,
        )
    except ValidationFailed as refused:
        raise _renamed(refused, {"licensee_name": "licenseeName"}) from None
    return Answer(201, _licence(rights.held_licence(who.actor, made.pk)))


@router.post(
    "/licences/{licence_id}/end", response={200: LicenceOut, **ERRORS}, summary="End a licence"
)
def end_licence(
    request: HttpRequest, licence_id: LicenceId, body: BodyEx[EndLicenceIn, P()]
) -> LicenceOut:
    """End a licence of a registration you hold early (terminated or surrendered), with the
    reason and the date (today if not given). It cannot be undone."""
    who = caller(request)
    found = rights.held_licence(who.actor, licence_id)
    licensing.end_licence(found.pk, actor=who.actor, reason=body.reason, on=body.on)
    return _licence(rights.held_licence(who.actor, licence_id))


@router.get("/licences", response={200: LicenceList, **ERRORS}, summary="Licences granted to you")
def licences_granted(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The licences granted to your organisation as licensee (被许可方), the newest first."""
    found = rights.licences_granted_to(caller(request).actor.holder_ids)
    return _page(request, found, cursor, limit, _licence, descending=True)


# ── trades and service revenue ─────────────────────────────────────────────────────────


@router.get("/registrations/{number}/trades", response={200: TradeList, **ERRORS}, summary="Trades")
def list_trades(
    request: HttpRequest,
    number: Number,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The trades reported for the registration, the oldest first."""
    _, application = _held(request, number)
    return _page(request, rights.records_of(application).trades, cursor, limit, _trade)


@router.post(
    "/registrations/{number}/trades", response={201: TradeOut, **ERRORS}, summary="Report a trade"
)
def record_trade(
    request: HttpRequest, number: Number, body: BodyEx[TradeIn, P()]
) -> Answer[TradeOut]:
    """Report a trade of the product on a data exchange (场内交易): the exchange, the contract
    reference, the date and the amount (more than zero)."""
    who, application = _held(request, number)
    made = licensing.record_trade(
        application.pk,
        actor=who.actor,
        exchange=body.exchange,
        contract_reference=body.contractReference,
        traded_on=body.tradedOn,
        amount=body.amount,
        currency=body.currency,
    )
    made.refresh_from_db()  # amounts as stored (two decimals)
    return Answer(201, _trade(made))


@router.get(
    "/registrations/{number}/revenue",
    response={200: RevenueList, **ERRORS},
    summary="Service revenue",
)
def list_revenue(
    request: HttpRequest,
    number: Number,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The service revenue recorded for the registration, the oldest first."""
    _, application = _held(request, number)
    return _page(request, rights.records_of(application).revenues, cursor, limit, _revenue)


@router.post(
    "/registrations/{number}/revenue",
    response={201: RevenueOut, **ERRORS},
    summary="Record service revenue",
)
def record_revenue(
    request: HttpRequest, number: Number, body: BodyEx[RevenueIn, P()]
) -> Answer[RevenueOut]:
    """Record revenue earned by data services on the product in a period."""
    who, application = _held(request, number)
    made = licensing.record_revenue(
        application.pk,
        actor=who.actor,
        period_start=body.periodStart,
        period_end=body.periodEnd,
        amount=body.amount,
        currency=body.currency,
        description=body.description,
    )
    made.refresh_from_db()  # amounts as stored (two decimals)
    return Answer(201, _revenue(made))


@router.get(
    "/registrations/{number}/income",
    response={200: IncomeSplit, **ERRORS},
    summary="Income split between the holders",
)
def income(request: HttpRequest, number: Number) -> IncomeSplit:
    """How licence fees, trade amounts and service revenue split between the joint holders by
    their shares (rounded to the fen), one row per holder and currency."""
    _, application = _held(request, number)
    return IncomeSplit(
        registrationNumber=application.registration_number or "",
        holders=[
            HolderIncome(
                holder=s.holder,
                share=str(s.share),
                licenceFees=str(s.licence_fees),
                trades=str(s.trades),
                revenue=str(s.revenue),
                total=str(s.total),
                currency=s.currency,
            )
            for s in rights.income_statement(application)
        ],
    )


# ── changes, renewal, cancellation, valuations ─────────────────────────────────────────


@router.get(
    "/registrations/{number}/changes",
    response={200: ChangeList, **ERRORS},
    summary="Change requests",
)
def list_changes(
    request: HttpRequest,
    number: Number,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The change requests of the registration and where each stands, the oldest first."""
    _, application = _held(request, number)
    return _page(request, rights.records_of(application).changes, cursor, limit, _change)


@router.post(
    "/registrations/{number}/changes",
    response={201: ChangeOut, **ERRORS},
    summary="Request a change of particulars",
)
def request_change(
    request: HttpRequest, number: Number, body: BodyEx[ChangeIn, P()]
) -> Answer[ChangeOut]:
    """Ask to change registered particulars (变更登记): only the fields sent. Applied at once
    (and the certificate re-issued), or examined first where the regime says so."""
    who, application = _held(request, number)
    sent = body.model_dump(exclude_unset=True)
    values = {SERVICE_NAMES[name]: value for name, value in sent.items() if name in SERVICE_NAMES}
    try:
        made = changes.request_change(application.pk, actor=who.actor, values=values)
    except ValidationFailed as refused:
        raise _renamed(refused, {n: api_name(n) for n in CHANGEABLE}) from None
    made.refresh_from_db()
    return Answer(201, _change(made))


@router.post(
    "/registrations/{number}/renewal",
    response={200: RegistrationState, **ERRORS},
    summary="Renew",
)
def renew(request: HttpRequest, number: Number) -> RegistrationState:
    """Renew the registration (续展) inside the regime's window before validity ends; the
    validity extends by the regime's term and a new certificate version is issued."""
    who, application = _held(request, number)
    return _state(lifecycle.renew(application.pk, actor=who.actor))


@router.post(
    "/registrations/{number}/cancellation",
    response={200: RegistrationState, **ERRORS},
    summary="Cancel the registration",
)
def cancel(request: HttpRequest, number: Number, body: BodyEx[CancelIn, P()]) -> RegistrationState:
    """Cancel the registration voluntarily (注销), with the reason; while a pledge stands the
    pledgee must have consented. It cannot be undone."""
    who, application = _held(request, number)
    return _state(lifecycle.cancel(application.pk, actor=who.actor, reason=body.reason))


@router.get(
    "/registrations/{number}/valuations",
    response={200: ValuationList, **ERRORS},
    summary="Valuations",
)
def list_valuations(
    request: HttpRequest,
    number: Number,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The valuations recorded for the registration, the oldest first."""
    _, application = _held(request, number)
    return _page(request, rights.records_of(application).valuations, cursor, limit, _valuation)


@router.post(
    "/registrations/{number}/valuations",
    response={201: ValuationOut, **ERRORS},
    summary="Attach a valuation",
)
def record_valuation(
    request: HttpRequest, number: Number, body: BodyEx[ValuationIn, P()]
) -> Answer[ValuationOut]:
    """Attach a valuation (价值评估) by the cost, income, market or composite approach, with
    its inputs and valuer, optionally backing one of the registration's pledges or trades."""
    who, application = _held(request, number)
    try:
        made = pledges.record_valuation(
            application.pk,
            actor=who.actor,
            method=body.method.value,
            evaluator=body.evaluator,
            valued_on=body.valuedOn,
            value=body.value,
            currency=body.currency,
            inputs=body.inputs,
            pledge_id=body.pledgeId,
            trade_id=body.tradeId,
        )
    except ValidationFailed as refused:
        raise _renamed(refused, {"pledge": "pledgeId", "trade": "tradeId"}) from None
    made.refresh_from_db()  # amounts as stored (two decimals)
    return Answer(201, _valuation(made))


# ── the registry's decision on a registration you hold (撤销决定) ───────────────────────────


def decision_files(
    request: HttpRequest, application: Application, route: str
) -> list[DecisionFileOut]:
    """The decision's documents, each with its download address under ``route``."""
    number = application.registration_number or ""
    return [
        DecisionFileOut(
            id=d.pk,
            name=d.original_name,
            sha256=d.sha256,
            size=d.size,
            url=request.build_absolute_uri(f"/api/v1/{route}/{number}/decision-files/{d.pk}"),
        )
        for d in rights.decision_documents_of(application)
    ]


@router.get(
    "/registrations/{number}/decision",
    response={200: DecisionOut, **ERRORS},
    summary="The decision that revoked a registration",
)
def decision(request: HttpRequest, number: Number) -> DecisionOut:
    """The registry's decision that revoked a registration you hold: its reference, reasons,
    date and document (404 while no decision was taken)."""
    _, application = _held(request, number)
    if not application.decision_reference:
        raise NotFound(gettext_noop("No decision was taken on this registration."))
    return DecisionOut(
        registrationNumber=application.registration_number or "",
        status=application.status,
        statusLabel=labels.status(application.status),
        decisionReference=application.decision_reference,
        reason=application.decision_reason,
        decidedAt=application.decided_at,
        files=decision_files(request, application, "registrations"),
    )


@router.get(
    "/registrations/{number}/decision-files/{file_id}",
    response={200: None, **ERRORS},
    summary="A decision's document",
)
def decision_file(request: HttpRequest, number: Number, file_id: FileId) -> Any:
    """The document of the decision that revoked a registration you hold."""
    who, application = _held(request, number)
    return download(rights.decision_document_for(who.actor, application.pk, file_id))
