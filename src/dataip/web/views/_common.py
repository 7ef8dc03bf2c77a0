"""Helpers shared by the views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy

from dataip.registry import clock, labels
from dataip.registry.models import Application, Objection
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.queries import objections as found
from dataip.registry.services.context import context_for
from dataip.registry.storage import open_stream
from dataip.registry.workflow import TRANSITIONS, Action, Actor, Status, allowed_actions, may_act


def allowed(application: Application, actor: Actor) -> list[Action]:
    """What ``actor`` may do to the application now (the buttons a page shows)."""
    return allowed_actions(context_for(application, clock.now()), actor)


def may_propose(application: Application, actor: Actor, action: Action) -> bool:
    """Whether ``actor`` is the one who may take ``action`` in the application's status.

    For actions whose condition depends on what is proposed (which expert to assign), so a
    page can offer the form; the service then checks the proposal and says why if it refuses.
    """
    return may_act(context_for(application, clock.now()), action, actor)


def reason_required(application: Application, action: Action) -> bool:
    """Whether the workflow wants a reason with this action in the application's status."""
    rule = TRANSITIONS.get((Status(application.status), action))
    return bool(rule and rule.reason_required)


def action_buttons(application: Application, actions: Sequence[Action]) -> list[dict[str, Any]]:
    """Buttons for the given actions, each saying whether it needs a reason."""
    return [
        {
            "action": action.value,
            "label": labels.action(action.value),
            "reason_required": reason_required(application, action),
        }
        for action in actions
    ]


def english(request: HttpRequest) -> bool:
    """Whether the page is in English."""
    return labels.is_english()


def download(file: Any, name: str, content_type: str) -> FileResponse:
    """A stored file (a ``FieldFile``) as a download, streamed from its storage, never shown
    inline (uploads are not trusted content) and never a redirect to the store."""
    stream, size = open_stream(file.storage, file.name)
    response = FileResponse(stream, as_attachment=True, filename=name)
    response["Content-Length"] = str(size)
    response["Content-Type"] = content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


FILES_AGAIN = gettext_lazy(
    "Choose the evidence files again: files are not kept when the form is refused."
)
"""Said next to the file field of a refused form: a browser never sends files twice."""


def with_deadline(objections: list[Objection]) -> list[dict[str, Any]]:
    """Each objection with where its decision stands against its due date."""
    today = clock.local_date(clock.now())
    return [
        {
            "objection": o,
            "deadline": found.deadline_state(
                o.decision_due, today, o.status != ObjectionStatus.PENDING
            ),
        }
        for o in objections
    ]
