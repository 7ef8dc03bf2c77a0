"""Filing (申请): holders, drafts, holder shares, materials, submission and withdrawal."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction

from dataip.accounts.models import User
from dataip.errors import (
    FieldErrors,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    gettext_noop,
)
from dataip.registry import clock, reference
from dataip.registry.declaration import DECLARATION
from dataip.registry.events import digest
from dataip.registry.fields import (
    EDITABLE,
    clean_product,
)
from dataip.registry.identifiers import (
    InvalidIdentifier,
    validate_resident_id,
    validate_uscc,
)
from dataip.registry.kinds import MaterialKind
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    DataProduct,
    Holder,
    HolderKind,
    Material,
)
from dataip.registry.regimes import load_regime
from dataip.registry.services import numbering, quotas
from dataip.registry.services.transition import Made, transition
from dataip.registry.validators import MAX_MATERIAL_BYTES, MAX_SAMPLE_BYTES, sniff
from dataip.registry.workflow import Action, Actor

IDENTIFIER_REASONS = {
    "empty": gettext_noop("This field is required."),
    "length": gettext_noop("The number has the wrong length."),
    "format": gettext_noop("The number has an invalid format."),
    "checksum": gettext_noop("The check digit does not match; please check the number."),
    "birth_date": gettext_noop("The birth date in the number is not valid."),
}

# ── holders ─────────────────────────────────────────────────────────────────────────────


def check_holder(
    errors: FieldErrors, *, kind: str, name: str, identifier: str, province_code: str
) -> str:
    """Check a holder's kind, name, identity number and province (naming each bad field in
    ``errors``); the normalised identity number."""
    if kind not in HolderKind.values:
        errors.add("kind", gettext_noop("Choose a valid kind of holder."))
    if not name.strip():
        errors.add("name", gettext_noop("This field is required."))
    elif len(name) > 200:
        errors.add("name", gettext_noop("At most %(max)s characters."), max=200)
    normalised = identifier
    try:
        if kind == HolderKind.NATURAL_PERSON:
            normalised = validate_resident_id(identifier)
        else:
            normalised = validate_uscc(identifier)
    except InvalidIdentifier as exc:
        errors.add("identifier", IDENTIFIER_REASONS.get(exc.reason, IDENTIFIER_REASONS["format"]))
    try:
        reference.province(province_code)
    except KeyError:
        errors.add("province_code", gettext_noop("Choose a valid province."))
    return normalised


def create_holder(
    *,
    kind: str,
    name: str,
    identifier: str,
    province_code: str,
    name_en: str = "",
    address: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    is_agency: bool = False,
) -> Holder:
    """Register a holder (登记主体) after checking its identity number.

    Organisations give a Unified Social Credit Code, natural persons a resident ID number.
    """
    errors = FieldErrors()
    normalised = check_holder(
        errors, kind=kind, name=name, identifier=identifier, province_code=province_code
    )
    errors.raise_if_any()
    try:
        with transaction.atomic():
            return Holder.objects.create(
                kind=kind,
                name=name.strip(),
                name_en=name_en.strip(),
                identifier=normalised,
                province_code=province_code[:2],
                address=address,
                contact_email=contact_email,
                contact_phone=contact_phone,
                is_agency=is_agency,
            )
    except IntegrityError:
        raise ValidationFailed(
            {
                "identifier": [
                    Message(gettext_noop("A holder with this number is already registered."))
                ]
            }
        ) from None


# ── drafts ──────────────────────────────────────────────────────────────────────────────


def create_draft(
    *,
    actor: Actor,
    user: User,
    kind: str,
    values: Mapping[str, Any] | None = None,
    regime_code: str | None = None,
    at: datetime | None = None,
) -> Application:
    """Start an application (草稿) for the holder the user acts for; it is the first holder."""
    if user.holder_id is None or actor.user_id != user.pk or user.holder_id not in actor.holder_ids:
        raise PermissionDenied(
            gettext_noop("Only a user acting for a holder can file an application.")
        )
    at = at or clock.now()
    regime_code = regime_code or settings.DATAIP_REGIME
    cleaned = clean_product(
        regime_code, {"kind": kind, **(values or {})}, clock.local_date(at), kind
    )
    with transaction.atomic():
        # The organisation's row serialises its drafts, so the daily quota holds across servers.
        holder = Holder.objects.select_for_update().get(pk=user.holder_id)
        quotas.check_drafts(holder.pk)
        product = DataProduct.objects.create(**cleaned)
        application = Application.objects.create(
            regime_code=regime_code, product=product, filed_by_id=user.holder_id, created_by=user
        )
        if not holder.is_agency:
            ApplicationHolder.objects.create(
                application=application, holder_id=user.holder_id, share=Decimal(100)
            )
    return application


def update_draft(
    application_id: int,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    revision: int | None = None,
    at: datetime | None = None,
) -> Application:
    """Change product fields of a draft, or of an application awaiting correction."""

    def effect(application: Application, when: datetime) -> None:
        product = application.product
        cleaned = clean_product(
            application.regime_code, values, clock.local_date(when), product.kind
        )
        for name, value in cleaned.items():
            setattr(product, name, value)
        product.save()

    return transition(
        application_id, Action.EDIT, actor=actor, at=at, revision=revision, effect=effect
    ).application


def set_holders(
    application_id: int,
    *,
    actor: Actor,
    shares: Mapping[int, Decimal | int | str],
    at: datetime | None = None,
) -> Application:
    """Set the holders of the right and their shares (共有), which must sum to 100%."""
    errors = FieldErrors()
    parsed: dict[int, Decimal] = {}
    for holder_id, share in shares.items():
        try:
            value = Decimal(str(share))
        except InvalidOperation:
            errors.add(f"shares.{holder_id}", gettext_noop("Must be a number."))
            continue
        if (
            not value.is_finite()
            or value <= 0
            or value > 100
            or value != value.quantize(Decimal("0.01"))
        ):
            errors.add(
                f"shares.{holder_id}",
                gettext_noop("Must be more than 0 and at most 100, with at most two decimals."),
            )
        parsed[holder_id] = value
    if not shares:
        errors.add("shares", gettext_noop("At least one holder is required."))
    elif not errors and sum(parsed.values()) != 100:
        errors.add(
            "shares",
            gettext_noop("Shares must add up to 100%% (now %(total)s%%)."),
            total=sum(parsed.values()),
        )
    known = set(Holder.objects.filter(pk__in=parsed).values_list("pk", flat=True))
    for holder_id in set(parsed) - known:
        errors.add(f"shares.{holder_id}", gettext_noop("No such holder."))
    errors.raise_if_any()

    def effect(application: Application, when: datetime) -> None:
        ApplicationHolder.objects.filter(application=application).delete()
        ApplicationHolder.objects.bulk_create(
            ApplicationHolder(application=application, holder_id=h, share=s)
            for h, s in parsed.items()
        )

    return transition(application_id, Action.EDIT, actor=actor, at=at, effect=effect).application


# ── materials ───────────────────────────────────────────────────────────────────────────


def add_material(
    application_id: int,
    *,
    actor: Actor,
    user: User,
    kind: str,
    name: str,
    content: IO[bytes],
    at: datetime | None = None,
) -> Material:
    """Upload a material (申请材料); it is hashed (SHA-256) as it is stored.

    Allowed: PDF, PNG, JPEG, ZIP/DOCX/XLSX, UTF-8 text (CSV, TXT, JSON). At most 20 MiB,
    samples 50 MiB. A file whose content does not match its extension is refused.
    """
    errors = FieldErrors()
    if kind not in {k.value for k in MaterialKind}:
        errors.add("kind", gettext_noop("Choose a valid kind of material."))
    limit = MAX_SAMPLE_BYTES if kind == MaterialKind.SAMPLES else MAX_MATERIAL_BYTES
    hasher, size = hashlib.sha256(), 0
    head = content.read(4096)
    content.seek(0)
    while chunk := content.read(1024 * 1024):
        hasher.update(chunk)
        size += len(chunk)
        if size > limit:
            break
    content.seek(0)
    content_type = sniff(name, head)
    if size == 0:
        errors.add("file", gettext_noop("The file is empty."))
    elif size > limit:
        errors.add("file", gettext_noop("The file is larger than %(mib)s MiB."), mib=limit // 2**20)
    if content_type is None:
        errors.add(
            "file",
            gettext_noop(
                "This type of file is not accepted, or its content does not match its name. "
                "Accepted: PDF, PNG, JPEG, ZIP, DOCX, XLSX, CSV, TXT, JSON."
            ),
        )
    errors.raise_if_any()
    sha256 = hasher.hexdigest()

    def effect(application: Application, when: datetime) -> Made[Material]:
        material = Material(
            application=application,
            kind=kind,
            original_name=name[-255:],
            content_type=content_type or "",
            size=size,
            sha256=sha256,
            uploaded_by=user,
        )
        material.file.save(sha256, File(content), save=False)
        material.save()
        return Made(material, {})

    return transition(application_id, Action.EDIT, actor=actor, at=at, effect=effect).made


def remove_material(
    application_id: int, material_id: int, *, actor: Actor, at: datetime | None = None
) -> None:
    """Withdraw a material from an application still being edited (the file is kept)."""

    def effect(application: Application, when: datetime) -> None:
        updated = Material.objects.filter(
            pk=material_id, application=application, withdrawn_at__isnull=True
        ).update(withdrawn_at=when)
        if not updated:
            raise NotFound(gettext_noop("No such material."))

    transition(application_id, Action.EDIT, actor=actor, at=at, effect=effect)


def current_materials(application: Application) -> list[Material]:
    """Materials in force (not withdrawn or replaced)."""
    return list(application.materials.filter(withdrawn_at__isnull=True))


def product_digest(product: DataProduct | Mapping[str, Any]) -> str:
    """SHA-256 of the product's declared fields (dates in ISO form, empty ones left out): logged
    at submission and after each change applied, so the product cannot change unseen."""
    values = product if isinstance(product, Mapping) else {n: getattr(product, n) for n in EDITABLE}
    fields = {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name in sorted(EDITABLE)
        if (value := values.get(name)) not in (None, "")
    }
    return digest(fields)


def content_digest(application: Application) -> dict[str, Any]:
    """What the applicant filed, as digests: logged at submission so it cannot change unseen."""
    return {
        "product_sha256": product_digest(application.product),
        "holders": sorted([h.holder_id, str(h.share)] for h in application.holders.all()),
        "materials": sorted(m.sha256 for m in current_materials(application)),
        "deposits": sorted(application.deposit_citations.values_list("deposit__number", flat=True)),
    }


# ── submission and withdrawal ───────────────────────────────────────────────────────────


def _declared(declaration: str | None, when: datetime) -> dict[str, Any]:
    """The accepted declaration of truthfulness, as the event logs it; refused (naming the
    field ``declaration``) unless the current version was accepted."""
    if declaration != DECLARATION.version:
        FieldErrors.raise_one(
            "declaration",
            gettext_noop("Accept the declaration of truthfulness to submit the application."),
        )
    return {"declaration": {**DECLARATION.record(), "accepted_at": when.isoformat()}}


def submit(
    application_id: int,
    *,
    actor: Actor,
    declaration: str | None,
    revision: int | None = None,
    at: datetime | None = None,
) -> Application:
    """Submit a complete draft (提交申请); it receives its application number.

    ``declaration`` is the version of the declaration of truthfulness the applicant accepted
    (:data:`dataip.registry.declaration.DECLARATION`); anything else is refused."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        accepted = _declared(declaration, when)
        regime = load_regime(application.regime_code)
        application.number = numbering.next_application_number(regime, clock.local_date(when))
        application.submitted_at = when
        return {**content_digest(application), "number": application.number, **accepted}

    return transition(
        application_id, Action.SUBMIT, actor=actor, at=at, revision=revision, effect=effect
    ).application


def resubmit(
    application_id: int,
    *,
    actor: Actor,
    declaration: str | None,
    revision: int | None = None,
    at: datetime | None = None,
) -> Application:
    """Answer a correction request (补正) by resubmitting the corrected application, with the
    declaration of truthfulness accepted again (as for :func:`submit`)."""

    def effect(application: Application, when: datetime) -> dict[str, Any]:
        accepted = _declared(declaration, when)
        application.correction_due = None
        return {**content_digest(application), **accepted}

    return transition(
        application_id, Action.RESUBMIT, actor=actor, at=at, revision=revision, effect=effect
    ).application


def withdraw(
    application_id: int, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Application:
    """Withdraw an application before approval (撤回)."""

    def effect(application: Application, when: datetime) -> None:
        application.decided_at = when

    return transition(
        application_id, Action.WITHDRAW, actor=actor, reason=reason, at=at, effect=effect
    ).application


__all__ = [
    "add_material",
    "create_draft",
    "create_holder",
    "product_digest",
    "remove_material",
    "resubmit",
    "set_holders",
    "submit",
    "update_draft",
    "withdraw",
]
