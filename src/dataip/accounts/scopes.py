"""What an API token may do (令牌权限范围), declared once: codes and their names.

A route asks for one scope (``api/auth.py``); a token carries a list of codes. To add a scope
add a line to :data:`SCOPES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

READ = "read"
APPLY = "apply"
RIGHTS = "rights"
BANK = "bank"
OBJECTIONS = "objections"
LISTINGS = "listings"
TRADES = "trades"
WEBHOOKS = "webhooks"
ADMIN = "admin"


@dataclass(frozen=True)
class Scope:
    """One scope: its stable code and its name in the user's language."""

    code: str
    label: Promise
    administrators_only: bool = False


SCOPES: tuple[Scope, ...] = (
    Scope(READ, _("read: public data and the organisation's own records")),
    Scope(APPLY, _("apply: applications and deposits")),
    Scope(RIGHTS, _("rights: licences, pledges, transfers and other acts after registration")),
    Scope(BANK, _("bank: encumbrance search, statements, consents")),
    Scope(OBJECTIONS, _("objections: file and answer objections")),
    Scope(LISTINGS, _("listings: a data exchange's listings and fast-lane applications")),
    Scope(TRADES, _("trades: a data exchange's trade reports")),
    Scope(WEBHOOKS, _("webhooks: subscriptions to the registry's public events")),
    Scope(ADMIN, _("admin: members, invitations, tokens, audit trail"), administrators_only=True),
)
CODES: tuple[str, ...] = tuple(scope.code for scope in SCOPES)
"""Every scope's code, in the order of :data:`SCOPES`."""
EVERY_SCOPE_BUT_ADMIN: tuple[str, ...] = tuple(s.code for s in SCOPES if not s.administrators_only)


def label(code: str) -> str:
    """The name of a scope in the active language (the code itself if unknown)."""
    for scope in SCOPES:
        if scope.code == code:
            return str(scope.label)
    return code
