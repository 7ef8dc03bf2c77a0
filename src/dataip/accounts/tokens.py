"""API tokens (接口令牌): created for an organisation, shown once, stored as a digest.

An organisation's tokens are managed by its administrators only. Each carries scopes
(:mod:`dataip.accounts.scopes`) and may expire; rotating one gives a new secret with the same
name and scopes and revokes the old. Every change is written to the organisation's audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dataip.accounts import scopes as declared
from dataip.accounts.activity import record_activity
from dataip.accounts.models import ApiToken, OrgRole, User
from dataip.errors import DomainError, FieldErrors, PermissionDenied, gettext_noop

TOKEN_PREFIX = "dip_"


class TokenExpired(DomainError):
    """The token's expiry date has passed: the client must use a new one."""

    code = "token_expired"
    http_status = 401


class ScopeMissing(PermissionDenied):
    """The token lacks the scope a route asks for."""

    code = "scope_missing"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_staff(user: User) -> bool:
    """An examiner or a registrar: creates staff tokens, not an organisation's."""
    return bool(user.is_examiner or user.is_registrar)


def is_administrator(user: User) -> bool:
    """An administrator of the organisation the user acts for (管理员)."""
    return user.holder_id is not None and user.org_role == OrgRole.ADMINISTRATOR


def may_manage_tokens(user: User) -> bool:
    """Staff (their own staff tokens) and an organisation's administrators."""
    return is_staff(user) or is_administrator(user)


def _require_manager(user: User) -> None:
    if not user.is_active or not may_manage_tokens(user):
        raise PermissionDenied(
            gettext_noop("Only an administrator of the organisation can manage its API tokens.")
        )


def _clean_scopes(user: User, wanted: Iterable[str] | None, errors: FieldErrors) -> list[str]:
    if wanted is None:  # staff tokens and callers that predate scopes: every ordinary scope
        return list(declared.EVERY_SCOPE_BUT_ADMIN)
    codes = list(dict.fromkeys(wanted))
    unknown = [code for code in codes if code not in declared.CODES]
    if unknown:
        errors.add("scopes", gettext_noop("Unknown scope: %(codes)s."), codes=", ".join(unknown))
    elif not codes:
        errors.add("scopes", gettext_noop("Choose at least one scope."))
    elif declared.ADMIN in codes and not is_administrator(user):
        errors.add(
            "scopes", gettext_noop("Only an administrator can give a token the admin scope.")
        )
    return [code for code in declared.CODES if code in codes]


def _clean_expiry(expires_on: date | None, errors: FieldErrors) -> datetime | None:
    if expires_on is None:
        return None
    today = timezone.localdate()
    longest = today + timedelta(days=settings.DATAIP_TOKEN_MAX_DAYS)
    if expires_on <= today or expires_on > longest:
        errors.add(
            "expires_on",
            gettext_noop("The expiry date must lie after today and at most %(days)s days ahead."),
            days=settings.DATAIP_TOKEN_MAX_DAYS,
        )
        return None
    # The token works through the whole of its last day.
    return timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(
    user: User,
    name: str,
    scopes: Iterable[str] | None = None,
    expires_on: date | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the organisation ``user`` administers (a staff token for an
    examiner or a registrar), with ``scopes`` (default: every scope but ``admin``) and an
    optional last day; return it and its secret once."""
    if user.holder_id is None and not is_staff(user):
        raise PermissionDenied(
            gettext_noop("Only a user acting for an organisation can create tokens.")
        )
    _require_manager(user)
    errors = FieldErrors()
    name = name.strip()
    if not name or len(name) > 100:
        errors.add("name", gettext_noop("Give the token a name of at most 100 characters."))
    codes = _clean_scopes(user, scopes, errors)
    expires_at = _clean_expiry(expires_on, errors)
    errors.raise_if_any()
    secret = _new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            holder_id=None if is_staff(user) else user.holder_id,
            name=name,
            prefix=secret[:12],
            digest=_digest(secret),
            created_by=user,
            scopes=codes,
            expires_at=expires_at,
        )
        _log(token, user, "token_created")
    return token, secret


def _log(token: ApiToken, user: User, action: str) -> None:
    if token.holder_id is not None:
        detail = {"name": token.name, "prefix": token.prefix, "scopes": token.scopes}
        record_activity(token.holder_id, user, action, detail)


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, or None; records when it was last used.

    A token whose expiry has passed raises :class:`TokenExpired` (the client learns why).
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("holder", "created_by")
        .filter(digest=_digest(secret), revoked_at=None)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenExpired(
            gettext_noop("This API token expired on %(day)s; create a new one on the portal."),
            day=timezone.localtime(token.expires_at - timedelta(days=1)).date().isoformat(),
        )
    token.last_used_at = now
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def has_scope(token: ApiToken, scope: str) -> bool:
    """Whether the token may do what ``scope`` covers."""
    return scope in (token.scopes or [])


def tokens_of(user: User) -> list[ApiToken]:
    """The tokens ``user`` may see and manage: its own staff tokens (staff), or its
    organisation's tokens (administrators); the newest first."""
    if is_staff(user):
        found = ApiToken.objects.filter(holder=None, created_by=user)
    elif is_administrator(user) and user.holder_id is not None:
        found = ApiToken.objects.filter(holder_id=user.holder_id)
    else:
        return []
    return list(found.select_related("created_by").order_by("-created_at", "-id"))


def _live_token_of(user: User, token_id: int) -> ApiToken:
    _require_manager(user)
    mine = {token.pk for token in tokens_of(user) if token.revoked_at is None}
    token = ApiToken.objects.select_for_update().filter(pk=token_id, revoked_at=None).first()
    if token is None or token.pk not in mine:
        raise PermissionDenied(gettext_noop("No such token of your organisation."))
    return token


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the tokens of the user's organisation (staff: one of its own)."""
    with transaction.atomic():
        token = _live_token_of(user, token_id)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _log(token, user, "token_revoked")


def rotate_token(user: User, token_id: int) -> tuple[ApiToken, str]:
    """Replace a live token by a new secret with the same name, scopes and expiry; the old
    one is revoked in the same transaction. Returns the new token and its secret, once."""
    with transaction.atomic():
        old = _live_token_of(user, token_id)
        old.revoked_at = timezone.now()
        old.save(update_fields=["revoked_at"])
        secret = _new_secret()
        token = ApiToken.objects.create(
            holder_id=old.holder_id,
            name=old.name,
            prefix=secret[:12],
            digest=_digest(secret),
            created_by=user,
            scopes=list(old.scopes),
            expires_at=old.expires_at,
        )
        _log(token, user, "token_rotated")
    return token, secret
