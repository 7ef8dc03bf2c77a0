"""The deposit API (存证接口), with an API token of the holder's organisation.

* ``POST /deposits`` — upload a manifest made by ``dataip fingerprint`` (multipart field
  ``manifest``, or the JSON itself as the body with ``Content-Type: application/json``);
  answers 201 with the deposit receipt (``dataip.deposit-receipt/v1``). Never the data.
* ``GET /deposits`` — your organisation's deposits, the newest first (cursor pages).
* ``GET /deposits/{id}``, ``/receipt`` (JSON), ``/receipt.pdf`` (printable).
* ``POST /deposits/{id}/citations`` ``{"applicationId": …}`` — cite the deposit in one of your
  applications while it may be edited; ``DELETE /deposits/{id}/citations/{applicationId}``.

A deposit of another organisation is 404. Refused manifests are 422 problems naming the
``manifest`` field and the reason, in the request's language.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import P, QueryEx, Router, Schema
from ninja import Status as Answer
from ninja.params import PathEx

from dataip.api import pagination
from dataip.api.auth import Caller, apply_auth, caller
from dataip.api.schemas.common import MAX_ID, Page, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.deposits import queries, receipt, services
from dataip.deposits.models import Deposit
from dataip.errors import FieldErrors, Message, ValidationFailed, gettext_noop

__all__ = ["router"]

router = Router(tags=["deposits"], auth=apply_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
DepositId = PathEx[int, P(ge=1, le=MAX_ID, description="The deposit's id")]
Limit = QueryEx[int, P(ge=1, le=pagination.MAX_LIMIT)]
Cursor = QueryEx[str | None, P(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")]
_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["manifest"],
                    "properties": {"manifest": {"type": "string", "format": "binary"}},
                }
            },
            "application/json": {
                "schema": {"type": "object", "description": "The manifest (dip.manifest/v1)"}
            },
        },
    }
}


class DepositOut(Schema):
    """A deposit of your organisation."""

    id: int
    number: str
    depositedAt: datetime
    timestampedAt: datetime
    root: str
    files: int
    bytes: int
    formats: dict[str, int]
    hiddenNames: bool
    minhash: bool
    ledgerIndex: int
    receipt: str
    receiptPdf: str


class DepositList(Page):
    """A page of your deposits."""

    items: list[DepositOut]


class Receipt(Schema):
    """A deposit receipt (``dataip.deposit-receipt/v1``); check it with ``dataip
    verify-deposit`` or ``openssl ts -verify``."""

    format: str
    deposit: dict[str, Any]
    statement: str
    statement_sha256: str
    holder_commitment: str
    timestamp: dict[str, Any]
    ledger: dict[str, Any]


class CitationIn(Schema):
    """The application that cites the deposit."""

    applicationId: int


class CitationOut(Schema):
    """A deposit cited by an application."""

    applicationId: int
    depositId: int
    citedAt: datetime


def _out(request: HttpRequest, deposit: Deposit) -> DepositOut:
    base = f"/api/v1/deposits/{deposit.pk}"
    return DepositOut(
        id=deposit.pk,
        number=deposit.number,
        depositedAt=deposit.created_at,
        timestampedAt=deposit.timestamped_at,
        root=deposit.root,
        files=deposit.file_count,
        bytes=deposit.byte_count,
        formats=deposit.formats,
        hiddenNames=deposit.hidden_names,
        minhash=deposit.minhash is not None,
        ledgerIndex=deposit.leaf_index,
        receipt=request.build_absolute_uri(f"{base}/receipt"),
        receiptPdf=request.build_absolute_uri(f"{base}/receipt.pdf"),
    )


def _receipt(deposit: Deposit, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        receipt.receipt_document(deposit), status=status, json_dumps_params={"indent": 1}
    )
    response["Content-Disposition"] = f'inline; filename="{receipt.receipt_name(deposit, "json")}"'
    return response


def _own(request: HttpRequest, deposit_id: int) -> tuple[Caller, Deposit]:
    who = caller(request)
    return who, queries.own_deposit(who.actor, deposit_id)


@router.post(
    "",
    response={201: Receipt, 413: Problem, 503: Problem, **ERRORS},
    summary="Deposit a manifest",
    openapi_extra=_UPLOAD_DOC,
)
def deposit(request: HttpRequest) -> HttpResponse:
    """Deposit a manifest (multipart ``manifest``, or the JSON body). The registry checks it,
    timestamps the deposit statement (RFC 3161) and logs it; the answer is the receipt."""
    who = caller(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = services.max_manifest_bytes()
    if length > limit + 64 * 1024:  # refuse before reading the body
        FieldErrors.raise_one(
            "manifest",
            gettext_noop("The file is larger than %(mib)s MiB."),
            mib=max(1, limit // 2**20),
        )
    if not (request.content_type or "").lower().startswith("multipart/"):
        content: Any = io.BytesIO(request.read(limit + 1))  # the manifest is the body
        size = None
    else:
        upload = request.FILES.get("manifest")
        if upload is None:
            raise ValidationFailed(
                {"manifest": [Message(gettext_noop("Choose the manifest file to upload."))]}
            )
        content, size = upload, upload.size
    made = services.create_deposit(actor=who.actor, user=who.filer(), content=content, size=size)
    return _receipt(made, status=201)


@router.get("", response={200: DepositList, **ERRORS}, summary="Your deposits")
def list_deposits(
    request: HttpRequest, cursor: Cursor = None, limit: Limit = pagination.DEFAULT_LIMIT
) -> DepositList:
    """Your organisation's deposits, the newest first."""
    who = caller(request)
    page = pagination.by_id(queries.deposits_of(who.holder_id), cursor, limit)
    return DepositList(
        items=[_out(request, d) for d in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.get("/{deposit_id}", response={200: DepositOut, **ERRORS}, summary="One deposit")
def get_deposit(request: HttpRequest, deposit_id: DepositId) -> DepositOut:
    """One of your organisation's deposits."""
    _, found = _own(request, deposit_id)
    return _out(request, found)


@router.get(
    "/{deposit_id}/receipt", response={200: Receipt, **ERRORS}, summary="The receipt (JSON)"
)
def get_receipt(request: HttpRequest, deposit_id: DepositId) -> HttpResponse:
    """The deposit receipt: statement, time-stamp token, ledger entry and evidence bundle."""
    _, found = _own(request, deposit_id)
    return _receipt(found)


@router.get(
    "/{deposit_id}/receipt.pdf",
    response={200: None, **ERRORS},
    summary="The printable receipt (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "One A4 page, Chinese and English",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_receipt_pdf(request: HttpRequest, deposit_id: DepositId) -> HttpResponse:
    """The printable receipt: the facts and how to verify them."""
    _, found = _own(request, deposit_id)
    response = HttpResponse(receipt.receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt.receipt_name(found, "pdf")}"'
    return response


@router.post(
    "/{deposit_id}/citations",
    response={201: CitationOut, **ERRORS},
    summary="Cite the deposit in an application",
)
def cite(request: HttpRequest, deposit_id: DepositId, body: CitationIn) -> Answer[CitationOut]:
    """Cite the deposit in one of your applications (draft, or correction requested)."""
    who, found = _own(request, deposit_id)
    if not 1 <= body.applicationId <= MAX_ID:
        FieldErrors.raise_one("applicationId", gettext_noop("No such application."))
    citation = services.cite_deposit(body.applicationId, found.pk, actor=who.actor)
    return Answer(
        201,
        CitationOut(
            applicationId=citation.application_id,
            depositId=citation.deposit_id,
            citedAt=citation.cited_at,
        ),
    )


@router.delete(
    "/{deposit_id}/citations/{application_id}",
    response={204: None, **ERRORS},
    summary="Stop citing the deposit",
)
def uncite(
    request: HttpRequest,
    deposit_id: DepositId,
    application_id: PathEx[int, P(ge=1, le=MAX_ID)],
) -> Answer[None]:
    """Remove the deposit from an application that may still be edited."""
    who, found = _own(request, deposit_id)
    services.uncite_deposit(application_id, found.pk, actor=who.actor)
    return Answer(204, None)
