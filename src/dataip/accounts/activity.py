"""The organisation's own audit rows (组织操作记录): membership and API-token changes, the
registrar's verification decisions and the identity documents uploaded.

Written by the services of :mod:`dataip.accounts.organisation`, :mod:`dataip.accounts.tokens`
and :mod:`dataip.registry.services.identity` in the same transaction as the change; the
registry's events of the organisation's applications are read beside them
(``registry/queries/organisation.py``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dataip.accounts.models import OrganisationActivity, User

ACTIONS = {
    "invitation_sent": _("invitation sent"),
    "invitation_withdrawn": _("invitation withdrawn"),
    "member_joined": _("member joined"),
    "role_changed": _("role changed"),
    "member_removed": _("member removed"),
    "token_created": _("API token created"),
    "token_revoked": _("API token revoked"),
    "token_rotated": _("API token rotated"),
    "organisation_verified": _("organisation verified by the registrar"),
    "organisation_refused": _("organisation's verification refused"),
    "documents_uploaded": _("identity documents uploaded"),
}
"""Every action code of an :class:`OrganisationActivity`, with its name."""


def record_activity(
    holder_id: int, user: User | None, action: str, detail: dict[str, Any]
) -> OrganisationActivity:
    """Add one row to the organisation's audit trail (in the caller's transaction)."""
    assert action in ACTIONS, action  # noqa: S101 - a programming error, never user input
    return OrganisationActivity.objects.create(
        holder_id=holder_id, user=user, action=action, detail=detail
    )


def action_label(action: str) -> str:
    """The name of an activity's action in the active language."""
    return str(ACTIONS.get(action, action))
