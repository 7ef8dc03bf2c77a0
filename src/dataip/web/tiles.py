"""The log's tiles over HTTP (C2SP tlog-tiles), served from the ``tiles`` storage (日志瓦片).

``/log/v1/checkpoint`` and ``/log/v1/tile/<L>/<N>[.p/<W>]``, ``/log/v1/tile/entries/...``:
the files :mod:`dataip.ledger.tiles` writes, as they are, so that ``make run`` serves what a
CDN or a mirror serves in front of the object storage in a deployment. Tiles and bundles are
immutable, partial ones too (a path fixes the content), and are cached for a year; the
checkpoint, the one file that changes, for a few seconds. Entry bundles are gzipped when the
client accepts it, as the spec asks. ``/.well-known/dataip-log-tiles`` says where the tiles
are (``DATAIP_LOG_TILES_URL``, or this site's ``/log/v1/``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from dataip.evidence import MalformedInput
from dataip.evidence.tiles import CHECKPOINT_PATH, parse_tile_path

IMMUTABLE = "public, max-age=31536000, immutable"
#: tlog-tiles: the checkpoint's headers "SHOULD prevent caching beyond a few seconds".
SHORT_LIVED = "public, max-age=5"


def _read(name: str) -> bytes | None:
    """A file of the tiles storage, or None if it is not there (yet)."""
    try:
        with storages["tiles"].open(name, "rb") as file:
            data: bytes = file.read()
    except FileNotFoundError:
        return None
    return data


def _not_found() -> HttpResponse:
    """404, not to be cached: the file may be written by the next ``tick``."""
    response = HttpResponse(
        _("No such file in the log's tiles (yet)."),
        status=404,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The signed checkpoint the tiles were written for (C2SP signed note, text/plain)."""
    data = _read(CHECKPOINT_PATH)
    if data is None:
        return _not_found()
    response = HttpResponse(data, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = SHORT_LIVED
    return response


@require_GET
@gzip_page
def tile(request: HttpRequest, name: str) -> HttpResponse:
    """A hash tile or an entry bundle (application/octet-stream), immutable."""
    try:
        found = parse_tile_path(f"tile/{name}")  # only canonical paths reach the storage
    except MalformedInput:
        return _not_found()
    data = _read(found.path)
    if data is None:
        return _not_found()
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    return response


@require_GET
def where(request: HttpRequest) -> HttpResponse:
    """The URL prefix of the log's tiles, one line of text/plain (for mirrors and monitors)."""
    prefix = settings.DATAIP_LOG_TILES_URL or request.build_absolute_uri(
        reverse("log-tiles-checkpoint").removesuffix(CHECKPOINT_PATH)
    )
    return HttpResponse(prefix + "\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path(CHECKPOINT_PATH, checkpoint, name="log-tiles-checkpoint"),
    path("tile/<path:name>", tile, name="log-tiles-tile"),
]
