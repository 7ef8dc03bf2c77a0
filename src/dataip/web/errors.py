"""Domain errors on the pages, in one place (错误显示).

A :class:`~dataip.errors.DomainError` becomes a page with the translated message and
the error's 4xx status (404, 403, 409, 422...), never a 500. The reasons of a
:class:`~dataip.errors.ValidationFailed` are put next to the form fields they name,
so each field shows its own errors (tied to it with ``aria-describedby``).
A :class:`~dataip.errors.RateLimited` is a 429 page that says when to try again, and sends
``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dataip.errors import DomainError, RateLimited, ValidationFailed
from dataip.registry import labels
from dataip.registry.i18n import describe, field_errors


def error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The page for a refused request: the message in the user's language, and the status."""
    # 4xx as the error says; 503 where a service the registry relies on (a TSA, a witness)
    # does not answer now, so the user knows to try again later.
    status = error.http_status if 400 <= error.http_status < 500 else 400
    if error.http_status == 503:
        status = 503
    message = describe(error)
    if isinstance(error, ValidationFailed):
        reasons = field_errors(error)
        message = "; ".join(f"{', '.join(rs)}" for rs in reasons.values()) or message
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    response = render(
        request,
        "web/error.html",
        {
            "message": message,
            "code": error.code,
            "status": status,
            "retry": waiting_time(retry_after) if retry_after else "",
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def waiting_time(seconds: int) -> str:
    """How long to wait, in the user's language, rounded up to seconds, minutes or hours."""
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 2 * 3600:
        minutes = -(-seconds // 60)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = -(-seconds // 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def put_on_form(
    form: forms.Form, error: ValidationFailed, names: Mapping[str, str] | None = None
) -> None:
    """Attach each refused field's reasons to the form field of the same name.

    ``names`` maps the service's field names (``details.format``, ``file``...) to form field
    names where they differ. A reason for a field the form does not show is put above the form,
    with the field's name.
    """
    for name, reasons in field_errors(error).items():
        target = (names or {}).get(name, name)
        for reason in reasons:
            if target in form.fields:
                form.add_error(target, reason)
            else:
                label = _("%(field)s: %(reason)s") % {"field": labels.field(name), "reason": reason}
                form.add_error(None, label)


class DomainErrorMiddleware:
    """A domain error that a view did not handle still becomes its 4xx page, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Render domain errors; leave every other exception to Django."""
        if isinstance(exception, DomainError):
            return error_page(request, exception)
        return None
