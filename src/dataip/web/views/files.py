"""Downloads: materials, objection evidence and certificates, each behind its access check."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from dataip.registry.queries.files import get_certificate_for, get_evidence_for, get_material_for
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, login_required, staff_required
from dataip.web.views._common import download


@login_required
@require_GET
def material(request: HttpRequest, application_id: int, material_id: int) -> FileResponse:
    """A material: for the applicant's side, examiners and the experts on its panel only."""
    item = get_material_for(actor_of(request), application_id, material_id)
    return download(item.file, item.original_name, item.content_type)


@login_required
@require_GET
def certificate(request: HttpRequest, application_id: int, version: int) -> FileResponse:
    """A signed certificate PDF, for the holder's side and the registry."""
    item = get_certificate_for(actor_of(request), application_id, version)
    return download(item.pdf, f"{item.number}-v{item.version}.pdf", "application/pdf")


@staff_required(Role.EXAMINER, Role.REGISTRAR)
@require_GET
def evidence(request: HttpRequest, objection_id: int, evidence_id: int) -> FileResponse:
    """Evidence filed with an objection: examiners only."""
    item = get_evidence_for(actor_of(request), objection_id, evidence_id)
    return download(item.file, item.original_name, item.content_type)
