"""The logging configuration (日志配置), one for Django and for gunicorn's own messages.

Plain text by default, as ``make run`` has always printed it; one JSON object per line when
``DATAIP_LOG_FORMAT=json`` (``dataip appserver`` sets it unless told otherwise), for a log
collector. Every record carries the request id (``request_id``, ``-`` outside a request) added
by :class:`dataip.web.requestid.RequestIdFilter`, so the lines of one request, from any module,
can be found together. ``dataip.access`` is the one line per request (method, path, view,
status, duration), written only when ``DATAIP_ACCESS_LOG`` is on.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("plain", "json")

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s %(request_id)s"
"""The fields of every JSON line; anything passed as ``extra=`` is added beside them."""


def config(fmt: str, level: str, *, access: bool) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` dictionary: the root logger to standard error in
    ``fmt`` (``plain`` or ``json``) at ``level``, gunicorn's loggers passed on to it, and the
    access log at INFO when ``access`` (WARNING, that is silent, otherwise)."""
    if fmt not in FORMATS:
        raise ValueError(f"DATAIP_LOG_FORMAT must be one of {', '.join(FORMATS)} (got {fmt!r})")
    formatters: dict[str, Any] = {
        "plain": {"format": "%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "dataip.web.requestid.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gunicorn's master and workers: through the same handler, in the same format
            # (gunicorn's own stderr handler is dropped when this dictionary is applied).
            "gunicorn.error": {"handlers": [], "propagate": True, "level": level},
            # gunicorn's access line is left out: dataip.access says more (view, request id).
            "gunicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
            "dataip.access": {"level": "INFO" if access else "WARNING"},
        },
    }
