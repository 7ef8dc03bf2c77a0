"""Small read-only queries the pages need beyond ``registry.queries`` (they never write).

Each one names what it is for; access checks stay in ``registry.queries`` (``can_see``,
``can_see_confidential``) and in the doors of :mod:`dataip.web.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import Application, Event, Holder, Material, Objection
from dataip.registry.models.objections import ObjectionEvidence
from dataip.registry.workflow import PUBLIC_STATUSES, Action, Status

QUEUE_STATUSES = (
    Status.SUBMITTED,
    Status.FORMAL_EXAMINATION,
    Status.CORRECTION_REQUESTED,
    Status.EXPERT_REVIEW,
    Status.APPROVED,
    Status.UNDER_PUBLICITY,
    Status.OBJECTION_REVIEW,
)
"""The examiners' work queue, in the order of the procedure."""

FIGURES_SECONDS = 60

REASONS_SHOWN_TO_APPLICANT = frozenset(
    {
        Action.REQUEST_CORRECTION,
        Action.REJECT,
        Action.DISMISS_OBJECTION,
        Action.UPHOLD_OBJECTION,
        Action.WITHDRAW,
        Action.REFUSE_CHANGE,
        Action.REVOKE,
    }
)
"""Reasons addressed to the applicant; experts' opinions and objectors' statements are not."""


def public_application(number: str) -> Application:
    """An application the public may see, by its application number; else NotFound."""
    application = (
        Application.objects.select_related("product", "filed_by")
        .filter(number=number, status__in=[s.value for s in PUBLIC_STATUSES])
        .first()
    )
    if application is None:
        raise NotFound(gettext_noop("No such registration."))
    return application


def applications_of(user: User) -> QuerySet[Application]:
    """Applications filed by, or held by, the holder the user acts for."""
    if user.holder_id is None:
        return Application.objects.none()
    return (
        Application.objects.filter(
            Q(filed_by_id=user.holder_id) | Q(holders__holder_id=user.holder_id)
        )
        .distinct()
        .select_related("product")
        .order_by("-id")
    )


def queue(status: str) -> QuerySet[Application]:
    """Applications waiting for the registry in ``status``, the most urgent first."""
    apps = Application.objects.filter(status=status).select_related("product", "filed_by")
    if status == Status.CORRECTION_REQUESTED:
        return apps.order_by("correction_due", "id")
    if status in {Status.UNDER_PUBLICITY, Status.OBJECTION_REVIEW}:
        return apps.order_by("announcement_ends", "id")
    return apps.order_by("submitted_at", "id")


def queue_counts() -> dict[str, int]:
    """How many applications wait in each status of the queue."""
    counts = {status.value: 0 for status in QUEUE_STATUSES}
    for status in counts:
        counts[status] = Application.objects.filter(status=status).count()
    return counts


def events_of(application: Application, *, public_only: bool = False) -> list[Event]:
    """The application's events, oldest first."""
    events = application.events.order_by("id")
    if public_only:
        events = events.filter(public=True)
    return list(events)


def pending_objections(application: Application) -> list[Objection]:
    """Objections to the application, with their evidence, oldest first."""
    return list(application.objections.prefetch_related("evidence").order_by("id"))


def material_of(application: Application, material_id: int) -> Material:
    """One material of the application; else NotFound."""
    material = application.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound(gettext_noop("No such material."))
    return material


def evidence_of(objection_id: int, evidence_id: int) -> ObjectionEvidence:
    """One evidence file of an objection; else NotFound."""
    item = ObjectionEvidence.objects.filter(pk=evidence_id, objection_id=objection_id).first()
    if item is None:
        raise NotFound(gettext_noop("No such file."))
    return item


def objection(objection_id: int) -> Objection:
    """An objection; else NotFound."""
    found = Objection.objects.select_related("application").filter(pk=objection_id).first()
    if found is None:
        raise NotFound(gettext_noop("No such objection."))
    return found


def holder_by_identifier(identifier: str) -> Holder | None:
    """The holder registered with this credit code or ID number."""
    return Holder.objects.filter(identifier=identifier.strip().upper()).first()


def holders_with_shares(application: Application) -> list[tuple[Holder, Any]]:
    """The holders of the application and their shares."""
    return [
        (h.holder, h.share) for h in application.holders.select_related("holder").order_by("id")
    ]


def experts_to_assign(application: Application) -> list[User]:
    """Experts not yet on the application's panel (the service refuses conflicted ones)."""
    on_panel = application.panel.values_list("expert_id", flat=True)
    return list(User.objects.filter(is_expert=True).exclude(pk__in=on_panel).order_by("username"))


def panel_of(application: Application) -> list[Any]:
    """The panel: each expert and the opinion given so far."""
    return list(application.panel.select_related("expert").order_by("id"))


def assignments_of(user: User) -> list[Any]:
    """An expert's panel seats, the ones still under review first."""
    from dataip.registry.models import PanelAssignment

    seats = PanelAssignment.objects.filter(expert=user).select_related("application__product")
    return sorted(
        seats,
        key=lambda s: (
            s.application.status != Status.EXPERT_REVIEW,
            s.opinion_at is not None,
            -s.pk,
        ),
    )


def certificates_of(application: Application) -> list[Any]:
    """Issued certificate versions of a registration (newest first), if the app is installed."""
    try:
        from dataip.certificates.models import Certificate
    except ImportError:  # pragma: no cover - the certificates app is part of the project
        return []
    return list(
        Certificate.objects.filter(application=application).exclude(pdf="").order_by("-version")
    )


def certificate_of(application: Application, version: int) -> Any:
    """One issued certificate version; else NotFound."""
    for certificate in certificates_of(application):
        if certificate.version == version:
            return certificate
    raise NotFound(gettext_noop("No such certificate."))


def figures() -> tuple[Any, int]:
    """The registry's headline figures and the number of certificates issued, cached for a
    minute (they count over every application)."""

    def compute() -> tuple[Any, int]:
        from dataip.registry import queries

        return queries.registry_figures(), certificates_issued()

    cached = cache.get("dataip:web:figures")
    if cached is None:
        cached = compute()
        cache.set("dataip:web:figures", cached, FIGURES_SECONDS)
    figures, certificates = cached
    return figures, int(certificates)


def certificates_issued() -> int:
    """How many registrations have a signed certificate."""
    try:
        from dataip.certificates.models import Certificate
    except ImportError:  # pragma: no cover - the certificates app is part of the project
        return 0
    return Certificate.objects.exclude(pdf="").values("application_id").distinct().count()


@dataclass(frozen=True)
class Announcement:
    """An application under announcement, with the days left to object."""

    application: Application
    days_left: int


def with_days_left(applications: list[Application], today: date) -> list[Announcement]:
    """Days left in each announcement (0: objections are accepted until the end of today)."""
    return [
        Announcement(a, (a.announcement_ends - today).days if a.announcement_ends else 0)
        for a in applications
    ]
