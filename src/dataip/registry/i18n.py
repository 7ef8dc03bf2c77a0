"""Turn domain messages into the user's language (Simplified Chinese or English)."""

from __future__ import annotations

from django.utils.translation import gettext

from dataip.errors import DomainError, Message, ValidationFailed
from dataip.registry import labels


def _label(name: str, value: object) -> object:
    """Parameters that name an action or a status are shown in the user's language."""
    if name == "action" and value in labels.ACTION_LABELS:
        return labels.action(str(value))
    if name == "status" and value in labels.STATUS_LABELS:
        return labels.status(str(value))
    return value


def render(message: Message) -> str:
    """Translate a domain message into the active language and fill in its parameters."""
    text = gettext(message.msgid)
    if not message.params:
        return text
    return text % {name: _label(name, value) for name, value in message.params.items()}


def field_errors(error: ValidationFailed) -> dict[str, list[str]]:
    """The translated reasons for each refused field."""
    return {name: [render(reason) for reason in reasons] for name, reasons in error.errors.items()}


def describe(error: DomainError) -> str:
    """The translated message of any domain error."""
    return render(error.message)
