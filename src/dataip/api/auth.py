"""Who calls the API: an organisation's API token (``Authorization: Bearer dip_…``).

A token belongs to an organisation (a holder): an applicant's system, a bank, a trading
platform. The workflow sees it as an :class:`~dataip.registry.workflow.Actor` acting for that
holder only, in the name of the user who created the token (the events record that user).
A missing, unknown or revoked token is a 401 problem; the token's organisation decides what
it may see, exactly as for a person of that organisation signed in on the pages.

A staff token (no organisation, created by an examiner or a registrar on the account page)
is accepted by the staff routes only (:data:`staff_token_auth`); it acts in the staff roles
its creator has when it is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja.security import HttpBearer

from dataip.accounts import tokens
from dataip.accounts.models import ApiToken, User
from dataip.errors import PermissionDenied, gettext_noop
from dataip.registry.workflow import Actor, Role


@dataclass(frozen=True)
class Caller:
    """An authenticated API client: its token, the token's creator and the workflow actor."""

    token: ApiToken
    actor: Actor

    @property
    def holder_id(self) -> int:
        """The organisation the token acts for (:data:`token_auth` accepts no staff token)."""
        return self.token.holder_id or 0

    def filer(self) -> User:
        """The user in whose name the token files and uploads (its creator).

        Refused when the creator no longer acts for the token's organisation: the token must
        never file for another holder than its own.
        """
        user = self.token.created_by
        if (
            self.token.holder_id is None
            or user.holder_id != self.token.holder_id
            or not user.is_active
        ):
            raise PermissionDenied(
                gettext_noop(
                    "The person who created this token no longer acts for its organisation; "
                    "create a new token."
                )
            )
        return user


def actor_for_token(token: ApiToken) -> Actor:
    """The workflow's view of a token: a member of its organisation, nothing more."""
    return Actor(
        user_id=token.created_by_id,
        roles=frozenset({Role.PUBLIC}),
        holder_ids=frozenset({token.holder_id}) if token.holder_id else frozenset(),
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


class TokenAuth(HttpBearer):
    """Bearer authentication with an organisation's API token."""

    openapi_description = "An API token of your organisation (dip_…), created on the portal."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        """The caller of a live organisation's token, or None (ninja then answers 401)."""
        found = tokens.authenticate(token.strip())
        if found is None or found.holder_id is None:
            return None
        return Caller(found, actor_for_token(found))


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


token_auth = TokenAuth()
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
    """The authenticated caller of a route protected by :data:`token_auth`."""
    found = getattr(request, "auth", None)
    if not isinstance(found, Caller):  # only reachable if a route forgot ``auth=token_auth``
        raise PermissionDenied(gettext_noop("This action needs an API token."))
    return found
