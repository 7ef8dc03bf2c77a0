"""Schemas of the identity of organisations (主体认证): an organisation's own verification, and
the registrar's queue of organisations to verify and identity claim disputes."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from dataip.api.schemas.common import Input, Page
from dataip.registry.queries.identity import CaseKind


class IdentityDocumentOut(Schema):
    """A document proving the organisation's identity (营业执照, 授权书)."""

    id: int
    kind: str = Field(description="business_licence or authorisation")
    kindLabel: str
    name: str
    contentType: str
    size: int
    sha256: str
    uploadedAt: datetime
    current: bool = Field(description="The latest of its kind: the one that counts")
    url: str | None = Field(None, description="Where the registrar downloads it")


class OrganisationVerificationOut(Schema):
    """Where the identity verification of your organisation stands: pending organisations may
    draft applications but not submit them."""

    state: str = Field(description="verified, pending or refused")
    stateLabel: str
    name: str
    identifier: str
    orgType: str = Field(description="holder, exchange, platform or bank")
    orgTypeLabel: str
    refusalReason: str
    mayUpload: bool
    missingDocuments: list[str]
    documents: list[IdentityDocumentOut]


class OrganisationCaseOut(Schema):
    """A case of the registrar: a new organisation to verify, or a dispute (a sign-up with a
    code registered already; ``registeredName`` names the organisation holding it)."""

    kind: CaseKind
    id: int
    state: str
    stateLabel: str
    name: str
    nameEn: str
    identifier: str
    holderKind: str
    orgType: str
    orgTypeLabel: str
    provinceCode: str
    contactEmail: str
    since: datetime
    refusalReason: str
    people: list[str] = Field(description="User names of the members, or of the claimant")
    registeredName: str = ""
    registeredMembers: list[str] = []
    verifierVerdict: str = ""
    verifierReason: str = ""
    documents: list[IdentityDocumentOut]


class OrganisationCaseList(Page):
    """Organisations pending verification and open disputes, the oldest first."""

    items: list[OrganisationCaseOut]


class RefusalIn(Input):
    """Why the registrar refuses (the applicant sees it)."""

    reason: str = Field(min_length=1, max_length=2000, description="Shown to the applicant")
