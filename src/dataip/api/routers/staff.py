"""The staff API (examiners and registrars, with a staff token created on the account page):
the queue of requests after registration with their deadlines, and the registrar's acts on a
registered right (correction of particulars, re-issue of the certificate). The same services
and read side as the pages under ``/examine/``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import P, QueryEx, Router
from ninja import Status as Answer
from ninja.params import BodyEx, PathEx

from dataip.api import pagination
from dataip.api.auth import staff_caller, staff_token_auth
from dataip.api.errors import api_name
from dataip.api.routers.objections import download, objection_out
from dataip.api.routers.rights import decision_files
from dataip.api.schemas.common import (
    MAX_ID,
    FileId,
    ObjectionId,
    RegistrationNumber,
    ValidationProblem,
)
from dataip.api.schemas.log import Problem
from dataip.api.schemas.objections import (
    DecisionIn,
    ObjectionCounts,
    ObjectionOut,
    StaffObjectionList,
)
from dataip.api.schemas.staff import (
    CaseDeadlineOut,
    CaseList,
    CaseOut,
    ChangeDecisionIn,
    ChangeDecisionOut,
    CorrectionIn,
    DashboardOut,
    DayFigureOut,
    PendingCounts,
    PendingList,
    PendingOut,
    QueueFigureOut,
    ReissueIn,
    RevocationOut,
    StaffRegistration,
)
from dataip.api.schemas.statistics import BulletinOut, bulletin_out
from dataip.errors import FieldErrors, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, labels
from dataip.registry.fields import CHANGEABLE
from dataip.registry.models import Application
from dataip.registry.queries import objections, rights, staff
from dataip.registry.queries.bulletin import Scope, bulletin
from dataip.registry.services import changes, lifecycle, publicity, registrar
from dataip.registry.validators import MAX_MATERIAL_BYTES
from dataip.registry.workflow import Role

router = Router(tags=["staff"], auth=staff_token_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem, 409: Problem}
Number = RegistrationNumber
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


def case_out(application: Application, today: date) -> CaseOut:
    deadline = staff.deadline_of(application, today)
    product = application.product
    return CaseOut(
        applicationId=application.pk,
        applicationNumber=application.number or "",
        registrationNumber=application.registration_number or "",
        status=application.status,
        statusLabel=labels.status(application.status),
        kind=product.kind,
        productName=product.name,
        applicant=application.filed_by.name,
        province=product.province_code,
        industry=product.industry_code,
        examiner=application.examiner.username if application.examiner else None,
        submittedAt=application.submitted_at,
        deadline=CaseDeadlineOut(
            kind=deadline.kind,
            kindLabel=labels.deadline(deadline.kind) if deadline.kind else "",
            due=deadline.due,
            state=deadline.state,
            overdue=deadline.overdue,
        ),
    )


Sort = Literal["urgency", "submitted", "-submitted", "deadline", "number"]


@router.get(
    "/staff/applications",
    response={200: CaseList, **ERRORS},
    summary="A staff queue of applications",
)
def applications(
    request: HttpRequest,
    status: QueryEx[str, P(description="The status to list (any but draft)")] = "submitted",
    q: QueryEx[str, P(max_length=200, description="Part of a number, product name or holder")] = "",
    kind: QueryEx[str, P(max_length=20, description="data_collection, ...")] = "",
    province: QueryEx[str, P(max_length=2, description="GB/T 2260 province code")] = "",
    examiner: QueryEx[int | None, P(ge=1, le=MAX_ID, description="The examiner's id")] = None,
    deadlineBefore: QueryEx[date | None, P(description="Deadline on or before")] = None,
    overdue: QueryEx[bool, P(description="Only cases past their deadline")] = False,
    sort: QueryEx[Sort, P(description="How to order the cases")] = "urgency",
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> CaseList:
    """The applications in one status (examiners and registrars; every status but draft),
    searched by number, product name or holder, filtered by kind, province, examiner and
    deadline, sorted; each with the deadline that runs in its status and an overdue flag
    (the same read side as ``/examine/``). An unknown status is a 422 naming it."""
    staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    wanted = staff.QueueFilter(
        status=status,
        q=q,
        kind=kind,
        province=province,
        examiner=examiner,
        deadline_before=deadlineBefore,
        overdue=overdue,
        sort=sort,
    )
    try:
        found = staff.queue(wanted)
    except staff.UnknownStatus:
        FieldErrors.raise_one(
            "status", gettext_noop("There is no status “%(status)s” to list."), status=status
        )
    start = pagination.decode(cursor, (int,))[0] if cursor else 0
    assert isinstance(start, int)  # noqa: S101 -- decode checked the type
    rows = list(found[start : start + limit + 1])
    more = len(rows) > limit
    next_cursor = pagination.encode((start + limit,)) if more else None
    today = clock.local_date(clock.now())
    return CaseList(
        total=found.count(),
        items=[case_out(a, today) for a in rows[:limit]],
        next=pagination.next_link(request, next_cursor),
        nextCursor=next_cursor,
    )


@router.get("/staff/dashboard", response={200: DashboardOut, **ERRORS}, summary="Dashboard")
def dashboard(request: HttpRequest) -> DashboardOut:
    """The registrar's dashboard (examiners and registrars): each queue's size and the
    submission date of its oldest case, the cases past their deadline, and this month's
    applications received, registered and rejected, by day."""
    staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    figures = staff.dashboard()
    return DashboardOut(
        today=figures.today,
        queues=[
            QueueFigureOut(
                status=q.status,
                statusLabel=labels.status(q.status),
                size=q.size,
                oldestSubmitted=q.oldest_since,
                oldestDays=q.oldest_days,
            )
            for q in figures.queues
        ],
        overdue=[case_out(a, figures.today) for a in figures.overdue],
        monthStart=figures.month_start,
        received=figures.received,
        registered=figures.registered,
        rejected=figures.rejected,
        days=[
            DayFigureOut(
                day=d.day, received=d.received, registered=d.registered, rejected=d.rejected
            )
            for d in figures.days
        ],
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


# ── change requests and revocation (变更审查、撤销) ─────────────────────────────────────────

ChangeId = PathEx[int, P(ge=1, le=MAX_ID, description="The change request's id")]
REVOCATION_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["reason", "reference", "decision"],
                    "properties": {
                        "reason": {"type": "string", "maxLength": 4000},
                        "reference": {
                            "type": "string",
                            "maxLength": 200,
                            "description": "The court judgment's or the registry's decision number",
                        },
                        "decision": {
                            "type": "string",
                            "format": "binary",
                            "description": "The decision's document: PDF or image, at most 20 MiB",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/staff/changes/{change_id}/decision",
    response={200: ChangeDecisionOut, **ACTING},
    summary="Decide a change request",
)
def decide_change(
    request: HttpRequest, change_id: ChangeId, body: BodyEx[ChangeDecisionIn, P()]
) -> Answer[ChangeDecisionOut]:
    """Approve or refuse a pending change of registered particulars (变更), with the reasons
    (required to refuse). Approving applies the change and issues a new certificate version."""
    who = staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    change = rights.change_request(change_id)
    if change is None:
        raise NotFound(gettext_noop("No such change request."))
    if body.decision == "approve":
        changes.approve_change(change_id, actor=who.actor, reason=body.reason)
    else:
        changes.refuse_change(change_id, actor=who.actor, reason=body.reason)
    change.refresh_from_db()
    change.application.refresh_from_db()
    return Answer(
        200,
        ChangeDecisionOut(
            id=change.pk,
            registrationNumber=change.application.registration_number or "",
            status=change.status,
            reason=change.reason,
            certificateVersion=change.application.certificate_version,
        ),
    )


def content_length(request: HttpRequest) -> int:
    """The declared size of the request's body (0 when absent or not a number)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@router.post(
    "/staff/registrations/{number}/revocation",
    response={200: RevocationOut, 413: Problem, **ACTING},
    summary="Revoke a registration",
    openapi_extra=REVOCATION_DOC,
)
def revoke(request: HttpRequest, number: Number) -> Answer[RevocationOut]:
    """The registrar revokes a registration (撤销) after an upheld challenge or a court
    decision (multipart: ``reason``, ``reference``, ``decision`` — the decision's document).
    Final; the public record and verification show it."""
    who = staff_caller(request, Role.REGISTRAR)
    application_id = _registered(number)
    if content_length(request) > MAX_MATERIAL_BYTES + 64 * 1024:
        FieldErrors.raise_one(
            "decision", gettext_noop("The decision must be a PDF or an image of at most 20 MiB.")
        )
    uploaded = request.FILES.getlist("decision")
    done = lifecycle.revoke(
        application_id,
        actor=who.actor,
        reason=request.POST.get("reason", ""),
        reference=request.POST.get("reference", ""),
        decision=[((f.name or "decision").replace("\x00", ""), f) for f in uploaded],
    )
    return Answer(
        200,
        RevocationOut(
            **_state(done).dict(),
            decisionReference=done.decision_reference,
            decisionFiles=decision_files(request, done, "staff/registrations"),
        ),
    )


@router.get(
    "/staff/registrations/{number}/decision-files/{file_id}",
    response={200: None, **ERRORS, 404: Problem},
    summary="A decision's document (staff)",
)
def staff_decision_file(request: HttpRequest, number: Number, file_id: FileId) -> Any:
    """The document of a decision on a registration (its revocation)."""
    who = staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    application_id = rights.registered_application_id(number)
    if application_id is None:
        raise NotFound(gettext_noop("No such file."))
    return download(rights.decision_document_for(who.actor, application_id, file_id))


@router.get(
    "/staff/statistics",
    response={200: BulletinOut, **ERRORS},
    summary="Statistics bulletin with every amount",
)
def staff_statistics(
    request: HttpRequest,
    start: QueryEx[date | None, P(alias="from", description="First day (included)")] = None,
    end: QueryEx[date | None, P(alias="to", description="Last day (included)")] = None,
    province: QueryEx[
        str | None, P(pattern=r"^[0-9]{2}$", description="GB/T 2260 province (2 digits)")
    ] = None,
) -> BulletinOut:
    """The statistics bulletin (examiners and registrars) with every amount, including those
    the public bulletin does not publish (fewer than 3 products)."""
    staff_caller(request, Role.EXAMINER, Role.REGISTRAR)
    if start and end and end < start:
        FieldErrors.raise_one("to", gettext_noop("The end of the period comes before its start."))
    return bulletin_out(bulletin(Scope(start, end, province or ""), confidential=True))
