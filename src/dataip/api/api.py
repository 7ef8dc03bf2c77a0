"""The one ``NinjaAPI`` of the registry, mounted at ``/api/v1/`` (docs at ``/api/v1/docs``).

Interactive docs use the Swagger UI files shipped with django-ninja (``ninja`` is an installed
app, so they are served from our own static files, never from a CDN).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from dataip.api import errors
from dataip.api.routers.applications import router as applications_router
from dataip.api.routers.bank import router as bank_router
from dataip.api.routers.deposits import router as deposits_router
from dataip.api.routers.events import router as events_router
from dataip.api.routers.identity import router as identity_router
from dataip.api.routers.listings import router as listings_router
from dataip.api.routers.log import router as log_router
from dataip.api.routers.metadata import router as metadata_router
from dataip.api.routers.notifications import router as notifications_router
from dataip.api.routers.objections import router as objections_router
from dataip.api.routers.organisation import router as organisation_router
from dataip.api.routers.public import router as public_router
from dataip.api.routers.rights import router as rights_router
from dataip.api.routers.staff import router as staff_router
from dataip.api.routers.staff_cases import router as staff_cases_router
from dataip.api.routers.staff_organisations import router as staff_organisations_router
from dataip.api.routers.trade_reports import router as trade_reports_router
from dataip.api.routers.transfers import router as transfers_router
from dataip.api.routers.verify import router as verify_router
from dataip.api.routers.webhooks import router as webhooks_router
from dataip.api.throttles import THROTTLES

DESCRIPTION = """\
Registry for data intellectual property (数据知识产权登记平台).

* **Public** (no token): search registrations, registration details, the display card for
  trading platforms, current announcements, statistics, certificate verification, and the
  transparency log with its proofs and evidence bundles.
* **Applicants**, **holders of registered rights** (licences, trades, service revenue,
  changes, transfers, renewal, cancellation, valuations, income split), **licensees**,
  **assignees and joint holders** confirming a transfer, and **banks**: an
  API token of your organisation, created on the portal,
  sent as `Authorization: Bearer dip_…`.
* **Objectors** (any organisation but the applicant's: file an objection while an
  application is announced, get its reference, read the decision and its reasons) and
  **holders answering** each objection to their application in writing, with files.
* **Organisation administrators** (members and their roles, invitations, API tokens with
  scopes and expiry, the audit trail): a token with the `admin` scope. Every token carries
  scopes (`read`, `apply`, `rights`, `bank`, `objections`, `admin`); a route it lacks the scope
  for answers 403 `scope_missing`, an expired token 401 `token_expired`.
* **Examiners and registrars** (the queues of applications with their deadlines and the
  dashboard; the acts on a case — formal examination, corrections asked for, approval or
  refusal, announcement, registration — with `confirm` for those that cannot be undone; the
  review panel; the queue of pending requests after registration, objections to decide with
  their deadlines, corrections, certificate re-issues): a staff token, created on the account
  page. Registrars verify new organisations and decide identity claim disputes
  (`/staff/organisations`); an organisation reads its own verification
  (`/organisation/verification`): a pending one may draft but not submit.

* **Platforms**: the public events (`/events`, no token; the same as `/feed.atom` and
  `/feed.json`), paged by the cursor `after`; webhook subscriptions (`/webhooks`, scope
  `webhooks`), whose deliveries are signed in the Standard Webhooks way.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; refused
input lists each field in `errors`. Texts follow `Accept-Language` (`zh` or `en`). Lists are
paged with opaque cursors: follow `next`. Too many requests in a minute (per token, or per
address without one) are refused with `429` and `Retry-After`.
"""


BODY_ERRORS = {400: "Bad Request", 413: "Request Too Large"}


def _problem_answer(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _throttled_answer() -> dict[str, Any]:
    """The 429 every route may answer (dataip.api.throttles), with its ``Retry-After``."""
    retry_after = {
        "description": "Seconds until the limit lets the next request through.",
        "schema": {"type": "integer"},
    }
    return {**_problem_answer("Too Many Requests"), "headers": {"Retry-After": retry_after}}


@csrf_exempt
def _unknown_route(request: HttpRequest) -> HttpResponse:
    """Any path under the API that names no route: a 404 problem, not the site's HTML page."""
    detail = gettext("No such API route; the routes are listed at %(docs)s.") % {
        "docs": "/api/v1/docs"
    }
    return errors.problem(request, 404, "not_found", detail)


def _problem_when_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a method a route lacks with a bare 405; make it a problem, keeping Allow."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        detail = gettext("This route does not accept %(method)s.") % {"method": request.method}
        refused = errors.problem(request, 405, "method_not_allowed", detail)
        refused["Allow"] = response["Allow"]
        return refused

    return wrapped


class RegistryAPI(NinjaAPI):
    """The API: errors documented as ``application/problem+json``, and problems for unknown
    routes and methods too."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                pattern.callback = _unknown_route  # ninja's raises Http404 outside the API
            elif isinstance(pattern, URLPattern):
                pattern.callback = _problem_when_not_allowed(pattern.callback)
        return [*patterns, re_path(r"^.*$", _unknown_route)]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The OpenAPI document, with the media type every error really has."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:  # any body may be malformed or too large
                    for status, text in BODY_ERRORS.items():
                        operation["responses"].setdefault(status, _problem_answer(text))
                operation["responses"].setdefault(429, _throttled_answer())
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {errors.PROBLEM_TYPE: content["application/json"]}
        return schema


api = RegistryAPI(
    version="1",
    urls_namespace="api",
    title="dataip API",
    description=DESCRIPTION,
    docs=Swagger(settings={"validatorUrl": None}),
    throttle=THROTTLES,
)
errors.install(api)
api.add_router("", public_router)
api.add_router("/applications", applications_router)
api.add_router("", bank_router)
api.add_router("", rights_router)
api.add_router("", transfers_router)
api.add_router("", objections_router)
api.add_router("", staff_router)
api.add_router("", staff_cases_router)
api.add_router("", notifications_router)
api.add_router("", organisation_router)
api.add_router("", identity_router)
api.add_router("", staff_organisations_router)
api.add_router("/log", log_router)
api.add_router("/verify", verify_router)
api.add_router("/deposits", deposits_router)
api.add_router("", listings_router)
api.add_router("", events_router)
api.add_router("", webhooks_router)
api.add_router("", metadata_router)
api.add_router("", trade_reports_router)

# Platforms: the bulk export (docs/platforms.md)
from dataip.api.routers.exports import router as exports_router  # noqa: E402

api.add_router("", exports_router)
