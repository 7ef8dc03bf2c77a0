"""Who calls the API: an organisation's API token (``Authorization: Bearer dip_…``).

A token belongs to an organisation (a holder): an applicant's system, a bank, a trading
platform. The workflow sees it as an :class:`~dataip.registry.workflow.Actor` acting for that
holder only, in the name of the user who created the token (the events record that user).
A missing, unknown or revoked token is a 401 problem; the token's organisation decides what
it may see, exactly as for a person of that organisation signed in on the pages.
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
        """The organisation the token acts for."""
        return self.token.holder_id

    def filer(self) -> User:
        """The user in whose name the token files and uploads (its creator).

        Refused when the creator no longer acts for the token's organisation: the token must
        never file for another holder than its own.
        """
        user = self.token.created_by
        if user.holder_id != self.token.holder_id or not user.is_active:
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
        holder_ids=frozenset({token.holder_id}),
        label=f"api:{token.prefix}",
    )


class TokenAuth(HttpBearer):
    """Bearer authentication with an organisation's API token."""

    openapi_description = "An API token of your organisation (dip_…), created on the portal."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        """The caller of a live token, or None (ninja then answers 401)."""
        found = tokens.authenticate(token.strip())
        return None if found is None else Caller(found, actor_for_token(found))


token_auth = TokenAuth()


def caller(request: HttpRequest) -> Caller:
    """The authenticated caller of a route protected by :data:`token_auth`."""
    found = getattr(request, "auth", None)
    if not isinstance(found, Caller):  # only reachable if a route forgot ``auth=token_auth``
        raise PermissionDenied(gettext_noop("This action needs an API token."))
    return found
