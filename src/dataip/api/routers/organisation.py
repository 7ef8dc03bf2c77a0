"""The organisation administrators' API (组织管理): members and their roles, invitations, API
tokens (scopes, expiry, revoke, rotate) and the audit trail.

Behind a token with the ``admin`` scope, which only an administrator can create; it acts in
the name of that administrator, and every service refuses once that person is no longer one.
The same services as the organisation's pages (``accounts/organisation.py``, ``tokens.py``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import PathEx

from dataip.accounts import organisation as org
from dataip.accounts import scopes, tokens
from dataip.accounts.models import ApiToken, Invitation, OrgRole, User
from dataip.api import pagination
from dataip.api.auth import admin_auth, caller
from dataip.api.pagination import Cursor, Limit
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.organisation import (
    ActivityList,
    ActivityOut,
    InvitationIn,
    InvitationList,
    InvitationOut,
    MemberList,
    MemberOut,
    NewTokenOut,
    RoleIn,
    ScopeOut,
    TokenIn,
    TokenList,
    TokenOut,
)
from dataip.errors import NotFound, gettext_noop
from dataip.registry.queries.organisation import activity_of

router = Router(tags=["organisation"], auth=admin_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem}
MemberId = PathEx[int, P(ge=1, le=MAX_ID, description="The member's (user's) id")]
InvitationId = PathEx[int, P(ge=1, le=MAX_ID, description="The invitation's id")]
TokenId = PathEx[int, P(ge=1, le=MAX_ID, description="The token's id")]


def _administrator(request: HttpRequest) -> User:
    """The administrator in whose name the token acts (the services check that it still is)."""
    return caller(request).token.created_by


def _member(user: User) -> MemberOut:
    role = OrgRole(user.org_role)
    return MemberOut(
        id=user.pk, username=user.username, email=user.email, role=role, roleLabel=str(role.label)
    )


def _invitation(found: Invitation) -> InvitationOut:
    role = OrgRole(found.role)
    return InvitationOut(
        id=found.pk,
        email=found.email,
        role=role,
        roleLabel=str(role.label),
        language=found.language,
        invitedBy=found.invited_by.username,
        createdAt=found.created_at,
        expiresAt=found.expires_at,
    )


def _token(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        scopes=[ScopeOut(code=c, label=scopes.label(c)) for c in token.scopes],
        createdBy=token.created_by.username,
        createdAt=token.created_at,
        lastUsedAt=token.last_used_at,
        expiresAt=token.expires_at,
        revokedAt=token.revoked_at,
    )


def _new_token(token: ApiToken, secret: str) -> NewTokenOut:
    return NewTokenOut(**_token(token).model_dump(), secret=secret)


@router.get("/organisation/members", response={200: MemberList, **ERRORS}, summary="Members")
def members(request: HttpRequest) -> MemberList:
    """The people who act for your organisation and their roles, administrators first."""
    user = _administrator(request)
    org.require_administrator(user)
    return MemberList(items=[_member(m) for m in org.members_of(user.holder_id or 0)])


@router.patch(
    "/organisation/members/{member_id}",
    response={200: MemberOut, **ACTING},
    summary="Change a member's role",
)
def change_role(request: HttpRequest, member_id: MemberId, body: RoleIn) -> MemberOut:
    """Give a member another role; the last administrator cannot be demoted."""
    return _member(org.change_role(_administrator(request), member_id, body.role))


@router.delete(
    "/organisation/members/{member_id}",
    response={204: None, **ACTING},
    summary="Remove a member",
)
def remove_member(request: HttpRequest, member_id: MemberId) -> Answer[None]:
    """Detach a member from your organisation (not the last administrator); what it did
    stays recorded in its name."""
    org.remove_member(_administrator(request), member_id)
    return Answer(204, None)


@router.get(
    "/organisation/invitations", response={200: InvitationList, **ERRORS}, summary="Invitations"
)
def invitations(request: HttpRequest) -> InvitationList:
    """The open invitations (neither accepted nor withdrawn), newest first."""
    holder_id = org.require_administrator(_administrator(request))
    return InvitationList(items=[_invitation(i) for i in org.open_invitations_of(holder_id)])


@router.post(
    "/organisation/invitations",
    response={201: InvitationOut, **ERRORS, 503: Problem},
    summary="Invite a member",
)
def invite(request: HttpRequest, body: InvitationIn) -> Answer[InvitationOut]:
    """Invite a person by e-mail in a role; the single-use link goes by mail, in ``language``."""
    made = org.invite(
        _administrator(request), email=body.email, role=body.role, language=body.language
    )
    return Answer(201, _invitation(made))


@router.delete(
    "/organisation/invitations/{invitation_id}",
    response={204: None, **ACTING},
    summary="Withdraw an invitation",
)
def withdraw_invitation(request: HttpRequest, invitation_id: InvitationId) -> Answer[None]:
    """Withdraw an open invitation: its link stops working."""
    org.withdraw_invitation(_administrator(request), invitation_id)
    return Answer(204, None)


@router.get("/organisation/tokens", response={200: TokenList, **ERRORS}, summary="API tokens")
def list_tokens(request: HttpRequest) -> TokenList:
    """Your organisation's tokens (never their secrets), newest first, revoked ones too."""
    user = _administrator(request)
    org.require_administrator(user)
    return TokenList(items=[_token(t) for t in tokens.tokens_of(user)])


@router.post(
    "/organisation/tokens", response={201: NewTokenOut, **ERRORS}, summary="Create a token"
)
def create_token(request: HttpRequest, body: TokenIn) -> Answer[NewTokenOut]:
    """A new token with these scopes (``read``, ``apply``, ``rights``, ``bank``,
    ``objections``, ``admin``) and optional last day; its secret is in this answer only."""
    user = _administrator(request)
    org.require_administrator(user)
    made, secret = tokens.create_token(user, body.name, body.scopes, body.expiresOn)
    return Answer(201, _new_token(made, secret))


def _live(user: User, token_id: int) -> None:
    if token_id not in {t.pk for t in tokens.tokens_of(user) if t.revoked_at is None}:
        raise NotFound(gettext_noop("No such token of your organisation."))


@router.post(
    "/organisation/tokens/{token_id}/revoke",
    response={200: TokenOut, **ACTING},
    summary="Revoke a token",
)
def revoke_token(request: HttpRequest, token_id: TokenId) -> TokenOut:
    """Revoke a live token of your organisation (it may be the one making this call)."""
    user = _administrator(request)
    org.require_administrator(user)
    _live(user, token_id)
    tokens.revoke_token(user, token_id)
    return _token(ApiToken.objects.select_related("created_by").get(pk=token_id))


@router.post(
    "/organisation/tokens/{token_id}/rotate",
    response={201: NewTokenOut, **ACTING},
    summary="Rotate a token",
)
def rotate_token(request: HttpRequest, token_id: TokenId) -> Answer[NewTokenOut]:
    """A new secret with the same name, scopes and expiry; the old token is revoked."""
    user = _administrator(request)
    org.require_administrator(user)
    _live(user, token_id)
    made, secret = tokens.rotate_token(user, token_id)
    return Answer(201, _new_token(made, secret))


@router.get("/organisation/activity", response={200: ActivityList, **ERRORS}, summary="Audit trail")
def activity(
    request: HttpRequest, cursor: Cursor = None, limit: Limit = pagination.DEFAULT_LIMIT
) -> ActivityList:
    """Every action on your organisation's applications and rights, and every change to its
    members and tokens, the newest first."""
    page = activity_of(_administrator(request), cursor, limit)
    return ActivityList(
        items=[
            ActivityOut(
                at=i.at,
                source=i.source,
                action=i.action,
                actionLabel=i.label,
                by=i.by,
                subject=i.subject,
            )
            for i in page.items
        ],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )
