"""Downloads: materials, objection evidence and certificates, each behind its access check."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from dataip.errors import NotFound, gettext_noop
from dataip.registry import queries
from dataip.registry.workflow import Role
from dataip.web import reading
from dataip.web.access import actor_of, login_required, staff_required
from dataip.web.views._common import download


@login_required
@require_GET
def material(request: HttpRequest, application_id: int, material_id: int) -> FileResponse:
    """A material: for the applicant's side, examiners and the experts on its panel only."""
    actor = actor_of(request)
    application = queries.get_application_for(actor, application_id)
    if not queries.can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such material."))
    item = reading.material_of(application, material_id)
    return download(item.file, item.original_name, item.content_type)


@login_required
@require_GET
def certificate(request: HttpRequest, application_id: int, version: int) -> FileResponse:
    """A signed certificate PDF, for the holder's side and the registry."""
    actor = actor_of(request)
    application = queries.get_application_for(actor, application_id)
    if not queries.can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such certificate."))
    item = reading.certificate_of(application, version)
    return download(item.pdf, f"{item.number}-v{item.version}.pdf", "application/pdf")


@staff_required(Role.EXAMINER, Role.REGISTRAR)
@require_GET
def evidence(request: HttpRequest, objection_id: int, evidence_id: int) -> FileResponse:
    """Evidence filed with an objection: examiners only."""
    item = reading.evidence_of(objection_id, evidence_id)
    return download(item.file, item.original_name, item.content_type)
