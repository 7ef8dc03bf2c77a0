"""The request id (请求编号): one name for everything a request caused, in every log line.

:class:`RequestIdMiddleware` comes first in the chain: it takes the ``X-Request-ID`` a proxy or
the client sent when it is sane (letters, digits and ``._:=+/@-``, at most 128 characters),
makes one otherwise, keeps it in a context variable for the length of the request and returns
it in the ``X-Request-ID`` response header. :class:`RequestIdFilter`, on the log handler,
writes it into every record as ``request_id`` (``-`` outside a request: the worker, ``tick``).

This module imports no Django at load time: the logging configuration loads it before the
apps, gunicorn's master too.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

HEADER = "X-Request-ID"
NONE = "-"
_SANE = re.compile(r"[A-Za-z0-9._:=+/@-]{1,128}")

_current: ContextVar[str] = ContextVar("dataip_request_id", default=NONE)


def current() -> str:
    """The id of the request being served in this thread, ``-`` outside one."""
    return _current.get()


def choose(offered: str | None) -> str:
    """The offered id if it is sane (so a proxy's id runs through), a new random one if not
    (a header that could forge log lines or fill them is never copied)."""
    if offered and _SANE.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Name each request, keep the name for its log lines, and return it as a header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = choose(request.headers.get(HEADER))
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to every record (any logger, any format); filters nothing out."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set the record's ``request_id`` unless the caller passed one."""
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
