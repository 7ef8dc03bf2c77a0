"""Identity of organisations (主体认证), the read side: what an applicant sees of its own
verification, and the registrar's queue of organisations and disputes.

An applicant whose sign-up became a dispute sees exactly what a new organisation sees: the
name and code it gave, "pending verification", its documents, and the reason if refused. Only
the registrar learns that the code was registered already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import (
    ClaimStatus,
    DocumentKind,
    Holder,
    IdentityDocument,
    OrganisationClaim,
    Verification,
)
from dataip.registry.workflow import Actor, Role


class CaseKind(StrEnum):
    """What waits in the registrar's queue."""

    ORGANISATION = "organisation"  # a new organisation to verify
    DISPUTE = "dispute"  # a sign-up with a code already registered (主体认领争议)


CLAIM_STATES = {
    ClaimStatus.PENDING: Verification.PENDING,
    ClaimStatus.REFUSED: Verification.REFUSED,
    ClaimStatus.GRANTED: Verification.VERIFIED,
}
"""How a dispute looks to its claimant: like a new organisation's verification."""


@dataclass(frozen=True)
class Document:
    """An identity document as listed (the file is fetched through :func:`document_for`)."""

    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    current: bool
    """The latest of its kind: the one that counts."""


@dataclass(frozen=True)
class VerificationState:
    """An organisation's verification as its members (or a claimant) see it."""

    state: str
    """``verified``, ``pending`` or ``refused`` (:class:`~dataip.registry.models.Verification`)."""
    name: str
    identifier: str
    kind: str
    org_type: str
    refusal_reason: str
    documents: tuple[Document, ...]
    missing: tuple[str, ...]
    """Kinds of document still to upload."""

    @property
    def may_upload(self) -> bool:
        """Whether documents may be uploaded (until verified)."""
        return self.state != Verification.VERIFIED


@dataclass(frozen=True)
class Case:
    """A case of the registrar's queue: an organisation to verify, or a dispute."""

    kind: CaseKind
    id: int
    name: str
    name_en: str
    identifier: str
    holder_kind: str
    org_type: str
    province_code: str
    contact_email: str
    state: str
    since: datetime
    refusal_reason: str
    documents: tuple[Document, ...]
    people: tuple[str, ...]
    """The members who signed up (organisation) or the claimant (dispute): user names."""
    registered_name: str = ""
    """For a dispute: the name of the organisation already registered under the code."""
    registered_members: tuple[str, ...] = ()
    verifier_verdict: str = ""
    verifier_reason: str = ""

    @property
    def pending(self) -> bool:
        """Whether the case waits for the registrar's decision."""
        return self.state == Verification.PENDING


def _documents(rows: list[IdentityDocument]) -> tuple[Document, ...]:
    latest = {row.kind: row.pk for row in rows}
    return tuple(
        Document(
            id=row.pk,
            kind=row.kind,
            name=row.original_name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_at=row.uploaded_at,
            current=latest[row.kind] == row.pk,
        )
        for row in rows
    )


def _missing(documents: tuple[Document, ...]) -> tuple[str, ...]:
    present = {d.kind for d in documents}
    return tuple(k for k in DocumentKind.values if k not in present)


def _reason(text: str) -> str:
    """A refusal reason in the reader's language (a verifier's reasons are catalogue ids; a
    registrar's own words pass through)."""
    return gettext(text) if text else ""


def verification_of(user: User) -> VerificationState:
    """The verification of the organisation ``user`` acts for, or of the user's dispute
    (shown the same way); NotFound for a person with neither."""
    if user.holder_id is not None:
        holder = Holder.objects.get(pk=user.holder_id)
        return holder_verification(holder)
    claim = OrganisationClaim.objects.filter(claimant=user).first()
    if claim is None:
        raise NotFound(gettext_noop("You act for no organisation."))
    documents = _documents(list(claim.documents.order_by("id")))
    return VerificationState(
        state=CLAIM_STATES[ClaimStatus(claim.status)],
        name=claim.name,
        identifier=claim.identifier,
        kind=claim.kind,
        org_type=claim.org_type,
        refusal_reason=_reason(claim.refusal_reason),
        documents=documents,
        missing=_missing(documents),
    )


def holder_verification(holder: Holder) -> VerificationState:
    """The verification of ``holder`` as its members see it (the API's applicant route)."""
    documents = _documents(list(holder.identity_documents.order_by("id")))
    return VerificationState(
        state=holder.verification,
        name=holder.name,
        identifier=holder.identifier,
        kind=holder.kind,
        org_type=holder.org_type,
        refusal_reason=_reason(holder.refusal_reason),
        documents=documents,
        missing=_missing(documents),
    )


# ── the registrar ───────────────────────────────────────────────────────────────────────


def _require_registrar(actor: Actor) -> None:
    if Role.REGISTRAR not in actor.roles:
        raise NotFound(gettext_noop("No such organisation."))


def _holder_case(holder: Holder, documents: list[IdentityDocument]) -> Case:
    return Case(
        kind=CaseKind.ORGANISATION,
        id=holder.pk,
        name=holder.name,
        name_en=holder.name_en,
        identifier=holder.identifier,
        holder_kind=holder.kind,
        org_type=holder.org_type,
        province_code=holder.province_code,
        contact_email=holder.contact_email,
        state=holder.verification,
        since=holder.created_at,
        refusal_reason=holder.refusal_reason,
        documents=_documents(documents),
        people=tuple(m.username for m in holder.members.order_by("id")),
    )


def _claim_case(claim: OrganisationClaim, documents: list[IdentityDocument]) -> Case:
    return Case(
        kind=CaseKind.DISPUTE,
        id=claim.pk,
        name=claim.name,
        name_en=claim.name_en,
        identifier=claim.identifier,
        holder_kind=claim.kind,
        org_type=claim.org_type,
        province_code=claim.province_code,
        contact_email=claim.contact_email,
        state=CLAIM_STATES[ClaimStatus(claim.status)],
        since=claim.created_at,
        refusal_reason=claim.refusal_reason,
        documents=_documents(documents),
        people=(claim.claimant.username,),
        registered_name=claim.holder.name,
        registered_members=tuple(m.username for m in claim.holder.members.order_by("id")),
        verifier_verdict=claim.verifier_verdict,
        verifier_reason=claim.verifier_reason,
    )


def pending_cases(actor: Actor) -> list[Case]:
    """Organisations waiting for verification and open disputes, the oldest first
    (registrars only)."""
    _require_registrar(actor)
    holders = list(Holder.objects.filter(verification=Verification.PENDING).order_by("id"))
    claims = list(
        OrganisationClaim.objects.filter(status=ClaimStatus.PENDING)
        .select_related("holder", "claimant")
        .order_by("id")
    )
    documents: dict[tuple[str, int], list[IdentityDocument]] = {}
    for row in IdentityDocument.objects.filter(
        holder__in=[h.pk for h in holders]
    ) | IdentityDocument.objects.filter(claim__in=[c.pk for c in claims]):
        key = ("h", row.holder_id) if row.holder_id else ("c", row.claim_id or 0)
        documents.setdefault(key, []).append(row)
    for rows in documents.values():
        rows.sort(key=lambda r: r.pk)
    cases = [_holder_case(h, documents.get(("h", h.pk), [])) for h in holders]
    cases += [_claim_case(c, documents.get(("c", c.pk), [])) for c in claims]
    return sorted(cases, key=lambda c: (c.since, c.kind.value, c.id))


def case_for(actor: Actor, kind: str, case_id: int) -> Case:
    """One case, whatever its state (registrars only; NotFound otherwise)."""
    _require_registrar(actor)
    if kind == CaseKind.ORGANISATION:
        holder = Holder.objects.filter(pk=case_id).first()
        if holder is not None:
            return _holder_case(holder, list(holder.identity_documents.order_by("id")))
    elif kind == CaseKind.DISPUTE:
        claim = (
            OrganisationClaim.objects.select_related("holder", "claimant")
            .filter(pk=case_id)
            .first()
        )
        if claim is not None:
            return _claim_case(claim, list(claim.documents.order_by("id")))
    raise NotFound(gettext_noop("No such organisation."))


def document_for(actor: Actor, kind: str, case_id: int, document_id: int) -> IdentityDocument:
    """An identity document of a case (registrars only)."""
    case = case_for(actor, kind, case_id)
    owner = {"holder_id": case.id} if case.kind == CaseKind.ORGANISATION else {"claim_id": case.id}
    item = IdentityDocument.objects.filter(pk=document_id, **owner).first()
    if item is None:
        raise NotFound(gettext_noop("No such file."))
    return item
