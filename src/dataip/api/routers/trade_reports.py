"""The trade-report API (交易所交易报送). A verified data exchange's token (scope ``trades``)
reports a trade of a registered product by its registration number, lists and reads its own
reports and withdraws one (to correct it, it reports the contract again); a holder's token
(scope ``rights``) lists the reports on a registration it holds and disputes one. The same
services as the pages (``registry.services.trade_reports``); the workflow decides who may
act: only a member of a verified exchange reports (``Role.EXCHANGE``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import caller, rights_auth, trades_auth
from dataip.api.schemas.common import MAX_ID, RegistrationNumber, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.trade_reports import (
    ReportedTransferOut,
    TradePartyOut,
    TradeReportIn,
    TradeReportList,
    TradeReportOut,
    TradeReportReasonIn,
)
from dataip.errors import ValidationFailed
from dataip.registry import labels
from dataip.registry.models import Holder, Trade
from dataip.registry.queries import rights, trade_reports
from dataip.registry.services import trade_reports as reporting

router = Router(tags=["trade reports"])
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
ReportId = PathEx[int, P(ge=1, le=MAX_ID, description="The trade report's id")]
NAMES = {
    "registration_number": "registrationNumber",
    "contract_reference": "contractReference",
    "traded_on": "tradedOn",
    "buyer_name": "buyerName",
    "buyer_identifier": "buyerIdentifier",
    "licence_kind": "licenceKind",
}


def _renamed(refused: ValidationFailed) -> ValidationFailed:
    return ValidationFailed({NAMES.get(k, k): v for k, v in refused.errors.items()})


def out(trade: Trade) -> TradeReportOut:
    """A trade report as the API shows it (to its exchange and to the holders)."""
    names = dict(Holder.objects.filter(pk__in=trade.sellers).values_list("pk", "name"))
    idents = dict(Holder.objects.filter(pk__in=trade.sellers).values_list("pk", "identifier"))
    buyer = trade.buyer
    transfer = trade.transfer
    return TradeReportOut(
        id=trade.pk,
        registrationNumber=trade.application.registration_number or "",
        exchange=trade.exchange,
        contractReference=trade.contract_reference,
        tradedOn=trade.traded_on,
        amount=f"{trade.amount:.2f}",
        currency=trade.currency,
        kind=trade.kind,
        kindLabel=labels.trade_kind(trade.kind),
        status=trade.status,
        statusLabel=labels.trade_status(trade.status),
        sellers=[
            TradePartyOut(holderId=h, name=names.get(h, ""), identifier=idents.get(h, ""))
            for h in trade.sellers
        ],
        buyer=TradePartyOut(
            holderId=buyer.pk if buyer else None,
            name=trade.buyer_display,
            identifier=buyer.identifier if buyer else trade.buyer_identifier,
        ),
        licenceKind=trade.licence_kind or None,
        starts=trade.starts,
        ends=trade.ends,
        transfer=(
            ReportedTransferOut(
                id=transfer.pk,
                status=transfer.status,
                statusLabel=labels.record_status(transfer.status),
            )
            if transfer
            else None
        ),
        reportedAt=trade.recorded_at,
        disputedAt=trade.disputed_at,
        disputeReason=trade.dispute_reason,
        withdrawnAt=trade.withdrawn_at,
    )


def _page(
    request: HttpRequest, items: list[Trade], cursor: str | None, limit: int, descending: bool
) -> dict[str, Any]:
    page = pagination.by_key(
        items, lambda t: (int(t.pk),), cursor, limit, (int,), descending=descending
    )
    return {
        "items": [out(t) for t in page.items],
        "next": pagination.next_link(request, page.next_cursor),
        "nextCursor": page.next_cursor,
    }


# ── the exchange's side (scope trades) ────────────────────────────────────────────────


@router.post(
    "/trade-reports",
    auth=trades_auth,
    response={201: TradeReportOut, **ERRORS},
    summary="Report a trade",
)
def report_trade(request: HttpRequest, body: BodyEx[TradeReportIn, P()]) -> Answer[TradeReportOut]:
    """Report a trade of a registered product on the caller's exchange (交易报送). One report
    per contract reference; a transfer needs a buyer registered with the registry and proposes
    the transfer, which every holder and the buyer confirm."""
    who = caller(request)
    try:
        made = reporting.report_trade(
            body.registrationNumber,
            actor=who.actor,
            contract_reference=body.contractReference,
            traded_on=body.tradedOn,
            amount=body.amount,
            currency=body.currency,
            kind=body.kind,
            buyer_name=body.buyerName,
            buyer_identifier=body.buyerIdentifier,
            licence_kind=body.licenceKind or "",
            starts=body.starts,
            ends=body.ends,
        )
    except ValidationFailed as refused:
        raise _renamed(refused) from None
    return Answer(201, out(trade_reports.report_of_exchange(who.actor, made.pk)))


@router.get(
    "/trade-reports",
    auth=trades_auth,
    response={200: TradeReportList, **ERRORS},
    summary="The exchange's trade reports",
)
def list_reports(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The trades the caller's exchange reported, the newest first, each with its state."""
    found = trade_reports.reports_by_exchange(caller(request).actor)
    return _page(request, found, cursor, limit, descending=True)


@router.get(
    "/trade-reports/{report_id}",
    auth=trades_auth,
    response={200: TradeReportOut, **ERRORS},
    summary="A trade report",
)
def get_report(request: HttpRequest, report_id: ReportId) -> TradeReportOut:
    """One of the caller's exchange's reports (another exchange's is 404)."""
    return out(trade_reports.report_of_exchange(caller(request).actor, report_id))


@router.post(
    "/trade-reports/{report_id}/withdraw",
    auth=trades_auth,
    response={200: TradeReportOut, **ERRORS},
    summary="Withdraw a trade report",
)
def withdraw_report(
    request: HttpRequest, report_id: ReportId, body: BodyEx[TradeReportReasonIn, P()]
) -> TradeReportOut:
    """Withdraw a report (to correct it, report the contract again); a transfer it proposed
    that still waits for confirmation is cancelled."""
    who = caller(request)
    reporting.withdraw_trade_report(report_id, actor=who.actor, reason=body.reason)
    return out(trade_reports.report_of_exchange(who.actor, report_id))


# ── the holder's side (scope rights) ──────────────────────────────────────────────────


@router.get(
    "/registrations/{number}/trade-reports",
    auth=rights_auth,
    response={200: TradeReportList, **ERRORS},
    summary="Trades reported on a registration",
)
def reports_on_registration(
    request: HttpRequest,
    number: RegistrationNumber,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The trades exchanges reported on a registration the caller's organisation holds, the
    oldest first, disputed and withdrawn ones marked."""
    application = rights.held_registration(caller(request).actor, number=number)
    found = trade_reports.reports_on(application.pk)
    return _page(request, found, cursor, limit, descending=False)


@router.post(
    "/registrations/{number}/trade-reports/{report_id}/dispute",
    auth=rights_auth,
    response={200: TradeReportOut, **ERRORS},
    summary="Dispute a trade report",
)
def dispute_report(
    request: HttpRequest,
    number: RegistrationNumber,
    report_id: ReportId,
    body: BodyEx[TradeReportReasonIn, P()],
) -> TradeReportOut:
    """Dispute a trade an exchange reported on a registration the caller's organisation holds,
    with the reason (required); the exchange is told and may withdraw and report it again."""
    who = caller(request)
    application = rights.held_registration(who.actor, number=number)
    report = trade_reports.report_for_holder(who.actor, report_id)
    if report.application_id != application.pk:
        report = trade_reports.report_for_holder(who.actor, 0)  # NotFound
    reporting.dispute_trade(report_id, actor=who.actor, reason=body.reason)
    return out(trade_reports.report_for_holder(who.actor, report_id))
