"""Schemas of the organisation administrators' API: members, invitations, tokens, audit trail."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from dataip.api.schemas.common import Input, Page


class MemberOut(Schema):
    """A person who acts for the organisation, and its role."""

    id: int
    username: str
    email: str
    role: str
    roleLabel: str


class MemberList(Schema):
    """The organisation's members, administrators first."""

    items: list[MemberOut]


class RoleIn(Input):
    """A member's new role: ``administrator``, ``member`` or ``read_only``."""

    role: str = Field(max_length=20)


class InvitationIn(Input):
    """Whom to invite, in what role; the mail's language (``zh-hans`` or ``en``)."""

    email: str = Field(max_length=254)
    role: str = Field("member", max_length=20)
    language: str = Field("zh-hans", max_length=10)


class InvitationOut(Schema):
    """An open invitation (its link went by mail only)."""

    id: int
    email: str
    role: str
    roleLabel: str
    language: str
    invitedBy: str
    createdAt: datetime
    expiresAt: datetime


class InvitationList(Schema):
    """The open invitations, newest first."""

    items: list[InvitationOut]


class ScopeOut(Schema):
    """A scope a token can carry."""

    code: str
    label: str


class TokenIn(Input):
    """A new token: a name, its scopes and, optionally, its last day (at most a year ahead)."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=20)
    expiresOn: date | None = None


class TokenOut(Schema):
    """A token of the organisation; never its secret."""

    id: int
    name: str
    prefix: str
    scopes: list[ScopeOut]
    createdBy: str
    createdAt: datetime
    lastUsedAt: datetime | None
    expiresAt: datetime | None
    revokedAt: datetime | None


class NewTokenOut(TokenOut):
    """A token just made (created or rotated), with its secret: shown this once only."""

    secret: str


class TokenList(Schema):
    """The organisation's tokens, newest first, revoked ones included."""

    items: list[TokenOut]


class ActivityOut(Schema):
    """One line of the audit trail: a registry event of one of the organisation's applications
    (``source`` ``event``) or a change to its members or tokens (``organisation``)."""

    at: datetime
    source: str
    action: str
    actionLabel: str
    by: str
    subject: str


class ActivityList(Page):
    """A page of the audit trail, newest first."""

    items: list[ActivityOut]
