"""Bulk export pages (批量导出): every public registration as JSON Lines or CSV, streamed,
whole or since a cursor; the nightly snapshots; the page that lists them.

The rows, the columns and the cursor: :mod:`dataip.registry.queries.exports`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dataip.registry.queries import exports


def stream(
    request: HttpRequest,
    lines: Callable[[int | None], Iterator[bytes]],
    content_type: str,
    filename: str,
    query: dict[str, str],
) -> StreamingHttpResponse:
    """A streamed export: ``X-Export-Cursor`` says up to where it is complete, and
    ``Link: rel=next`` is the URL of the changes after it."""
    since = exports.parse_since(request.GET.get("since"))
    cursor = exports.cursor_now()  # read before the rows: every change below it is in them
    response = StreamingHttpResponse(lines(since), content_type=content_type)
    following = (
        request.build_absolute_uri(request.path) + "?" + urlencode({**query, "since": str(cursor)})
    )
    response["X-Export-Cursor"] = str(cursor)
    response["Link"] = f'<{following}>; rel="next"'
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def registrations_jsonl(request: HttpRequest) -> StreamingHttpResponse:
    """Every public registration, one JSON object per line."""
    return stream(
        request,
        exports.jsonl_lines,
        "application/jsonl; charset=utf-8",
        "registrations.jsonl",
        {},
    )


@require_GET
def registrations_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every public registration as CSV with a header row (``?bom=1``: a BOM for Excel)."""
    bom = request.GET.get("bom") == "1"
    return stream(
        request,
        lambda since: exports.csv_lines(since, bom=bom),
        "text/csv; charset=utf-8",
        "registrations.csv",
        {"bom": "1"} if bom else {},
    )


@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """The live exports, the columns and the snapshots kept."""
    context = {
        "snapshots": exports.snapshots(),
        "columns": exports.NAMES,
        "jsonl": request.build_absolute_uri(reverse("web:export-jsonl")),
        "csv": request.build_absolute_uri(reverse("web:export-csv")),
    }
    return render(request, "web/exports.html", context)


@require_GET
def snapshot(request: HttpRequest, name: str) -> FileResponse:
    """One snapshot file (gzip)."""
    found = exports.open_snapshot(name)
    if found is None:
        raise Http404
    stream, size = found
    response = FileResponse(stream, as_attachment=True, filename=name)
    response["Content-Length"] = str(size)
    response["Content-Type"] = "application/gzip"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
