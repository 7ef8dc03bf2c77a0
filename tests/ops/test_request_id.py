"""Each request has an id: taken from ``X-Request-ID`` when sane, made otherwise, returned as a
header, and written into every log line of the request (JSON with ``DATAIP_LOG_FORMAT=json``)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client
from django.utils.module_loading import import_string

from dataip.config import logs
from dataip.web import requestid

pytestmark = pytest.mark.django_db


def test_a_sane_id_runs_through() -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a:42")
    assert response["X-Request-ID"] == "lb-7f3a:42"


@pytest.mark.parametrize("offered", [None, "", "two words", "x" * 129, "a\nforged line", "名字"])
def test_otherwise_a_new_one_is_made(offered: str | None) -> None:
    headers = {} if offered is None else {"X-Request-ID": offered}
    made = Client().get("/healthz", headers=headers)["X-Request-ID"]
    assert made != offered
    assert len(made) == 32
    assert int(made, 16) >= 0
    assert Client().get("/healthz", headers=headers)["X-Request-ID"] != made, "a new one each time"


def test_outside_a_request_the_id_is_a_dash() -> None:
    record = logging.LogRecord("dataip.tick", logging.INFO, __file__, 1, "tick", None, None)
    assert requestid.RequestIdFilter().filter(record)
    assert getattr(record, "request_id", None) == "-"
    assert requestid.current() == "-"


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="DATAIP_LOG_FORMAT"):
        logs.config("xml", "INFO", access=True)


def json_handler(stream: io.StringIO) -> logging.Handler:
    """The console handler of ``DATAIP_LOG_FORMAT=json``, built from the same configuration,
    writing to ``stream``."""
    configured = logs.config("json", "INFO", access=True)
    spec = dict(configured["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(import_string(configured["filters"]["request_id"]["()"])())
    return handler


def test_json_log_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    handler = json_handler(stream)
    access = logging.getLogger("dataip.access")
    tick = logging.getLogger("dataip.tick")
    level = access.level
    for logger in (access, tick):
        logger.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        Client().get("/account/login", HTTP_X_REQUEST_ID="req-json-1")
        tick.warning("outside any request")
    finally:
        access.setLevel(level)
        for logger in (access, tick):
            logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["logger"] for line in lines] == ["dataip.access", "dataip.tick"]
    inside, outside = lines
    assert inside["request_id"] == "req-json-1"
    assert inside["level"] == "INFO"
    assert (inside["method"], inside["path"], inside["view"]) == (
        "GET",
        "/account/login",
        "web:login",
    )
    assert inside["status"] == 200
    assert inside["message"].startswith("GET /account/login 200 ")
    assert outside["request_id"] == "-"
    assert outside["message"] == "outside any request"
