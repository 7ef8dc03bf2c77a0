"""The examiner's and the registrar's acts on a case (案件办理), by workflow action: one table,
for the case page (``/examine/<id>/``) and the staff API alike.

Each act is a service of :mod:`examination` or :mod:`publicity`, called with the reason the
examiner gave (acts that take none ignore it); the workflow decides whether the actor may.
"""

from __future__ import annotations

from collections.abc import Callable

from dataip.registry.models import Application
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import Action, Actor

Step = Callable[[int, Actor, str], Application]
"""An act: the application's id, the actor and the reason; returns the application after it."""

STEPS: dict[Action, Step] = {
    Action.START_FORMAL_EXAMINATION: lambda pk, actor, reason: examination.start_formal_examination(
        pk, actor=actor
    ),
    Action.REQUEST_CORRECTION: lambda pk, actor, reason: examination.request_correction(
        pk, actor=actor, reason=reason
    ),
    Action.PASS_FORMAL_EXAMINATION: lambda pk, actor, reason: examination.pass_formal_examination(
        pk, actor=actor, reason=reason
    ),
    Action.APPROVE: lambda pk, actor, reason: examination.approve(pk, actor=actor, reason=reason),
    Action.REJECT: lambda pk, actor, reason: examination.reject(pk, actor=actor, reason=reason),
    Action.ANNOUNCE: lambda pk, actor, reason: publicity.announce(pk, actor=actor),
    Action.CLOSE_PUBLICITY: lambda pk, actor, reason: publicity.close_publicity(pk, actor=actor),
    Action.REGISTER: lambda pk, actor, reason: publicity.register(pk, actor=actor),
}
"""The acts on a case, each calling its service."""
