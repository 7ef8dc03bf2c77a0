"""Identity of organisations (主体认证): sign-up that reveals nothing, the documents, the
verifier, and the registrar's decision.

Sign-up creates the organisation **pending** and its first member. When the identifier (USCC
or resident ID) is already registered, it creates an identity claim dispute
(:class:`~dataip.registry.models.OrganisationClaim`) for the registrar instead, and the
claimant acts for no organisation until the registrar decides. Both paths check the same
things, run the same queries in the same order (one locked look-up by identifier, two inserts,
the documents) and end the same way, so nothing in the answer tells an outsider which codes are
registered. A pending organisation may draft but not submit (the ``SUBMIT`` rule in
:mod:`dataip.registry.workflow`).

The verifier named by ``DATAIP_IDENTITY_VERIFIER`` (:mod:`dataip.registry.verifiers`) runs
when both documents are in: its ``verified`` or ``refused`` settles a new organisation; a
dispute only ever settles by the registrar (a ``refused`` verdict refuses it too, as it would a
new organisation, so the claimant sees the same).

Every decision tells the people it concerns, in its transaction (notices of the account group,
:mod:`dataip.registry.notices`): the members of an organisation verified or refused, the
claimant of a dispute granted or refused, the registrars of a case that starts waiting for them.
The organisation's audit trail (:mod:`dataip.accounts.activity`) records the registrar's
decisions, a member who joined by a granted dispute, and the documents uploaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction

from dataip.accounts.activity import record_activity
from dataip.accounts.models import OrgRole, User
from dataip.errors import (
    FieldErrors,
    Message,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    gettext_noop,
)
from dataip.registry import clock
from dataip.registry.models import (
    ClaimStatus,
    DocumentKind,
    Holder,
    IdentityDocument,
    OrganisationClaim,
    OrganisationType,
    Verification,
)
from dataip.registry.notices import members_of, notify_account, registrars
from dataip.registry.services.applications import check_holder
from dataip.registry.validators import required_text, sniff
from dataip.registry.verifiers import IdentityClaim, Outcome, Verdict, configured_verifier
from dataip.registry.workflow import Actor, Role

DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
Upload = tuple[str, IO[bytes]]
"""An uploaded file: its name and its content."""
Checked = tuple[str, str, bytes, str]
"""A document read and checked: kind, name, content, content type."""


@dataclass(frozen=True)
class SignedUp:
    """A sign-up done: the new member, and either its pending organisation or its claim."""

    user: User
    holder: Holder | None
    claim: OrganisationClaim | None


# ── documents ─────────────────────────────────────────────────────────────────────────


def read_documents(documents: Mapping[str, Upload | None], errors: FieldErrors) -> list[Checked]:
    """Read and check the documents given (business licence, authorisation): PDF, JPEG or PNG
    by their content, at most ``DATAIP_IDENTITY_DOCUMENT_MAX_BYTES``; a bad one is named by its
    kind."""
    limit = settings.DATAIP_IDENTITY_DOCUMENT_MAX_BYTES
    checked = []
    for kind in DocumentKind.values:
        upload = documents.get(kind)
        if upload is None:
            continue
        name, content = upload
        data = content.read(limit + 1)
        content_type = sniff(name, data[:4096])
        if not data or len(data) > limit or content_type not in DOCUMENT_TYPES:
            errors.add(
                kind,
                gettext_noop("Upload a PDF, JPEG or PNG file of at most %(mib)s MiB."),
                mib=limit // (1024 * 1024),
            )
        else:
            checked.append((kind, name, data, content_type))
    return checked


def _store(
    files: list[Checked], uploader: User, *, holder: Holder | None, claim: OrganisationClaim | None
) -> None:
    for kind, name, data, content_type in files:
        sha256 = hashlib.sha256(data).hexdigest()
        item = IdentityDocument(
            holder=holder,
            claim=claim,
            kind=kind,
            original_name=name[-255:],
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            uploaded_by=uploader,
        )
        item.file.save(sha256, File(BytesIO(data)), save=False)
        item.save()


def _current(stored: list[tuple[str, str, str]], new: list[Checked]) -> dict[str, tuple[str, str]]:
    """The document of each kind that counts (the latest): kind → (content type, SHA-256)."""
    current = {kind: (content_type, sha256) for kind, content_type, sha256 in stored}
    for kind, _name, data, content_type in new:
        current[kind] = (content_type, hashlib.sha256(data).hexdigest())
    return current


def _verdict(subject: Holder | OrganisationClaim, current: dict[str, tuple[str, str]]) -> Verdict:
    """The verifier's verdict once every kind of document is in; ``manual`` before."""
    if set(current) != set(DocumentKind.values):
        return Verdict(Outcome.MANUAL)
    claim = IdentityClaim(
        kind=subject.kind,
        org_type=subject.org_type,
        name=subject.name,
        identifier=subject.identifier,
        province_code=subject.province_code,
        documents=tuple((k, *current[k]) for k in sorted(current)),
    )
    return configured_verifier().check(claim)


def _apply_to_holder(holder: Holder, verdict: Verdict, when: datetime) -> None:
    """Settle a new organisation as the verifier says (``manual``: it stays pending)."""
    holder.verification = Verification.PENDING
    holder.refusal_reason = ""
    if verdict.outcome == Outcome.VERIFIED:
        holder.verification, holder.verified_at = Verification.VERIFIED, when
    elif verdict.outcome == Outcome.REFUSED:
        holder.verification = Verification.REFUSED
        holder.refusal_reason = _reason(verdict)


def _apply_to_claim(claim: OrganisationClaim, verdict: Verdict, when: datetime) -> None:
    """Record the verifier's verdict on a dispute; only a refusal settles it."""
    claim.status, claim.refusal_reason = ClaimStatus.PENDING, ""
    claim.verifier_verdict = verdict.outcome.value
    claim.verifier_reason = _reason(verdict)
    if verdict.outcome == Outcome.REFUSED:
        claim.status, claim.refusal_reason, claim.decided_at = (
            ClaimStatus.REFUSED,
            _reason(verdict),
            when,
        )


def _reason(verdict: Verdict) -> str:
    return verdict.reason.msgid if verdict.reason is not None else ""


# ── sign-up ───────────────────────────────────────────────────────────────────────────


def sign_up(
    user: User,
    *,
    kind: str,
    org_type: str,
    name: str,
    identifier: str,
    province_code: str,
    name_en: str = "",
    documents: Mapping[str, Upload | None] | None = None,
    at: datetime | None = None,
) -> SignedUp:
    """Create the account ``user`` (not saved yet, its password set) and its organisation,
    pending verification; or, when the identifier is already registered, an identity claim
    dispute for the registrar — with no difference the applicant can see.

    ``documents`` maps a :class:`~dataip.registry.models.DocumentKind` to an upload; both may
    come later, from the verification page.
    """
    errors = FieldErrors()
    normalised = check_holder(
        errors, kind=kind, name=name, identifier=identifier, province_code=province_code
    )
    if org_type not in OrganisationType.values:
        errors.add("org_type", gettext_noop("Choose a valid type of organisation."))
    files = read_documents(documents or {}, errors)
    errors.raise_if_any()
    when = at or clock.now()
    declared = {
        "kind": kind,
        "org_type": org_type,
        "name": name.strip(),
        "name_en": name_en.strip(),
        "identifier": normalised,
        "province_code": province_code[:2],
        "contact_email": user.email,
    }
    with transaction.atomic():
        # Locked, so two sign-ups with one new code queue: the second becomes a dispute.
        existing = Holder.objects.select_for_update().filter(identifier=normalised).first()
        if existing is None:
            try:
                return _new_organisation(user, declared, files, when)
            except IntegrityError:  # a concurrent sign-up took the code first
                existing = Holder.objects.get(identifier=normalised)
        return _dispute(user, existing, declared, files, when)


def _new_organisation(
    user: User, declared: dict[str, str], files: list[Checked], when: datetime
) -> SignedUp:
    holder = Holder(**declared, is_lender=declared["org_type"] == OrganisationType.BANK)
    _apply_to_holder(holder, _verdict(holder, _current([], files)), when)
    with transaction.atomic():
        holder.save()
    user.holder = holder
    user.display_name = user.display_name or holder.name
    user.save()
    _store(files, user, holder=holder, claim=None)
    _tell_registrars(holder, when)
    return SignedUp(user, holder, None)


def _dispute(
    user: User, existing: Holder, declared: dict[str, str], files: list[Checked], when: datetime
) -> SignedUp:
    user.holder = None
    user.display_name = user.display_name or declared["name"]
    with transaction.atomic():  # the same statements, in the same order, as a new one's
        user.save()
    claim = OrganisationClaim(holder=existing, claimant=user, **declared)
    _apply_to_claim(claim, _verdict(claim, _current([], files)), when)
    claim.save()
    _store(files, user, holder=None, claim=claim)
    _tell_registrars(claim, when)
    return SignedUp(user, None, claim)


def _tell_registrars(subject: Holder | OrganisationClaim, when: datetime) -> None:
    """Tell the registrars that a case starts waiting for them (a new organisation to verify,
    or a dispute): at sign-up, and when documents uploaded again reopen a refused case."""
    pending = (
        subject.verification == Verification.PENDING
        if isinstance(subject, Holder)
        else subject.status == ClaimStatus.PENDING
    )
    if not pending:
        return
    case = "organisation" if isinstance(subject, Holder) else "dispute"
    kind = "organisation_waiting" if case == "organisation" else "dispute_waiting"
    notify_account(
        kind,
        recipients=registrars(),
        key=f"identity.{case}.{subject.pk}.waiting.{when.timestamp():.6f}",
        params={"organisation": subject.name, "case": case, "case_id": subject.pk},
        at=when,
    )


# ── documents uploaded later, from the verification page ────────────────────────────────


def upload_documents(
    user: User, documents: Mapping[str, Upload | None], *, at: datetime | None = None
) -> Holder | OrganisationClaim:
    """Upload the business licence and/or the authorisation again for the user's organisation
    while it is not verified (a refused one goes back to pending), or for the user's dispute
    while the registrar has not granted it; the verifier runs once both are in."""
    errors = FieldErrors()
    files = read_documents(documents, errors)
    if not files and not errors:
        errors.add("documents", gettext_noop("Choose at least one document to upload."))
    errors.raise_if_any()
    when = at or clock.now()
    with transaction.atomic():
        subject = _unverified_subject_of(user)
        stored = _stored(subject)
        verdict = _verdict(subject, _current(stored, files))
        if isinstance(subject, Holder):
            was_refused = subject.verification == Verification.REFUSED
            _apply_to_holder(subject, verdict, when)
            subject.save(update_fields=["verification", "verified_at", "refusal_reason"])
            _store(files, user, holder=subject, claim=None)
            record_activity(
                subject.pk,
                user,
                "documents_uploaded",
                {"username": user.username, "documents": sorted(f[0] for f in files)},
            )
        else:
            was_refused = subject.status == ClaimStatus.REFUSED
            _apply_to_claim(subject, verdict, when)
            subject.save(
                update_fields=[
                    "status",
                    "refusal_reason",
                    "decided_at",
                    "verifier_verdict",
                    "verifier_reason",
                ]
            )
            _store(files, user, holder=None, claim=subject)
        if was_refused:  # back in the registrar's queue
            _tell_registrars(subject, when)
    return subject


def _unverified_subject_of(user: User) -> Holder | OrganisationClaim:
    """The user's organisation waiting for verification, or the user's open dispute (locked)."""
    if user.holder_id is not None:
        holder = Holder.objects.select_for_update().get(pk=user.holder_id)
        if holder.verification == Verification.VERIFIED:
            raise TransitionNotAllowed(gettext_noop("Your organisation is verified already."))
        return holder
    claim = OrganisationClaim.objects.select_for_update().filter(claimant=user).first()
    if claim is None:
        raise NotFound(gettext_noop("You act for no organisation."))
    if claim.status == ClaimStatus.GRANTED:  # the claimant acts for the organisation now
        raise TransitionNotAllowed(gettext_noop("Your organisation is verified already."))
    return claim


def _stored(subject: Holder | OrganisationClaim) -> list[tuple[str, str, str]]:
    owner = {"holder": subject} if isinstance(subject, Holder) else {"claim": subject}
    return list(
        IdentityDocument.objects.filter(**owner)
        .order_by("id")
        .values_list("kind", "content_type", "sha256")
    )


# ── the registrar's decision ────────────────────────────────────────────────────────────


def _registrar(actor: Actor) -> int:
    if Role.REGISTRAR not in actor.roles or actor.user_id is None:
        raise PermissionDenied(gettext_noop("Only a registrar verifies organisations."))
    return actor.user_id


NOT_WAITING = gettext_noop("This organisation is not waiting for verification.")


def approve_organisation(holder_id: int, *, actor: Actor, at: datetime | None = None) -> Holder:
    """The registrar verifies a pending organisation: it may submit applications from now."""
    registrar_id = _registrar(actor)
    with transaction.atomic():
        holder = Holder.objects.select_for_update().filter(pk=holder_id).first()
        if holder is None:
            raise NotFound(gettext_noop("No such organisation."))
        if holder.verification != Verification.PENDING:
            raise TransitionNotAllowed(NOT_WAITING)
        holder.verification, holder.refusal_reason = Verification.VERIFIED, ""
        holder.verified_at, holder.verified_by_id = at or clock.now(), registrar_id
        holder.save(update_fields=["verification", "verified_at", "verified_by", "refusal_reason"])
        _decided(holder, registrar_id, "organisation_verified", {})
    return holder


def refuse_organisation(
    holder_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> Holder:
    """The registrar refuses a pending organisation, with the reason its members see; they may
    upload their documents again."""
    registrar_id = _registrar(actor)
    errors = FieldErrors()
    reason = required_text(errors, "reason", reason, 2000)
    errors.raise_if_any()
    with transaction.atomic():
        holder = Holder.objects.select_for_update().filter(pk=holder_id).first()
        if holder is None:
            raise NotFound(gettext_noop("No such organisation."))
        if holder.verification != Verification.PENDING:
            raise TransitionNotAllowed(NOT_WAITING)
        holder.verification, holder.refusal_reason = Verification.REFUSED, reason
        holder.verified_at, holder.verified_by_id = at or clock.now(), registrar_id
        holder.save(update_fields=["verification", "verified_at", "verified_by", "refusal_reason"])
        _decided(holder, registrar_id, "organisation_refused", {"reason": reason})
    return holder


def _decided(holder: Holder, registrar_id: int, kind: str, params: dict[str, str]) -> None:
    """Record the registrar's decision in the organisation's audit trail and tell its members
    (same transaction)."""
    registrar = User.objects.get(pk=registrar_id)
    row = record_activity(holder.pk, registrar, kind, {"name": holder.name, **params})
    assert holder.verified_at is not None  # noqa: S101 - set by the decision
    notify_account(
        kind,
        recipients=members_of(holder.pk),
        key=f"activity.{row.pk}.{kind}",
        params={"organisation": holder.name, **params},
        at=holder.verified_at,
    )


def _open_claim(claim_id: int) -> OrganisationClaim:
    claim = (
        OrganisationClaim.objects.select_for_update()
        .select_related("claimant")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFound(gettext_noop("No such dispute."))
    if claim.status != ClaimStatus.PENDING:
        raise TransitionNotAllowed(gettext_noop("This dispute is decided already."))
    return claim


def grant_claim(claim_id: int, *, actor: Actor, at: datetime | None = None) -> OrganisationClaim:
    """The registrar grants a dispute: the claimant joins the existing organisation."""
    registrar_id = _registrar(actor)
    with transaction.atomic():
        claim = _open_claim(claim_id)
        if claim.claimant.holder_id is not None:
            raise TransitionNotAllowed(
                Message(gettext_noop("The claimant acts for another organisation already."))
            )
        claim.status, claim.refusal_reason = ClaimStatus.GRANTED, ""
        claim.decided_at, claim.decided_by_id = at or clock.now(), registrar_id
        claim.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
        # The claimant joins as the organisation's administrator, by the registrar's decision.
        claimant = claim.claimant
        claimant.holder_id, claimant.org_role = claim.holder_id, OrgRole.ADMINISTRATOR
        claimant.save(update_fields=["holder", "org_role"])
        row = record_activity(
            claim.holder_id,
            User.objects.get(pk=registrar_id),
            "member_joined",
            {"username": claimant.username, "role": OrgRole.ADMINISTRATOR, "by": "registrar"},
        )
        notify_account(
            "dispute_granted",
            recipients=[claimant.pk],
            key=f"activity.{row.pk}.dispute_granted",
            params={"organisation": claim.holder.name},
            at=claim.decided_at,
        )
    return claim


def refuse_claim(
    claim_id: int, *, actor: Actor, reason: str, at: datetime | None = None
) -> OrganisationClaim:
    """The registrar refuses a dispute, with the reason the claimant sees."""
    registrar_id = _registrar(actor)
    errors = FieldErrors()
    reason = required_text(errors, "reason", reason, 2000)
    errors.raise_if_any()
    with transaction.atomic():
        claim = _open_claim(claim_id)
        claim.status, claim.refusal_reason = ClaimStatus.REFUSED, reason
        claim.decided_at, claim.decided_by_id = at or clock.now(), registrar_id
        claim.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
        notify_account(
            "dispute_refused",
            recipients=[claim.claimant_id],
            key=f"identity.dispute.{claim.pk}.refused.{claim.decided_at.timestamp():.6f}",
            params={"organisation": claim.name, "reason": reason},
            at=claim.decided_at,
        )
    return claim


def decide(
    case: str, case_id: int, *, actor: Actor, approve: bool, reason: str = ""
) -> Holder | OrganisationClaim:
    """The registrar's decision on a case of the queue: an ``organisation`` to verify, or a
    ``dispute`` to grant; approve, or refuse with the reason."""
    if case == "organisation":
        if approve:
            return approve_organisation(case_id, actor=actor)
        return refuse_organisation(case_id, actor=actor, reason=reason)
    if case == "dispute":
        if approve:
            return grant_claim(case_id, actor=actor)
        return refuse_claim(case_id, actor=actor, reason=reason)
    raise NotFound(gettext_noop("No such organisation."))
