"""What a decision will do and what it did (决定的后果): the sentence a page shows before an
irreversible action, to be confirmed, and the message it shows after, with what comes next.

Both are read from the workflow (:mod:`dataip.registry.workflow`): the rule's target status,
the transition that follows at once (:func:`~dataip.registry.workflow.follow_up`), and the
application's deadlines; the words come from :mod:`dataip.registry.labels`
(``ACTION_CONSEQUENCES``, ``ACTION_DONE``, ``STATUS_NEXT``), declared once beside the actions'
names. The same functions serve the examiner's case page, the objection decisions and the
registrar's revocation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dataip.registry import clock, labels
from dataip.registry.models import Application, Objection
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.services.context import context_for
from dataip.registry.workflow import TRANSITIONS, Action, Actor, Rule, Status, decide, follow_up


def asks_confirmation(action: Action) -> bool:
    """Whether ``action`` cannot be undone and is taken only with the confirmation ticked."""
    return action in labels.ACTION_CONSEQUENCES


def check_possible(application: Application, action: Action, actor: Actor) -> Rule:
    """The rule for ``action`` now, or the workflow's refusal (raised as for the action itself):
    an action that is not possible is refused as such before its confirmation is asked for."""
    return decide(context_for(application, clock.now()), action, actor)


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "—"


def _params(application: Application, objection: Objection | None) -> dict[str, Any]:
    return {
        "number": application.number or f"#{application.pk}",
        "registration_number": application.registration_number or application.number,
        "certificate_number": application.certificate_number or "—",
        "valid_until": _day(application.valid_until),
        "announcement_ends": _day(application.announcement_ends),
        "correction_due": _day(application.correction_due),
        "objection": objection.reference if objection is not None else "",
        "pending": application.objections.filter(status=ObjectionStatus.PENDING).count(),
    }


def consequence(
    application: Application, action: Action, *, objection: Objection | None = None
) -> str:
    """What taking ``action`` now will do, in the page's language: the action's own
    consequence, the transition that follows it at once, the status the application will be
    in, and that it cannot be undone."""
    ctx = context_for(application, clock.now())
    params = _params(application, objection)
    parts = [str(labels.ACTION_CONSEQUENCES[action]) % params]
    rule = TRANSITIONS.get((ctx.status, action))
    then = follow_up(ctx, action)
    if then is not None:
        parts.append(
            _("It is the last pending objection and the announcement is over, so at once: %(then)s")
            % {"then": str(labels.ACTION_CONSEQUENCES[then]) % params}
        )
        rule = TRANSITIONS.get((Status.OBJECTION_REVIEW, then), rule)
    if rule is not None and rule.to != ctx.status:
        parts.append(
            _("The application will be “%(status)s”.") % {"status": labels.status(rule.to)}
        )
    parts.append(_("This cannot be undone."))
    return " ".join(parts)


def outcome(application: Application, action: Action, *, objection: Objection | None = None) -> str:
    """What ``action`` did and what comes next, from the application's new status and its
    deadlines (read after the action)."""
    application.refresh_from_db()
    params = _params(application, objection)
    parts = []
    if action in labels.ACTION_DONE:
        parts.append(str(labels.ACTION_DONE[action]) % params)
    following = labels.STATUS_NEXT.get(application.status)
    if following is not None:
        parts.append(str(following) % params)
    return " ".join(parts)
