"""The applicant API (API token of the applicant's organisation): drafts, holders' shares,
materials, what is missing, submission, resubmission, withdrawal and the timeline.

Every change goes through ``registry.services.applications``, exactly as the pages do; the
workflow decides who may do what, when. An application of another organisation is 404 even
when it is public. Changes answer with the application's ``ETag`` (its revision): send it
back as ``If-Match`` (or ``revision`` in the body) and a change based on a stale read is 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.text import capfirst
from ninja import P, QueryEx, Router
from ninja import Status as Answer
from ninja.params import BodyEx, HeaderEx, PathEx

from dataip.api import pagination
from dataip.api.auth import Caller, apply_auth, caller
from dataip.api.errors import api_name
from dataip.api.schemas.applications import (
    ApplicationList,
    ApplicationOut,
    ApplicationSummary,
    DeclarationOut,
    DraftIn,
    DraftUpdate,
    EventList,
    EventOut,
    FiledBy,
    HoldersIn,
    MaterialList,
    MaterialOut,
    MissingItem,
    MissingOut,
    Product,
    ShareHolder,
    SubmitIn,
    WithdrawIn,
)
from dataip.api.schemas.common import MAX_ID, AppId, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.certificates.application_copy import application_copy, copy_for
from dataip.deposits.queries import cited_deposits
from dataip.errors import FieldErrors, Message, NotFound, ValidationFailed, gettext_noop
from dataip.ledger import bundles
from dataip.registry import labels
from dataip.registry.declaration import DECLARATION
from dataip.registry.fields import EDITABLE
from dataip.registry.models import Application, Material
from dataip.registry.queries.applicants import (
    applications_of,
    get_own_application_for,
    holder_ids_by_identifier,
    missing_for_submission,
)
from dataip.registry.services import applications as filing
from dataip.registry.validators import MAX_SAMPLE_BYTES
from dataip.registry.workflow import Status

router = Router(tags=["applications"], auth=apply_auth)
ERRORS: dict[int, type[Problem]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: ValidationProblem,
}
IfMatch = HeaderEx[str | None, P(alias="If-Match", max_length=100, description="The ETag you read")]
UPLOAD_LIMIT = MAX_SAMPLE_BYTES + 64 * 1024
"""Uploads larger than the largest material (samples) plus room for the form are refused
before their body is read."""
SERVICE_NAMES = {api_name(name): name for name in EDITABLE}
_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {"type": "string", "description": "The kind of material"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


# ── answers ────────────────────────────────────────────────────────────────────────────


def _link(request: HttpRequest, application_id: int) -> str:
    path = reverse("api:read_application", kwargs={"application_id": application_id})
    return request.build_absolute_uri(path)


def _etag(application: Application) -> str:
    return f'"r{application.revision}"'


def _product(application: Application) -> Product:
    product = application.product
    fields: dict[str, Any] = {api_name(name): getattr(product, name) for name in EDITABLE}
    return Product(**fields)


def _out(application: Application, response: HttpResponse | None = None) -> ApplicationOut:
    if response is not None:
        response["ETag"] = _etag(application)
    holders = application.holders.select_related("holder").order_by("id")
    return ApplicationOut(
        id=application.pk,
        number=application.number,
        status=application.status,
        statusLabel=labels.status(application.status),
        revision=application.revision,
        regime=application.regime_code,
        createdAt=application.created_at,
        submittedAt=application.submitted_at,
        correctionDue=application.correction_due,
        correctionRequest=application.correction_request,
        announcementStarts=application.announcement_starts,
        announcementEnds=application.announcement_ends,
        decidedAt=application.decided_at,
        decisionReason=application.decision_reason,
        registrationNumber=application.registration_number,
        certificateNumber=application.certificate_number,
        registeredOn=application.registered_on,
        validFrom=application.valid_from,
        validUntil=application.valid_until,
        filedBy=FiledBy(holderId=application.filed_by_id, name=application.filed_by.name),
        holders=[
            ShareHolder(holderId=h.holder_id, name=h.holder.name, share=str(h.share))
            for h in holders
        ],
        product=_product(application),
    )


def _material(material: Material) -> MaterialOut:
    return MaterialOut(
        id=material.pk,
        kind=material.kind,
        kindLabel=labels.material(material.kind),
        name=material.original_name,
        contentType=material.content_type,
        size=material.size,
        sha256=material.sha256,
        uploadedAt=material.uploaded_at,
    )


def _own(request: HttpRequest, application_id: int) -> tuple[Caller, Application]:
    who = caller(request)
    return who, get_own_application_for(who.actor, application_id)


def _revision(body_revision: int | None, if_match: str | None) -> int | None:
    """The revision the client read: from the body, else from ``If-Match`` (``"r7"``)."""
    if body_revision is not None or not if_match:
        return body_revision
    tag = if_match.strip().removeprefix("W/").strip('"').removeprefix("r")
    if not tag.isdigit() or len(tag) > 18:
        FieldErrors.raise_one(
            "If-Match", gettext_noop("Send the ETag of the application as you read it.")
        )
    return int(tag)


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a client sent, under the service's names."""
    return {SERVICE_NAMES[name]: value for name, value in fields.items() if name in SERVICE_NAMES}


# ── routes ─────────────────────────────────────────────────────────────────────────────


@router.get("", response={200: ApplicationList, **ERRORS}, summary="Your applications")
def list_applications(
    request: HttpRequest,
    status: QueryEx[Status | None, P()] = None,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> ApplicationList:
    """Applications your organisation filed or holds, the newest first."""
    who = caller(request)
    found = applications_of(who.holder_id, status.value if status else None)
    page = pagination.by_id(found, cursor, limit)
    return ApplicationList(
        items=[
            ApplicationSummary(
                id=a.pk,
                number=a.number,
                status=a.status,
                statusLabel=labels.status(a.status),
                revision=a.revision,
                kind=a.product.kind,
                name=a.product.name,
                createdAt=a.created_at,
                submittedAt=a.submitted_at,
                registrationNumber=a.registration_number,
                url=_link(request, a.pk),
            )
            for a in page.items
        ],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post("", response={201: ApplicationOut, **ERRORS}, summary="Start a draft")
def create_draft(
    request: HttpRequest, body: BodyEx[DraftIn, P()], response: HttpResponse
) -> Answer[ApplicationOut]:
    """Start a draft application for your organisation, with any fields already known."""
    who = caller(request)
    sent = body.model_dump(exclude_unset=True)
    application = filing.create_draft(
        actor=who.actor,
        user=who.filer(),
        kind=body.kind.value,
        values=_values({k: v for k, v in sent.items() if k != "kind"}),
    )
    response["Location"] = _link(request, application.pk)
    return Answer(201, _out(get_own_application_for(who.actor, application.pk), response))


@router.get("/{application_id}", response={200: ApplicationOut, **ERRORS}, summary="Read")
def read_application(
    request: HttpRequest, application_id: AppId, response: HttpResponse
) -> ApplicationOut:
    """One of your applications with every field, confidential ones included."""
    _, application = _own(request, application_id)
    return _out(application, response)


@router.patch("/{application_id}", response={200: ApplicationOut, **ERRORS}, summary="Update")
def update_application(
    request: HttpRequest,
    application_id: AppId,
    body: BodyEx[DraftUpdate, P()],
    response: HttpResponse,
    if_match: IfMatch = None,
) -> ApplicationOut:
    """Change fields of a draft, or of an application awaiting correction (补正)."""
    who, application = _own(request, application_id)
    sent = body.model_dump(exclude_unset=True)
    sent.pop("revision", None)
    filing.update_draft(
        application.pk,
        actor=who.actor,
        values=_values(sent),
        revision=_revision(body.revision, if_match),
    )
    return _out(get_own_application_for(who.actor, application.pk), response)


@router.put(
    "/{application_id}/holders", response={200: ApplicationOut, **ERRORS}, summary="Set holders"
)
def set_holders(
    request: HttpRequest,
    application_id: AppId,
    body: BodyEx[HoldersIn, P()],
    response: HttpResponse,
) -> ApplicationOut:
    """Set the holders of the right and their shares (共有), which must add up to 100."""
    who, application = _own(request, application_id)
    ids = holder_ids_by_identifier(s.identifier for s in body.shares if s.identifier)
    errors = FieldErrors()
    shares: dict[int, str] = {}
    for index, entry in enumerate(body.shares):
        name = f"shares.{index}"
        holder_id = entry.holderId
        if entry.identifier is not None:
            holder_id = ids.get(entry.identifier.strip().upper())
            if holder_id is None or entry.holderId not in (None, holder_id):
                errors.add(name, gettext_noop("No such holder."))
                continue
        if holder_id is None:
            errors.add(name, gettext_noop("Name the holder by its id or its credit code."))
        elif holder_id in shares:
            errors.add(name, gettext_noop("This holder is listed twice."))
        else:
            shares[holder_id] = str(entry.share)
    errors.raise_if_any()
    try:
        filing.set_holders(application.pk, actor=who.actor, shares=shares)
    except ValidationFailed as refused:
        raise _by_position(refused, list(shares)) from None
    return _out(get_own_application_for(who.actor, application.pk), response)


def _by_position(refused: ValidationFailed, holder_ids: list[int]) -> ValidationFailed:
    """Name refused shares by their position in the request (the service names holder ids)."""
    position = {f"shares.{holder_id}": f"shares.{i}" for i, holder_id in enumerate(holder_ids)}
    return ValidationFailed({position.get(k, k): v for k, v in refused.errors.items()})


@router.get(
    "/{application_id}/materials", response={200: MaterialList, **ERRORS}, summary="Materials"
)
def list_materials(
    request: HttpRequest,
    application_id: AppId,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> MaterialList:
    """The materials in force (not removed or replaced), the oldest first."""
    _, application = _own(request, application_id)
    materials = filing.current_materials(application)
    page = pagination.by_key(materials, lambda m: (m.pk,), cursor, limit, (int,))
    return MaterialList(
        items=[_material(m) for m in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post(
    "/{application_id}/materials",
    response={201: MaterialOut, 413: Problem, **ERRORS},
    summary="Upload a material",
    openapi_extra=_UPLOAD_DOC,
)
def upload_material(request: HttpRequest, application_id: AppId) -> Answer[MaterialOut]:
    """Upload a material (multipart: ``kind`` and ``file``). PDF, PNG, JPEG, ZIP, DOCX, XLSX,
    CSV, TXT or JSON whose content matches its name; at most 20 MiB (samples 50 MiB)."""
    who, application = _own(request, application_id)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > UPLOAD_LIMIT:  # refuse before reading the body
        FieldErrors.raise_one(
            "file",
            gettext_noop("The file is larger than %(mib)s MiB."),
            mib=MAX_SAMPLE_BYTES // 2**20,
        )
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise ValidationFailed({"file": [Message(gettext_noop("Choose a file to upload."))]})
    name = (uploaded.name or "").replace("\x00", "")
    material = filing.add_material(
        application.pk,
        actor=who.actor,
        user=who.filer(),
        kind=request.POST.get("kind", ""),
        name=name,
        content=uploaded,
    )
    return Answer(201, _material(material))


@router.delete(
    "/{application_id}/materials/{material_id}",
    response={204: None, **ERRORS},
    summary="Remove a material",
)
def remove_material(
    request: HttpRequest,
    application_id: AppId,
    material_id: PathEx[int, P(ge=1, le=MAX_ID)],
) -> Answer[None]:
    """Withdraw a material from an application still being edited (the file is kept)."""
    who, application = _own(request, application_id)
    filing.remove_material(application.pk, material_id, actor=who.actor)
    return Answer(204, None)


@router.get(
    "/{application_id}/missing", response={200: MissingOut, **ERRORS}, summary="What is missing"
)
def missing(request: HttpRequest, application_id: AppId) -> MissingOut:
    """Fields and materials still missing before the application can be submitted."""
    _, application = _own(request, application_id)
    names = missing_for_submission(application)
    return MissingOut(
        complete=not names,
        missing=[MissingItem(name=api_name(n), label=capfirst(labels.field(n))) for n in names],
        declaration=DeclarationOut(
            version=DECLARATION.version,
            text=DECLARATION.text(labels.is_english()),
            sha256=DECLARATION.sha256,
        ),
    )


def _transition(
    request: HttpRequest, application_id: int, step: Any, response: HttpResponse, **kwargs: Any
) -> ApplicationOut:
    who, application = _own(request, application_id)
    step(application.pk, actor=who.actor, **kwargs)
    return _out(get_own_application_for(who.actor, application.pk), response)


@router.post("/{application_id}/submit", response={200: ApplicationOut, **ERRORS}, summary="Submit")
def submit(
    request: HttpRequest,
    application_id: AppId,
    response: HttpResponse,
    body: BodyEx[SubmitIn | None, P()] = None,
    if_match: IfMatch = None,
) -> ApplicationOut:
    """Submit a complete draft (提交) with the declaration of truthfulness accepted
    (``declaration``: its current version, from ``/missing``); it receives its application
    number."""
    revision = _revision(body.revision if body else None, if_match)
    declaration = body.declaration if body else None
    return _transition(
        request,
        application_id,
        filing.submit,
        response,
        revision=revision,
        declaration=declaration,
    )


@router.post(
    "/{application_id}/resubmit", response={200: ApplicationOut, **ERRORS}, summary="Resubmit"
)
def resubmit(
    request: HttpRequest,
    application_id: AppId,
    response: HttpResponse,
    body: BodyEx[SubmitIn | None, P()] = None,
    if_match: IfMatch = None,
) -> ApplicationOut:
    """Resubmit the corrected application (补正) before the correction deadline, with the
    declaration of truthfulness accepted again (``declaration``, as for submission)."""
    revision = _revision(body.revision if body else None, if_match)
    declaration = body.declaration if body else None
    return _transition(
        request,
        application_id,
        filing.resubmit,
        response,
        revision=revision,
        declaration=declaration,
    )


@router.post(
    "/{application_id}/withdraw", response={200: ApplicationOut, **ERRORS}, summary="Withdraw"
)
def withdraw(
    request: HttpRequest,
    application_id: AppId,
    response: HttpResponse,
    body: BodyEx[WithdrawIn | None, P()] = None,
) -> ApplicationOut:
    """Withdraw the application before approval (撤回)."""
    reason = body.reason if body else ""
    return _transition(request, application_id, filing.withdraw, response, reason=reason)


@router.get(
    "/{application_id}/events", response={200: EventList, **ERRORS}, summary="Status timeline"
)
def events(
    request: HttpRequest,
    application_id: AppId,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> EventList:
    """Every step of the application so far, the oldest first, each with its entry in the
    transparency log (``logIndex``). Its evidence bundle with every opening of the leaf, for
    the holder: ``/applications/{id}/events/{event_id}/bundle``."""
    _, application = _own(request, application_id)
    page = pagination.by_id(application.events.all(), cursor, limit, descending=False)
    return EventList(
        items=[
            EventOut(
                id=e.pk,
                action=e.action,
                label=labels.event(e.action),
                fromStatus=e.from_status,
                toStatus=e.to_status,
                at=e.occurred_at,
                actorRole=e.actor_role,
                actorRoleLabel=labels.role(e.actor_role),
                logIndex=e.leaf_index,
            )
            for e in page.items
        ],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.get(
    "/{application_id}/events/{event_id}/bundle",
    response={200: dict[str, object], **ERRORS},
    summary="Evidence bundle of a step, with its openings",
)
def event_bundle(
    request: HttpRequest,
    application_id: AppId,
    event_id: PathEx[int, P(ge=1, le=MAX_ID, description="The event's id")],
) -> HttpResponse:
    """The evidence bundle of one step, with the openings of every commitment of its leaf
    (``dip.event/v2``): for the holder, and through the holder a court or a bank
    (``dataip verify`` checks it offline; its opened ``prev`` names the previous step's leaf)."""
    _, application = _own(request, application_id)
    event = application.events.filter(pk=event_id).exclude(leaf_index=None).first()
    if event is None:
        raise NotFound(gettext_noop("No such event of this application."))
    response = HttpResponse(bundles.bundle_for_event(event), content_type="application/json")
    name = f"{application.number or application.pk}-event-{event.pk}.bundle.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/{application_id}/application.pdf",
    response={200: None, **ERRORS},
    summary="The submitted application (PDF, for your records)",
    openapi_extra={
        "responses": {
            200: {
                "description": "A4 pages, Chinese and English, confidential fields included",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def application_pdf(request: HttpRequest, application_id: AppId) -> HttpResponse:
    """Your copy of the submitted application: every declared field (confidential ones marked),
    holders, materials with their SHA-256, cited deposits and the declaration accepted. A draft
    (not submitted yet) is 404."""
    application = copy_for(caller(request).actor, application_id)
    data = application_copy(application, cited_deposits(application))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.number}-application.pdf"'
    return response
