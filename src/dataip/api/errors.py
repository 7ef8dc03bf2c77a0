"""RFC 9457 problem details for every API error: domain refusals, bad input, missing tokens.

``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``, ``instance``,
plus ``code`` (the stable error code) and, for refused input, ``errors``: one entry per field
with its ``name``, the ``reason`` and, for malformed requests, its ``location`` (``query``,
``body``, ``form``, ``file``, ``path``, ``header``). Texts are in the request's language
(``Accept-Language``, zh or en), through :mod:`dataip.registry.i18n`. A limit reached is a 429
problem naming the ``limit``, with ``retryAfter`` and the ``Retry-After`` header when waiting
lifts it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from dataip.errors import DomainError, Message, RateLimited, ValidationFailed, gettext_noop
from dataip.registry import i18n

PROBLEM_TYPE = "application/problem+json"
_E = TypeVar("_E", bound=Exception)
logger = logging.getLogger(__name__)
TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Authentication required"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Request too large"),
    422: gettext_lazy("Invalid parameters"),
    429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Internal error"),
}
LOCATIONS = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
# Why pydantic refused a value, as the registry's own (translated) messages.
REASONS: Mapping[str, str] = {
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("Unknown field."),
    "string_type": gettext_noop("Must be text."),
    "text_unstorable": gettext_noop("Text must not contain NUL characters."),
    "string_too_long": gettext_noop("At most %(max_length)s characters."),
    "string_too_short": gettext_noop("At least %(min_length)s characters."),
    "string_pattern_mismatch": gettext_noop("The value has an invalid format."),
    "int_type": gettext_noop("Must be a whole number."),
    "int_parsing": gettext_noop("Must be a whole number."),
    "int_from_float": gettext_noop("Must be a whole number."),
    "bool_type": gettext_noop("Must be true or false."),
    "bool_parsing": gettext_noop("Must be true or false."),
    "decimal_type": gettext_noop("Must be a number."),
    "decimal_parsing": gettext_noop("Must be a number."),
    "finite_number": gettext_noop("Must be a number."),
    "date_type": gettext_noop("Must be a date (YYYY-MM-DD)."),
    "date_parsing": gettext_noop("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_noop("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_inexact": gettext_noop("Must be a date (YYYY-MM-DD)."),
    "greater_than_equal": gettext_noop("Must be at least %(ge)s."),
    "greater_than": gettext_noop("Must be more than %(gt)s."),
    "less_than_equal": gettext_noop("Must be at most %(le)s."),
    "less_than": gettext_noop("Must be less than %(lt)s."),
    "enum": gettext_noop("Choose one of: %(expected)s."),
    "literal_error": gettext_noop("Choose one of: %(expected)s."),
    "dict_type": gettext_noop("Must be an object of fields."),
    "model_type": gettext_noop("Must be an object of fields."),
    "model_attributes_type": gettext_noop("Must be an object of fields."),
    "list_type": gettext_noop("Must be a list."),
    "too_long": gettext_noop("At most %(max_length)s items."),
    "too_short": gettext_noop("At least %(min_length)s items."),
}
INVALID_VALUE = gettext_noop("This value is not valid.")


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
    return i18n.render(message)


def api_name(name: str) -> str:
    """A service's field name as the API spells it: ``name_en`` → ``nameEn``.

    Only the first segment is a field of ours; after it come keys (kind-specific details,
    material kinds, holder ids) that the API passes through as they are.
    """
    head, dot, rest = name.partition(".")
    first, *others = head.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in others) + dot + rest


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A domain refusal: its status, code and translated message (and fields, if any)."""
    status = exc.http_status if 400 <= exc.http_status < 600 else 400
    if isinstance(exc, RateLimited):
        return _rate_limited(request, exc)
    if not isinstance(exc, ValidationFailed):
        return problem(request, status, exc.code, render(exc.message))
    errors = [
        {"name": api_name(name), "reason": reason}
        for name, reasons in i18n.field_errors(exc).items()
        for reason in reasons
    ]
    return _invalid(request, errors, code=exc.code)


def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """A limit reached: 429, the limit's name and, when waiting lifts it, ``Retry-After``."""
    extra: dict[str, Any] = {"limit": exc.limit}
    if exc.retry_after is not None:
        extra["retryAfter"] = exc.retry_after
    response = problem(request, 429, exc.code, render(exc.message), **extra)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """Too many API requests in a minute (the API's throttles, :mod:`dataip.api.throttles`):
    per token for a token's requests, per client address for requests without one."""
    retry_after = int(exc.wait) if exc.wait else 60
    if getattr(request, "auth", None) is not None:
        refused = RateLimited(
            gettext_noop(
                "This API token has made as many requests in this minute as it may "
                "(%(most)s); wait before the next request."
            ),
            limit="api_requests_per_token",
            retry_after=retry_after,
            most=settings.DATAIP_LIMIT_API_TOKEN_PER_MINUTE,
        )
    else:
        refused = RateLimited(
            gettext_noop(
                "Your address has made as many requests without an API token in this minute "
                "as it may (%(most)s); wait before the next request, or send your "
                "organisation's token."
            ),
            limit="api_requests_per_address",
            retry_after=retry_after,
            most=settings.DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE,
        )
    return _rate_limited(request, refused)


def _invalid(
    request: HttpRequest, errors: list[dict[str, str]], *, code: str = "invalid_parameters"
) -> HttpResponse:
    names = ", ".join(dict.fromkeys(e["name"] for e in errors))
    detail = gettext("These parameters are invalid: %(names)s.") % {"names": names}
    return problem(request, 422, code, detail, errors=errors)


def _reason(error: Mapping[str, Any]) -> str:
    """Why pydantic refused a value, in the request's language."""
    msgid = REASONS.get(str(error.get("type", "")))
    if msgid is None:
        return gettext(INVALID_VALUE)
    context = error.get("ctx") or {}
    try:
        return gettext(msgid) % {k: str(v) for k, v in context.items()}
    except (KeyError, TypeError, ValueError):
        return gettext(INVALID_VALUE)


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    """Name the refused field by its path, without ninja's wrapping of the body parameter."""
    loc = [str(part) for part in error.get("loc", ())]
    location = loc.pop(0) if loc and loc[0] in LOCATIONS else "body"
    if location == "body" and loc and loc[0] == "body":
        loc.pop(0)  # the route's body parameter (always named ``body``), not a field
    return {
        "name": ".".join(loc) or location,
        "reason": _reason(error),
        "location": location,
    }


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Parameters that do not parse or are out of range: 422, one error per field."""
    return _invalid(request, [_field_error(error) for error in exc.errors])


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """An explicit HTTP error raised by a route, or a request body that does not parse."""
    if isinstance(exc.__cause__, SuspiciousOperation):
        return _suspicious(request, exc.__cause__)
    if exc.status_code == 400 and exc.__cause__ is not None:
        detail = gettext("The request body is not valid JSON.")
        return problem(request, 400, "malformed_body", detail)
    return problem(request, exc.status_code, "http_error", str(exc))


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No token, or a token that is unknown or revoked: 401 with a Bearer challenge."""
    detail = gettext("Send a valid API token of your organisation: 'Authorization: Bearer dip_…'.")
    response = problem(request, 401, "unauthenticated", detail)
    response["WWW-Authenticate"] = 'Bearer realm="dataip"'
    return response


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """A request Django refuses to read: too large, too many fields, a bad multipart body."""
    if isinstance(exc, RequestDataTooBig):
        detail = gettext("The request is too large.")
        return problem(request, 413, "request_too_large", detail)
    return problem(request, 400, "malformed_body", gettext("The request could not be read."))


def _malformed_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A multipart body that does not parse."""
    return problem(request, 400, "malformed_body", gettext("The upload could not be read."))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Django's Http404 inside a route."""
    return problem(request, 404, "not_found", gettext("Not found."))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback, answered as a 500 problem that reveals nothing."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    detail = gettext("Something went wrong on our side; please try again later.")
    return problem(request, 500, "internal_error", detail)


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
    api.add_exception_handler(AuthenticationError, _handler(AuthenticationError, _unauthenticated))
    api.add_exception_handler(HttpError, _handler(HttpError, _http_error))
    api.add_exception_handler(Throttled, _handler(Throttled, _throttled))
    api.add_exception_handler(
        MultiPartParserError, _handler(MultiPartParserError, _malformed_upload)
    )
    api.add_exception_handler(SuspiciousOperation, _handler(SuspiciousOperation, _suspicious))
    api.add_exception_handler(Http404, _handler(Http404, _not_found))
    api.add_exception_handler(Exception, _handler(Exception, _unexpected))
