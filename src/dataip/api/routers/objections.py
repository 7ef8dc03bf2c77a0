"""The objection API (异议), with an organisation's token: anyone but the applicant's side
files an objection to an announced application while its announcement runs (multipart, with
evidence files) and gets its reference number; lists its objections and reads each one's
decision with its reasons. The holder of the application lists the objections to it (ground,
statement, evidence files; never who filed them) and answers each in writing with files before
the examiner decides. The same services as the pages (``registry.services.publicity``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import PathEx

from dataip.api import pagination
from dataip.api.auth import caller, objections_auth
from dataip.api.schemas.common import AppId, FileId, ObjectionId, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.objections import (
    AnswerOut,
    FiledObjectionList,
    FiledObjectionOut,
    FileOut,
    ObjectionList,
    ObjectionOut,
)
from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import clock
from dataip.registry.models import AnswerEvidence, DecisionDocument, Objection, ObjectionEvidence
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.queries import objections as found
from dataip.registry.queries.public import public_application
from dataip.registry.services import publicity
from dataip.registry.validators import MAX_MATERIAL_BYTES

router = Router(tags=["objections"], auth=objections_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
Number = PathEx[
    str, P(pattern=r"^[0-9A-Za-z]{1,20}$", description="The application number (申请号)")
]
Reference = PathEx[
    str, P(pattern=r"^[0-9A-Za-z]{1,20}$", description="The objection's reference (异议编号)")
]
MAX_FILES = 20
UPLOAD_LIMIT = MAX_FILES * MAX_MATERIAL_BYTES + 64 * 1024


def _upload_doc(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    files = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "Evidence files: PDF, images, ZIP or text; at most 20 MiB each",
    }
    schema = {
        "type": "object",
        "required": required,
        "properties": {**properties, "evidence": files},
    }
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


STATEMENT = {"type": "string", "maxLength": publicity.MAX_STATEMENT}
FILE_DOC = _upload_doc(
    ["ground", "statement"],
    ground={
        "type": "string",
        "description": "unlawful_source, ownership_dispute, untrue_materials, prohibited_data, "
        "not_registrable or other",
    },
    statement={**STATEMENT, "description": "What is wrong, and how you know it"},
)
ANSWER_DOC = _upload_doc(
    ["statement"], statement={**STATEMENT, "description": "The holder's written answer"}
)


def _files(
    request: HttpRequest, items: Iterable[ObjectionEvidence | AnswerEvidence], route: str | None
) -> list[FileOut]:
    out = []
    for item in items:
        objection_id = (
            item.objection_id if isinstance(item, ObjectionEvidence) else item.answer.objection_id
        )
        url = None
        if route:
            path = reverse(
                f"api:{route}", kwargs={"objection_id": objection_id, "file_id": item.pk}
            )
            url = request.build_absolute_uri(path)
        out.append(
            FileOut(
                id=item.pk,
                name=item.original_name,
                contentType=item.content_type,
                size=item.size,
                sha256=item.sha256,
                url=url,
            )
        )
    return out


def _decision(o: Objection) -> dict[str, Any]:
    today = clock.local_date(clock.now())
    return {
        "status": o.status,
        "statusLabel": str(ObjectionStatus(o.status).label),
        "filedAt": o.filed_at,
        "decisionDue": o.decision_due,
        "deadline": found.deadline_state(
            o.decision_due, today, o.status != ObjectionStatus.PENDING
        ),
        "decidedAt": o.decided_at,
        "decisionReason": o.decision_reason,
    }


def _answer_of(o: Objection) -> Any:
    return getattr(o, "answer", None) if hasattr(o, "answer") else None


def filed_out(request: HttpRequest, o: Objection) -> FiledObjectionOut:
    """An objection as its objector sees it."""
    answer = _answer_of(o)
    return FiledObjectionOut(
        reference=o.reference or "",
        applicationNumber=o.application.number or "",
        productName=o.application.product.name,
        ground=o.ground,
        groundLabel=o.get_ground_display(),
        statement=o.statement,
        files=_files(request, o.evidence.all(), None),
        answeredAt=answer.answered_at if answer else None,
        **_decision(o),
    )


def objection_out(request: HttpRequest, o: Objection, *, staff: bool = False) -> ObjectionOut:
    """An objection as the holder and the registry see it (files with their addresses, under
    the staff routes for ``staff``)."""
    answer = _answer_of(o)
    prefix = "staff_" if staff else ""
    return ObjectionOut(
        id=o.pk,
        reference=o.reference or "",
        applicationId=o.application_id,
        applicationNumber=o.application.number or "",
        productName=o.application.product.name,
        ground=o.ground,
        groundLabel=o.get_ground_display(),
        statement=o.statement,
        files=_files(request, o.evidence.all(), f"{prefix}objection_file"),
        answer=AnswerOut(
            statement=answer.statement,
            answeredAt=answer.answered_at,
            files=_files(request, answer.evidence.all(), f"{prefix}answer_file"),
        )
        if answer
        else None,
        **_decision(o),
    )


def _evidence(request: HttpRequest) -> list[tuple[str, Any]]:
    """The uploaded evidence files (refused before reading a body that is too large)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > UPLOAD_LIMIT:
        FieldErrors.raise_one(
            "evidence",
            gettext_noop("At most %(count)s files of %(mib)s MiB each."),
            count=MAX_FILES,
            mib=MAX_MATERIAL_BYTES // 2**20,
        )
    uploaded = request.FILES.getlist("evidence")
    if len(uploaded) > MAX_FILES:
        FieldErrors.raise_one("evidence", gettext_noop("At most %(count)s files."), count=MAX_FILES)
    return [((f.name or "evidence").replace("\x00", ""), f) for f in uploaded]


@router.post(
    "/announcements/{number}/objections",
    response={201: FiledObjectionOut, 413: Problem, **ERRORS},
    summary="File an objection",
    openapi_extra=FILE_DOC,
)
def file_objection(request: HttpRequest, number: Number) -> Answer[FiledObjectionOut]:
    """Object to an announced application while its announcement runs (multipart: ``ground``,
    ``statement``, ``evidence`` files). The answer carries the objection's reference number
    and the day by which the registry decides it. The applicant's side may not object; after
    the announcement it is 409."""
    who = caller(request)
    application = public_application(number)
    evidence = _evidence(request)
    objection = publicity.file_objection(
        application.pk,
        actor=who.actor,
        user=who.filer(),
        ground=request.POST.get("ground", ""),
        statement=request.POST.get("statement", ""),
        evidence=evidence,
    )
    again = found.get_filed_objection(who.filer(), objection.reference or "")
    return Answer(201, filed_out(request, again))


@router.get("/objections", response={200: FiledObjectionList, **ERRORS}, summary="Your objections")
def my_objections(
    request: HttpRequest,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> FiledObjectionList:
    """The objections your organisation filed, the newest first, each with its reference,
    where it stands, its due date, and once decided the decision with its reasons."""
    who = caller(request)
    page = pagination.by_id(found.objections_filed_by(who.filer()), cursor, limit)
    return FiledObjectionList(
        items=[filed_out(request, o) for o in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.get(
    "/objections/{reference}", response={200: FiledObjectionOut, **ERRORS}, summary="An objection"
)
def my_objection(request: HttpRequest, reference: Reference) -> FiledObjectionOut:
    """One of your organisation's objections, by its reference number."""
    who = caller(request)
    return filed_out(request, found.get_filed_objection(who.filer(), reference.upper()))


@router.get(
    "/applications/{application_id}/objections",
    response={200: ObjectionList, **ERRORS},
    summary="Objections to your application",
)
def application_objections(
    request: HttpRequest,
    application_id: AppId,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> ObjectionList:
    """The objections to one of your applications, oldest first: the ground, the statement,
    the evidence files, the due date and your answer (never who filed them)."""
    who = caller(request)
    items = found.objections_against(who.actor, application_id)
    page = pagination.by_key(items, lambda o: (o.pk,), cursor, limit, (int,))
    return ObjectionList(
        items=[objection_out(request, o) for o in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post(
    "/applications/{application_id}/objections/{objection_id}/answer",
    response={201: ObjectionOut, 413: Problem, **ERRORS},
    summary="Answer an objection",
    openapi_extra=ANSWER_DOC,
)
def answer_objection(
    request: HttpRequest, application_id: AppId, objection_id: ObjectionId
) -> Answer[ObjectionOut]:
    """Answer an objection to your application in writing, with files (multipart:
    ``statement``, ``evidence``), before the examiner decides it; once per objection (409
    after a decision or a first answer)."""
    who = caller(request)
    objection = found.get_objection_against(who.actor, application_id, objection_id)
    evidence = _evidence(request)
    publicity.answer_objection(
        objection.pk,
        actor=who.actor,
        user=who.filer(),
        statement=request.POST.get("statement", ""),
        evidence=evidence,
    )
    again = found.get_objection_against(who.actor, application_id, objection_id)
    return Answer(201, objection_out(request, again))


def download(item: ObjectionEvidence | AnswerEvidence | DecisionDocument) -> HttpResponse:
    """The stored file (at most 20 MiB) as a download, never inline: uploads are not trusted
    content. Read whole, so the file is closed before the answer leaves."""
    with item.file.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type=item.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/objections/{objection_id}/files/{file_id}",
    response={200: None, **ERRORS},
    summary="An evidence file of an objection",
)
def objection_file(request: HttpRequest, objection_id: ObjectionId, file_id: FileId) -> Any:
    """An evidence file of an objection to your application."""
    who = caller(request)
    return download(found.objection_file_for(who.actor, objection_id, file_id))


@router.get(
    "/objections/{objection_id}/answer-files/{file_id}",
    response={200: None, **ERRORS},
    summary="A file of the answer to an objection",
)
def answer_file(request: HttpRequest, objection_id: ObjectionId, file_id: FileId) -> Any:
    """A file of your answer to an objection."""
    who = caller(request)
    return download(found.objection_file_for(who.actor, objection_id, file_id, answer=True))
