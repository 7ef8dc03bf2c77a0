"""Domain errors (领域错误), each with a stable code: what every floor of dataip raises on purpose.

Pure Python: the workflow module and the ledger raise these without importing Django or the
registry. A message is an English source string (a gettext message id) plus parameters; the web
pages and the API translate it into the user's language with :func:`dataip.registry.i18n.render`.
Field errors name the field and the reason, so a form can tie each reason to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it here (read by makemessages)."""
    return message


@dataclass(frozen=True)
class Message:
    """A translatable message: a gettext id and its parameters."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % dict(self.params) if self.params else self.msgid


class DomainError(Exception):
    """Base of every error the registry raises on purpose. Never a 500."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: Message | str, **params: object) -> None:
        self.message = message if isinstance(message, Message) else Message(message, params)
        super().__init__(str(self.message))


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The actor may not perform this action."""

    code = "permission_denied"
    http_status = 403


class TransitionNotAllowed(DomainError):
    """The action is not possible in the application's current state."""

    code = "transition_not_allowed"
    http_status = 409


class GuardFailed(TransitionNotAllowed):
    """The action exists for this state, but a condition of it is not met."""

    code = "condition_not_met"


class Conflict(DomainError):
    """Someone else changed the object first (stale revision)."""

    code = "conflict"
    http_status = 409


class RateLimited(DomainError):
    """A limit of the deployment was reached (限流与配额): too many requests or too many of a
    kind of record. ``retry_after`` is how many seconds until the limit lets the next one
    through (sent as ``Retry-After``), or None for a quota that does not lapse with time;
    ``limit`` names the limit that was reached (``objections_per_announcement``,
    ``drafts_per_day``, ``api_requests_per_token``, ``api_requests_per_address``)."""

    code = "rate_limited"
    http_status = 429

    def __init__(
        self, message: Message | str, *, limit: str, retry_after: int | None, **params: object
    ) -> None:
        self.limit = limit
        self.retry_after = None if retry_after is None else max(1, int(retry_after))
        super().__init__(message, **params)


class ValidationFailed(DomainError):
    """Input is invalid; ``errors`` maps each field to the reasons it was refused."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, errors: Mapping[str, list[Message]]) -> None:
        self.errors = {name: list(reasons) for name, reasons in errors.items()}
        summary = "; ".join(
            f"{name}: {', '.join(map(str, rs))}" for name, rs in self.errors.items()
        )
        super().__init__(Message(gettext_noop("Invalid input: %(summary)s"), {"summary": summary}))


class FieldErrors:
    """Collects field errors and raises them together, so the user sees every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Message]] = {}

    def add(self, name: str, msgid: str, **params: object) -> None:
        """Record that field ``name`` was refused for the reason ``msgid``."""
        self.errors.setdefault(name, []).append(Message(msgid, params))

    def __bool__(self) -> bool:
        return bool(self.errors)

    @staticmethod
    def raise_one(name: str, msgid: str, **params: object) -> None:
        """Refuse a single field at once."""
        raise ValidationFailed({name: [Message(msgid, params)]})

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationFailed` if any error was recorded."""
        if self.errors:
            raise ValidationFailed(self.errors)
