"""The registry's side (审查): examiners' and registrars' queues, panels and objections, and
experts' seats. The doors (``web.access``, the API's auth) have already checked the role."""

from __future__ import annotations

from django.db.models import QuerySet

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import Application, Objection, PanelAssignment
from dataip.registry.queries import get_application_for
from dataip.registry.workflow import Actor, Status

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


def objections_to(application: Application) -> list[Objection]:
    """Objections to the application, with their evidence, oldest first."""
    return list(application.objections.prefetch_related("evidence").order_by("id"))


def get_objection(objection_id: int) -> Objection:
    """An objection, with its application; else NotFound."""
    found = Objection.objects.select_related("application").filter(pk=objection_id).first()
    if found is None:
        raise NotFound(gettext_noop("No such objection."))
    return found


def panel_of(application: Application) -> list[PanelAssignment]:
    """The panel: each expert and the opinion given so far."""
    return list(application.panel.select_related("expert").order_by("id"))


def experts_to_assign(application: Application) -> list[User]:
    """Experts not yet on the application's panel (the service refuses conflicted ones)."""
    on_panel = application.panel.values_list("expert_id", flat=True)
    return list(User.objects.filter(is_expert=True).exclude(pk__in=on_panel).order_by("username"))


def get_seat_for(actor: Actor, application_id: int) -> PanelAssignment:
    """The actor's seat on the application's panel, with the application; NotFound if the
    actor does not sit on it."""
    application = get_application_for(actor, application_id)
    seat = application.panel.filter(expert_id=actor.user_id).first()
    if seat is None:
        raise NotFound(gettext_noop("No such application."))
    seat.application = application
    return seat


def user_to_assign(user_id: str) -> User:
    """The user the registrar chose for a panel (the service refuses non-experts and
    conflicted experts); NotFound for no such user."""
    try:
        return User.objects.get(pk=int(user_id))
    except (ValueError, User.DoesNotExist):
        raise NotFound(gettext_noop("No such expert.")) from None


def assignments_of(user: User) -> list[PanelAssignment]:
    """An expert's panel seats, the ones still under review first."""
    seats = PanelAssignment.objects.filter(expert=user).select_related("application__product")
    return sorted(
        seats,
        key=lambda s: (
            s.application.status != Status.EXPERT_REVIEW,
            s.opinion_at is not None,
            -s.pk,
        ),
    )
