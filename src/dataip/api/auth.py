"""Who calls the API: an organisation's API token (``Authorization: Bearer dip_…``).

A token belongs to an organisation (a holder): an applicant's system, a bank, a trading
platform. The workflow sees it as an :class:`~dataip.registry.workflow.Actor` acting for that
holder only, in the name of the user who created the token (the events record that user).
A missing, unknown or revoked token is a 401 problem; the token's organisation decides what
it may see, exactly as for a person of that organisation signed in on the pages.

A staff token (no organisation, created by an examiner or a registrar on the account page)
is accepted by the staff routes only (:data:`staff_token_auth`); it acts in the staff roles
its creator has when it is used.

Each router asks for one scope (``accounts/scopes.py``): a token without it gets a 403 problem
naming the scope (``scope_missing``); reading (GET) is also open to a ``read`` token, except on
the banks' routes. An expired token is a 401 problem (``token_expired``). A token never acts
with more power than its creator has now: once that person is read-only or has left the
organisation, the token only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import HttpBearer

from dataip.accounts import scopes, tokens
from dataip.accounts.models import ApiToken, OrgRole, User
from dataip.errors import PermissionDenied, gettext_noop
from dataip.registry.actors import organisation_roles
from dataip.registry.workflow import Actor, Role


@dataclass(frozen=True)
class Caller:
    """An authenticated API client: its token, the token's creator and the workflow actor."""

    token: ApiToken
    actor: Actor

    @property
    def holder_id(self) -> int:
        """The organisation the token acts for (organisation tokens only: no staff token)."""
        return self.token.holder_id or 0

    def filer(self) -> User:
        """The user in whose name the token files and uploads (its creator).

        Refused when the creator no longer acts for the token's organisation (left it, or is
        read-only now): the token must never file for another holder than its own.
        """
        if not creator_acts(self.token):
            raise PermissionDenied(
                gettext_noop(
                    "The person who created this token no longer acts for its organisation; "
                    "create a new token."
                )
            )
        return self.token.created_by


def creator_acts(token: ApiToken) -> bool:
    """Whether the token's creator may still act for the token's organisation (an active
    administrator or member of it, not read-only)."""
    user = token.created_by
    return (
        user.is_active
        and token.holder_id is not None
        and user.holder_id == token.holder_id
        and user.org_role != OrgRole.READ_ONLY
    )


def actor_for_token(token: ApiToken) -> Actor:
    """The workflow's view of a token: a member of its organisation, nothing more; only a
    viewer of its records once its creator may no longer act for it."""
    holders = frozenset({token.holder_id}) if token.holder_id else frozenset()
    if not creator_acts(token):
        return Actor(
            user_id=token.created_by_id,
            roles=frozenset({Role.PUBLIC}),
            viewing_holder_ids=holders,
            label=f"api:{token.prefix}",
        )
    return Actor(
        user_id=token.created_by_id,
        roles=frozenset({Role.PUBLIC} | organisation_roles(token.holder_id)),
        holder_ids=holders,
        label=f"api:{token.prefix}",
    )


def actor_for_staff_token(token: ApiToken) -> Actor:
    """The workflow's view of a staff token: its creator in the staff roles it has now."""
    user = token.created_by
    roles = {Role.PUBLIC}
    if user.is_active and user.is_examiner:
        roles.add(Role.EXAMINER)
    if user.is_active and user.is_registrar:
        roles.add(Role.REGISTRAR)
    return Actor(user_id=user.pk, roles=frozenset(roles), label=f"api:{token.prefix}")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """Bearer authentication with an organisation's API token that has ``scope`` (for reading,
    ``read`` will also do unless ``read_suffices`` is False)."""

    openapi_description = "An API token of your organisation (dip_…), created on the portal."

    def __init__(self, scope: str, *, read_suffices: bool = True) -> None:
        super().__init__()
        assert scope in scopes.CODES, scope  # noqa: S101 - a programming error
        self.scope = scope
        self.read_suffices = read_suffices

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        """The caller of a live organisation's token, or None (ninja then answers 401)."""
        found = tokens.authenticate(token.strip())
        if found is None or found.holder_id is None:
            return None
        require_scope(found, self.scope, read_too=self.read_suffices and _reads(request))
        return Caller(found, actor_for_token(found))


def _reads(request: HttpRequest) -> bool:
    return (request.method or "GET").upper() in SAFE_METHODS


def require_scope(token: ApiToken, scope: str, *, read_too: bool = False) -> None:
    """Refuse (403, ``scope_missing``) a token that lacks ``scope`` (or ``read``, if it
    suffices)."""
    if tokens.has_scope(token, scope) or (read_too and tokens.has_scope(token, scopes.READ)):
        return
    raise tokens.ScopeMissing(
        gettext_noop("This API token lacks the scope '%(scope)s' (%(label)s)."),
        scope=scope,
        label=scopes.label(scope),
    )


class StaffTokenAuth(HttpBearer):
    """Bearer authentication with a staff token (examiners and registrars)."""

    openapi_description = (
        "A staff token (dip_…) of an examiner or a registrar, created on the account page."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        """The caller of any live token, or None (401); :func:`staff_caller` then refuses a
        token that does not act in a staff role."""
        found = tokens.authenticate(token.strip())
        if found is None:
            return None
        if found.holder_id is not None:
            return Caller(found, actor_for_token(found))
        return Caller(found, actor_for_staff_token(found))


read_auth = TokenAuth(scopes.READ)
apply_auth = TokenAuth(scopes.APPLY)
rights_auth = TokenAuth(scopes.RIGHTS)
bank_auth = TokenAuth(scopes.BANK, read_suffices=False)
objections_auth = TokenAuth(scopes.OBJECTIONS)
admin_auth = TokenAuth(scopes.ADMIN, read_suffices=False)
trades_auth = TokenAuth(scopes.TRADES)
staff_token_auth = StaffTokenAuth()


def staff_caller(request: HttpRequest, *roles: Role) -> Caller:
    """The caller of a staff route, acting in one of ``roles`` (examiner, registrar); an
    organisation's token, or a staff token whose creator lost the role, is refused (403)."""
    found = caller(request)
    if found.token.holder_id is not None or not found.actor.roles & set(roles):
        raise PermissionDenied(
            gettext_noop("This route is for the registry's staff: use a staff token.")
        )
    return found


def caller(request: HttpRequest) -> Caller:
    """The authenticated caller of a route protected by a :class:`TokenAuth`."""
    found = getattr(request, "auth", None)
    if not isinstance(found, Caller):  # only reachable if a route forgot its ``auth=``
        raise PermissionDenied(gettext_noop("This action needs an API token."))
    return found
