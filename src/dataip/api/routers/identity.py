"""The identity of organisations (主体认证) in the API: an organisation's own verification, with
its API token (the registrar's side: :mod:`dataip.api.routers.staff_organisations`). The same
read side as ``/account/verification``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from dataip.api.auth import caller, read_auth
from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.organisations import (
    IdentityDocumentOut,
    OrganisationVerificationOut,
)
from dataip.registry import labels
from dataip.registry.models import Holder
from dataip.registry.queries import identity as found

router = Router(tags=["organisations"], auth=read_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}


def document_out(request: HttpRequest, item: found.Document, base: str = "") -> IdentityDocumentOut:
    """An identity document as listed; ``base``: the staff route of its case (for its link)."""
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
    response={200: OrganisationVerificationOut, **ERRORS},
    summary="Your organisation's verification",
)
def my_verification(request: HttpRequest) -> OrganisationVerificationOut:
    """Where the identity verification of your organisation stands (主体认证): ``pending``
    organisations may draft applications but not submit them; ``refused`` ones see the reason
    and upload their documents again on the portal."""
    holder = Holder.objects.get(pk=caller(request).holder_id)
    state = found.holder_verification(holder)
    return OrganisationVerificationOut(
        state=state.state,
        stateLabel=labels.verification(state.state),
        name=state.name,
        identifier=state.identifier,
        orgType=state.org_type,
        orgTypeLabel=labels.org_type(state.org_type),
        refusalReason=state.refusal_reason,
        mayUpload=state.may_upload,
        missingDocuments=list(state.missing),
        documents=[document_out(request, d) for d in state.documents],
    )
