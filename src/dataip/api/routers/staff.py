"""The staff API (examiners and registrars, with a staff token created on the account page):
the queue of requests after registration with their deadlines, and the registrar's acts on a
registered right (correction of particulars, re-issue of the certificate). The same services
and read side as the pages under ``/examine/``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import P, QueryEx, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import staff_caller, staff_token_auth
from dataip.api.errors import api_name
from dataip.api.routers.objections import download, objection_out
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.objections import (
    DecisionIn,
    ObjectionCounts,
    ObjectionOut,
    StaffObjectionList,
)
from dataip.api.schemas.staff import (
    CorrectionIn,
    PendingCounts,
    PendingList,
    PendingOut,
    ReissueIn,
    StaffRegistration,
)
from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, labels
from dataip.registry.fields import CHANGEABLE
from dataip.registry.models import Application
from dataip.registry.queries import objections, rights, staff
from dataip.registry.services import publicity, registrar
from dataip.registry.workflow import Role

router = Router(tags=["staff"], auth=staff_token_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem, 409: Problem}
Number = PathEx[
    str, P(pattern=r"^[0-9A-Za-z]{1,20}$", description="The registration number (登记编号)")
]
Kind = QueryEx[staff.Pending | None, P(description="Only requests of this kind")]
CORRECTABLE = CHANGEABLE | {"holder_name", "holder_name_en", "holder_address"}
SERVICE_NAMES = {api_name(name): name for name in CORRECTABLE}


def _pending(item: staff.PendingRequest) -> PendingOut:
    return PendingOut(
        kind=item.kind,
        kindLabel=labels.pending(item.kind),
        applicationId=item.application.pk,
        registrationNumber=item.application.registration_number or "",
        productName=item.application.product.name,
        recordId=item.record_id,
        since=item.since,
        due=item.due,
        overdue=item.overdue,
        waitsFor=item.waits_for,
        waitsForLabel=labels.waits_for(item.waits_for),
    )


def _key(item: staff.PendingRequest) -> tuple[Any, ...]:
    return (
        item.due.isoformat(),
        item.since.isoformat(),
        item.kind.value,
        item.application.pk,
        item.record_id or 0,
    )


@router.get("/staff/queue", response={200: PendingList, **ERRORS}, summary="Pending requests")
def queue(
    request: HttpRequest,
    kind: Kind = None,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> PendingList:
    """Requests after registration that wait (examiners and registrars): change requests for
    an examiner, transfers and pledges waiting for their confirmation, registrations inside
    their renewal window, and registrations whose validity ended but are not yet expired;
    each with its deadline from the regime, the earliest first, overdue ones flagged."""
    staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    everything = staff.pending_requests()
    counts = staff.pending_counts(everything)
    found = [i for i in everything if kind is None or i.kind == kind]
    page = pagination.by_key(found, _key, cursor, limit, (str, str, str, int, int))
    return PendingList(
        counts=PendingCounts(**counts),
        items=[_pending(i) for i in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


def _registered(number: str) -> int:
    found = rights.registered_application_id(number)
    if found is None:
        raise NotFound(gettext_noop("No such registration."))
    return found


def _state(application: Application) -> StaffRegistration:
    return StaffRegistration(
        registrationNumber=application.registration_number or "",
        status=application.status,
        statusLabel=labels.status(application.status),
        certificateVersion=application.certificate_version,
    )


@router.post(
    "/staff/registrations/{number}/corrections",
    response={200: StaffRegistration, **ACTING},
    summary="Correct the particulars",
)
def correct(
    request: HttpRequest, number: Number, body: BodyEx[CorrectionIn, P()]
) -> Answer[StaffRegistration]:
    """The registrar corrects an obvious error in the registered particulars (更正): the
    product's changeable fields or the holder's name and address, only those sent, with the
    reason. Logged; a new certificate version is issued."""
    who = staff_caller(request, Role.REGISTRAR)
    application_id = _registered(number)
    sent = body.model_dump(exclude_unset=True)
    reason = str(sent.pop("reason", ""))
    values = {SERVICE_NAMES[k]: v for k, v in sent.items() if k in SERVICE_NAMES}
    try:
        done = registrar.correct_particulars(
            application_id, actor=who.actor, values=values, reason=reason
        )
    except ValidationFailed as refused:
        names = {n: api_name(n) for n in CORRECTABLE}
        raise ValidationFailed({names.get(k, k): v for k, v in refused.errors.items()}) from None
    return Answer(200, _state(done))


@router.post(
    "/staff/registrations/{number}/certificate-reissues",
    response={200: StaffRegistration, **ACTING},
    summary="Re-issue the certificate",
)
def reissue(
    request: HttpRequest, number: Number, body: BodyEx[ReissueIn, P()]
) -> Answer[StaffRegistration]:
    """The registrar issues the certificate again with the same particulars (补发/换发): the
    paper copy was lost, or a copy or the PDF is damaged. Logged; the new version supersedes
    the old one."""
    who = staff_caller(request, Role.REGISTRAR)
    application_id = _registered(number)
    done = registrar.reissue_certificate(
        application_id, actor=who.actor, ground=body.ground.value, reason=body.reason
    )
    return Answer(200, _state(done))


# ── objections to decide (异议审查) ─────────────────────────────────────────────────────────

ObjectionId = PathEx[int, P(ge=1, le=MAX_ID, description="The objection's id")]
FileId = PathEx[int, P(ge=1, le=MAX_ID, description="The file's id")]


@router.get(
    "/staff/objections",
    response={200: StaffObjectionList, **ERRORS},
    summary="Objections to decide",
)
def objection_queue(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> StaffObjectionList:
    """Objections waiting for a decision (examiners and registrars), the earliest due first:
    each with its ground, statement, evidence, the holder's answer and its due date from the
    regime, flagged ``due_soon`` (7 days or fewer) or ``overdue``."""
    staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    waiting = list(
        objections.undecided_objections().prefetch_related("evidence", "answer__evidence")
    )
    today = clock.local_date(clock.now())
    states = [objections.deadline_state(o.decision_due, today, decided=False) for o in waiting]
    page = pagination.by_key(
        waiting, lambda o: ((o.decision_due or today).isoformat(), o.pk), cursor, limit, (str, int)
    )
    return StaffObjectionList(
        counts=ObjectionCounts(
            waiting=len(waiting), overdue=states.count("overdue"), dueSoon=states.count("due_soon")
        ),
        items=[objection_out(request, o, staff=True) for o in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post(
    "/staff/objections/{objection_id}/decision",
    response={200: ObjectionOut, **ACTING},
    summary="Decide an objection",
)
def decide_objection(
    request: HttpRequest, objection_id: ObjectionId, body: BodyEx[DecisionIn, P()]
) -> Answer[ObjectionOut]:
    """Dismiss (驳回) or uphold (成立) an objection, with the reasons the objector reads.
    Upholding refuses the registration; dismissing the last pending objection after the
    announcement registers it."""
    who = staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    decide = (
        publicity.dismiss_objection if body.decision == "dismiss" else publicity.uphold_objection
    )
    decide(objection_id, actor=who.actor, reason=body.reason)
    return Answer(200, objection_out(request, staff.get_objection(objection_id), staff=True))


@router.get(
    "/staff/objections/{objection_id}/files/{file_id}",
    response={200: None, **ERRORS, 404: Problem},
    summary="An evidence file of an objection (staff)",
)
def staff_objection_file(request: HttpRequest, objection_id: ObjectionId, file_id: FileId) -> Any:
    """An evidence file filed with an objection."""
    who = staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    return download(objections.objection_file_for(who.actor, objection_id, file_id))


@router.get(
    "/staff/objections/{objection_id}/answer-files/{file_id}",
    response={200: None, **ERRORS, 404: Problem},
    summary="A file of the holder's answer (staff)",
)
def staff_answer_file(request: HttpRequest, objection_id: ObjectionId, file_id: FileId) -> Any:
    """A file of the holder's answer to an objection."""
    who = staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    return download(objections.objection_file_for(who.actor, objection_id, file_id, answer=True))
