"""Objections (异议) as each side sees them: the objector (its own objections, by reference,
and their decisions with reasons) and the holder of the application objected to (the grounds,
statement and evidence files it answers; never who objected).

The rules (registration-rules.md section 6) say the registry "may ask the applicant to
respond"; to respond, the holder sees what it answers: the ground, the statement and the
evidence files. The objector's identity stays with the registry, as the public never sees it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.models import AnswerEvidence, Application, Objection, ObjectionEvidence
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.queries import get_application_for
from dataip.registry.workflow import Actor, Role, Status

DUE_SOON_DAYS = 7
"""An undecided objection is flagged as due soon this many days before its decision is due."""


def deadline_state(due: date | None, today: date, decided: bool) -> str:
    """Where an objection's decision stands against its due date: ``decided``, ``overdue``,
    ``due_soon`` (within :data:`DUE_SOON_DAYS`) or ``on_time``."""
    if decided:
        return "decided"
    if due is None:
        return "on_time"
    if today > due:
        return "overdue"
    if due - today <= timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "on_time"


def _with_details(objections: QuerySet[Objection]) -> QuerySet[Objection]:
    return objections.select_related("application__product", "answer").prefetch_related(
        "evidence", "answer__evidence"
    )


def _filed_by(user: User) -> QuerySet[Objection]:
    if user.holder_id is None:
        return Objection.objects.filter(objector=user)
    return Objection.objects.filter(objector__holder_id=user.holder_id)


def objections_filed_by(user: User) -> QuerySet[Objection]:
    """The objections a person filed -- or, for a person acting for an organisation, that
    anyone of the organisation filed -- the newest first ("My objections")."""
    return _with_details(_filed_by(user)).order_by("-id")


def get_filed_objection(user: User, reference: str) -> Objection:
    """One objection the person (or its organisation) filed, by its reference; NotFound for
    anyone else's."""
    found = _with_details(_filed_by(user).filter(reference=reference)).first()
    if found is None:
        raise NotFound(gettext_noop("No such objection."))
    return found


def _holder_side(actor: Actor, application_id: int) -> Application:
    """The application, if the actor acts for its applicant's side; else NotFound."""
    application = get_application_for(actor, application_id)
    if not actor.sees_holder_ids & applicant_holder_ids(application):
        raise NotFound(gettext_noop("No such application."))
    return application


def objections_against(actor: Actor, application_id: int) -> list[Objection]:
    """The objections to one of the actor's applications, oldest first, with their evidence
    and answers (for the holder's side only)."""
    application = _holder_side(actor, application_id)
    return list(_with_details(application.objections.all()).order_by("id"))


def get_objection_against(actor: Actor, application_id: int, objection_id: int) -> Objection:
    """One objection to one of the actor's applications; NotFound otherwise."""
    application = _holder_side(actor, application_id)
    found = _with_details(application.objections.filter(pk=objection_id)).first()
    if found is None:
        raise NotFound(gettext_noop("No such objection."))
    return found


def objection_file_for(
    actor: Actor, objection_id: int, file_id: int, *, answer: bool = False
) -> ObjectionEvidence | AnswerEvidence:
    """An evidence file of an objection (``answer``: of the holder's answer to it): for the
    examiners and registrars, and for the holder's side of the application objected to."""
    model: type[ObjectionEvidence] | type[AnswerEvidence] = (
        AnswerEvidence if answer else ObjectionEvidence
    )
    owner = {"answer__objection_id": objection_id} if answer else {"objection_id": objection_id}
    item = model.objects.filter(pk=file_id, **owner).first()
    if item is None:
        raise NotFound(gettext_noop("No such file."))
    if actor.roles & {Role.EXAMINER, Role.REGISTRAR}:
        return item
    application_id = Objection.objects.values_list("application_id", flat=True).get(pk=objection_id)
    try:
        _holder_side(actor, application_id)
    except NotFound:
        raise NotFound(gettext_noop("No such file.")) from None
    return item


def undecided_objections() -> QuerySet[Objection]:
    """Objections waiting for a decision, the earliest due first."""
    return (
        Objection.objects.filter(status=ObjectionStatus.PENDING)
        .select_related("application__product", "answer")
        .order_by("decision_due", "id")
    )


def objections_open(application: Application, today: date) -> bool:
    """Whether objections may be filed now: the application is under announcement (公示) and
    its period has not ended (``dataip tick`` closes it the day after)."""
    return (
        application.status == Status.UNDER_PUBLICITY
        and application.announcement_ends is not None
        and today <= application.announcement_ends
    )
