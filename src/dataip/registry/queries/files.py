"""Files behind their access checks: materials, objection evidence, signed certificates.

A person without access gets NotFound, never a hint that the file exists.
"""

from __future__ import annotations

from typing import Any

from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import Application, Material, ObjectionEvidence
from dataip.registry.queries import can_see_confidential, get_application_for
from dataip.registry.workflow import Actor, Role


def get_material_for(actor: Actor, application_id: int, material_id: int) -> Material:
    """A material: for the applicant's side, examiners, registrars and the experts on its
    panel only."""
    application = get_application_for(actor, application_id)
    if not can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such material."))
    material = application.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound(gettext_noop("No such material."))
    return material


def get_evidence_for(actor: Actor, objection_id: int, evidence_id: int) -> ObjectionEvidence:
    """Evidence filed with an objection: for examiners and registrars only."""
    if not actor.roles & {Role.EXAMINER, Role.REGISTRAR}:
        raise NotFound(gettext_noop("No such file."))
    item = ObjectionEvidence.objects.filter(pk=evidence_id, objection_id=objection_id).first()
    if item is None:
        raise NotFound(gettext_noop("No such file."))
    return item


def certificates_of(application: Application) -> list[Any]:
    """Issued (signed) certificate versions of a registration, the newest first."""
    return list(application.certificates.exclude(pdf="").order_by("-version"))


def get_certificate_for(actor: Actor, application_id: int, version: int) -> Any:
    """One issued certificate version: for the holder's side and the registry."""
    application = get_application_for(actor, application_id)
    if not can_see_confidential(actor, application):
        raise NotFound(gettext_noop("No such certificate."))
    for certificate in certificates_of(application):
        if certificate.version == version:
            return certificate
    raise NotFound(gettext_noop("No such certificate."))
