"""API tokens (接口令牌): created for an organisation, shown once, stored as a digest."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from dataip.accounts.models import ApiToken, User
from dataip.errors import FieldErrors, PermissionDenied, gettext_noop

TOKEN_PREFIX = "dip_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_staff(user: User) -> bool:
    """An examiner or a registrar: creates staff tokens, not an organisation's."""
    return bool(user.is_examiner or user.is_registrar)


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for the organisation ``user`` acts for (a staff token for an examiner
    or a registrar); return it and its secret once."""
    if user.holder_id is None and not is_staff(user):
        raise PermissionDenied(
            gettext_noop("Only a user acting for an organisation can create tokens.")
        )
    name = name.strip()
    if not name or len(name) > 100:
        FieldErrors.raise_one(
            "name", gettext_noop("Give the token a name of at most 100 characters.")
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        holder_id=None if is_staff(user) else user.holder_id,
        name=name,
        prefix=secret[:12],
        digest=_digest(secret),
        created_by=user,
    )
    return token, secret


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, or None; records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("holder", "created_by")
        .filter(digest=_digest(secret), revoked_at=None)
        .first()
    )
    if token is not None:
        token.last_used_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The tokens ``user`` may see and revoke: its own staff tokens (staff), or its
    organisation's tokens; the newest first."""
    if is_staff(user):
        found = ApiToken.objects.filter(holder=None, created_by=user)
    elif user.holder_id is not None:
        found = ApiToken.objects.filter(holder_id=user.holder_id)
    else:
        return []
    return list(found.select_related("created_by").order_by("-created_at", "-id"))


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the tokens of the user's organisation (staff: one of its own)."""
    mine = {token.pk for token in tokens_of(user) if token.revoked_at is None}
    updated = token_id in mine and ApiToken.objects.filter(pk=token_id, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise PermissionDenied(gettext_noop("No such token of your organisation."))
