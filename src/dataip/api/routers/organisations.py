"""The identity of organisations (主体认证) in the API: an organisation's own verification
(its API token), and the registrar's queue of organisations and disputes with their documents,
approve and refuse (a staff token). The same services and read side as ``/account/verification``
and the pages under ``/examine/organisations``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from ninja import P, Router
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import caller, staff_caller, staff_token_auth, token_auth
from dataip.api.schemas.common import MAX_ID, FileId, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.organisations import (
    IdentityDocumentOut,
    OrganisationCaseList,
    OrganisationCaseOut,
    RefusalIn,
    VerificationOut,
)
from dataip.registry import labels
from dataip.registry.models import Holder
from dataip.registry.queries import identity as found
from dataip.registry.queries.identity import CaseKind
from dataip.registry.services import identity
from dataip.registry.workflow import Role

router = Router(tags=["organisations"])
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem, 409: Problem}
Kind = PathEx[CaseKind, P(description="organisation (to verify) or dispute (a claimed code)")]
CaseId = PathEx[int, P(ge=1, le=MAX_ID, description="The case's id")]


def _document(request: HttpRequest, item: found.Document, base: str = "") -> IdentityDocumentOut:
    return IdentityDocumentOut(
        id=item.id,
        kind=item.kind,
        kindLabel=labels.identity_document(item.kind),
        name=item.name,
        contentType=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploadedAt=item.uploaded_at,
        current=item.current,
        url=request.build_absolute_uri(f"{base}/documents/{item.id}") if base else None,
    )


@router.get(
    "/organisation/verification",
    auth=token_auth,
    response={200: VerificationOut, **ERRORS},
    summary="Your organisation's verification",
)
def my_verification(request: HttpRequest) -> VerificationOut:
    """Where the identity verification of your organisation stands (主体认证): ``pending``
    organisations may draft applications but not submit them; ``refused`` ones see the reason
    and upload their documents again on the portal."""
    holder = Holder.objects.get(pk=caller(request).holder_id)
    state = found.holder_verification(holder)
    return VerificationOut(
        state=state.state,
        stateLabel=labels.verification(state.state),
        name=state.name,
        identifier=state.identifier,
        orgType=state.org_type,
        orgTypeLabel=labels.org_type(state.org_type),
        refusalReason=state.refusal_reason,
        mayUpload=state.may_upload,
        missingDocuments=list(state.missing),
        documents=[_document(request, d) for d in state.documents],
    )


# ── the registrar (a staff token) ─────────────────────────────────────────────────────


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
        documents=[_document(request, d, base) for d in case.documents],
    )


def _key(case: found.Case) -> tuple[Any, ...]:
    return (case.since.isoformat(), case.kind.value, case.id)


@router.get(
    "/staff/organisations",
    auth=staff_token_auth,
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
    auth=staff_token_auth,
    response={200: OrganisationCaseOut, **ACTING},
    summary="An organisation to verify, or a dispute",
)
def case(request: HttpRequest, kind: Kind, case_id: CaseId) -> OrganisationCaseOut:
    """One case, whatever its state, with its documents (registrars)."""
    who = staff_caller(request, Role.REGISTRAR)
    return _case(request, found.case_for(who.actor, kind.value, case_id))


@router.get(
    "/staff/organisations/{kind}/{case_id}/documents/{file_id}",
    auth=staff_token_auth,
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
    auth=staff_token_auth,
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
    auth=staff_token_auth,
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
