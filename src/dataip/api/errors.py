"""RFC 9457 problem details for every API error: domain refusals and bad parameters.

``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``, ``instance``,
plus ``code`` (the stable error code) and, for bad parameters, ``errors`` (one per field).
Texts are translated with Django's gettext (English message ids).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from dataip.registry.errors import DomainError, Message

PROBLEM_TYPE = "application/problem+json"
_E = TypeVar("_E", bound=Exception)
TITLES = {
    400: gettext_lazy("Bad request"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    422: gettext_lazy("Invalid parameters"),
}


def problem(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    """An RFC 9457 problem-details response."""
    body = {
        "type": f"urn:dataip:problem:{code}",
        "title": str(TITLES.get(status, gettext_lazy("Error"))),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        **extra,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


def render(message: Message) -> str:
    """Translate a domain message into the active language and fill in its parameters."""
    text = gettext(message.msgid)
    return text % dict(message.params) if message.params else text


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A domain refusal: its status, code and translated message."""
    return problem(request, exc.http_status, exc.code, render(exc.message))


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Parameters that do not parse or are out of range: 422, one error per field."""
    errors = [
        {
            "name": ".".join(str(part) for part in error.get("loc", ())),
            "reason": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    names = ", ".join(e["name"] for e in errors)
    detail = gettext("These parameters are invalid: %(names)s.") % {"names": names}
    return problem(request, 422, "invalid_parameters", detail, errors=errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """An explicit HTTP error raised by a route."""
    return problem(request, exc.status_code, "http_error", str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Django's Http404 inside a route."""
    return problem(request, 404, "not_found", gettext("Not found."))


def _handler(
    kind: type[_E], handle: Callable[[HttpRequest, _E], HttpResponse]
) -> Callable[[HttpRequest, _E | type[_E]], HttpResponse]:
    """Adapt ``handle`` to ninja's handler type (which also admits exception classes)."""

    def wrapped(request: HttpRequest, exc: _E | type[_E]) -> HttpResponse:
        if not isinstance(exc, kind):
            raise TypeError(f"expected an instance of {kind.__name__}")
        return handle(request, exc)

    return wrapped


def install(api: NinjaAPI) -> None:
    """Map every error kind to problem details on ``api``."""
    api.add_exception_handler(DomainError, _handler(DomainError, _domain_error))
    api.add_exception_handler(ValidationError, _handler(ValidationError, _validation_error))
    api.add_exception_handler(HttpError, _handler(HttpError, _http_error))
    api.add_exception_handler(Http404, _handler(Http404, _not_found))
