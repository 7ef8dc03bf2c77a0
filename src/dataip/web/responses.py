"""What every response of the site (pages, downloads, API) keeps to, whatever the view.

* **Confidential responses are not stored** (保密内容不缓存): a response to a signed-in person or
  to an API token — an applicant's, an examiner's, a bank's page or file, an authenticated API
  route — is sent with ``Cache-Control: no-store`` (Django's ``add_never_cache_headers``), so
  neither a shared proxy nor the browser's disk keeps it. Only what anyone may see unsigned
  (public pages, certificates' verification, the public API) stays cacheable.
* **HEAD works wherever GET does**: a HEAD request is answered by the GET view, and the body
  is dropped (headers kept, ``Content-Length`` included), as Rack::Head or werkzeug do. A view
  decorated with ``require_GET`` or an API route declared for GET thus answers HEAD too, and
  no view has to remember it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

Respond = Callable[[HttpRequest], HttpResponseBase]


def is_confidential(request: HttpRequest) -> bool:
    """Whether the request came from someone known: a signed-in person or an API token.

    Anonymous requests get public pages, redirects to the sign-in page, or refusals; any
    other answer may hold what only that person's organisation or the staff may see."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return getattr(request, "auth", None) is not None or "HTTP_AUTHORIZATION" in request.META


class ConfidentialResponsesMiddleware:
    """Send ``Cache-Control: no-store`` (and ``private``) with every confidential response."""

    def __init__(self, get_response: Respond) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_confidential(request):
            add_never_cache_headers(response)
        return response


class HeadAsGetMiddleware:
    """Answer HEAD with the GET view's status and headers, without the body. The view sees
    GET, and ``request.head_only``: a GET with a side effect (issuing a statement) skips it."""

    def __init__(self, get_response: Respond) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.head_only = True  # type: ignore[attr-defined]  # a view with a side effect skips it
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = []  # the file stays registered and is closed after
        elif isinstance(response, HttpResponse):
            if "Content-Length" not in response:
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
