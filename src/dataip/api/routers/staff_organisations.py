"""The registrar verifies organisations (主体认证) through the API, with a staff token: the
queue of organisations pending verification and of identity claim disputes, each case with its
documents; approve, or refuse with the reason. The same services and read side as the pages
under ``/examine/organisations``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from ninja import P, Router
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import staff_caller, staff_token_auth
from dataip.api.routers.identity import document_out
from dataip.api.schemas.common import MAX_ID, FileId, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.organisations import (
    OrganisationCaseList,
    OrganisationCaseOut,
    RefusalIn,
)
from dataip.registry import labels
from dataip.registry.queries import identity as found
from dataip.registry.queries.identity import CaseKind
from dataip.registry.services import identity
from dataip.registry.workflow import Role

router = Router(tags=["staff"], auth=staff_token_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem, 409: Problem}
Kind = PathEx[CaseKind, P(description="organisation (to verify) or dispute (a claimed code)")]
CaseId = PathEx[int, P(ge=1, le=MAX_ID, description="The case's id")]


def _case(request: HttpRequest, case: found.Case) -> OrganisationCaseOut:
    base = f"/api/v1/staff/organisations/{case.kind.value}/{case.id}"
    return OrganisationCaseOut(
        kind=case.kind,
        id=case.id,
        state=case.state,
        stateLabel=labels.verification(case.state),
        name=case.name,
        nameEn=case.name_en,
        identifier=case.identifier,
        holderKind=case.holder_kind,
        orgType=case.org_type,
        orgTypeLabel=labels.org_type(case.org_type),
        provinceCode=case.province_code,
        contactEmail=case.contact_email,
        since=case.since,
        refusalReason=gettext(case.refusal_reason) if case.refusal_reason else "",
        people=list(case.people),
        registeredName=case.registered_name,
        registeredMembers=list(case.registered_members),
        verifierVerdict=case.verifier_verdict,
        verifierReason=gettext(case.verifier_reason) if case.verifier_reason else "",
        documents=[document_out(request, d, base) for d in case.documents],
    )


def _key(case: found.Case) -> tuple[Any, ...]:
    return (case.since.isoformat(), case.kind.value, case.id)


@router.get(
    "/staff/organisations",
    response={200: OrganisationCaseList, **ERRORS},
    summary="Organisations to verify",
)
def queue(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> OrganisationCaseList:
    """Organisations pending identity verification and identity claim disputes (a sign-up
    with a code registered already), the oldest first, each with its documents (registrars)."""
    who = staff_caller(request, Role.REGISTRAR)
    cases = found.pending_cases(who.actor)
    page = pagination.by_key(cases, _key, cursor, limit, (str, str, int))
    return OrganisationCaseList(
        items=[_case(request, c) for c in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.get(
    "/staff/organisations/{kind}/{case_id}",
    response={200: OrganisationCaseOut, **ACTING},
    summary="An organisation to verify, or a dispute",
)
def case(request: HttpRequest, kind: Kind, case_id: CaseId) -> OrganisationCaseOut:
    """One case, whatever its state, with its documents (registrars)."""
    who = staff_caller(request, Role.REGISTRAR)
    return _case(request, found.case_for(who.actor, kind.value, case_id))


@router.get(
    "/staff/organisations/{kind}/{case_id}/documents/{file_id}",
    response={200: None, **ACTING},
    summary="An identity document",
)
def document(request: HttpRequest, kind: Kind, case_id: CaseId, file_id: FileId) -> HttpResponse:
    """A business licence or authorisation of a case, as a download (registrars)."""
    who = staff_caller(request, Role.REGISTRAR)
    item = found.document_for(who.actor, kind.value, case_id, file_id)
    with item.file.open("rb") as stored:  # read whole: closed before the answer leaves
        data = stored.read()
    response = HttpResponse(data, content_type=item.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/staff/organisations/{kind}/{case_id}/approve",
    response={200: OrganisationCaseOut, **ACTING},
    summary="Approve an organisation or a dispute",
)
def approve(request: HttpRequest, kind: Kind, case_id: CaseId) -> OrganisationCaseOut:
    """The registrar verifies a pending organisation (it may submit from now), or grants a
    dispute (the claimant joins the organisation registered under the code). Final."""
    who = staff_caller(request, Role.REGISTRAR)
    identity.decide(kind.value, case_id, actor=who.actor, approve=True)
    return _case(request, found.case_for(who.actor, kind.value, case_id))


@router.post(
    "/staff/organisations/{kind}/{case_id}/refuse",
    response={200: OrganisationCaseOut, **ACTING},
    summary="Refuse an organisation or a dispute",
)
def refuse(
    request: HttpRequest, kind: Kind, case_id: CaseId, body: BodyEx[RefusalIn, P()]
) -> OrganisationCaseOut:
    """The registrar refuses, with the reason the applicant sees. A refused organisation may
    upload its documents again."""
    who = staff_caller(request, Role.REGISTRAR)
    identity.decide(kind.value, case_id, actor=who.actor, approve=False, reason=body.reason)
    return _case(request, found.case_for(who.actor, kind.value, case_id))
