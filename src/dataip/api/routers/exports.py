"""The bulk export (public, no token): every public registration as JSON Lines or CSV,
streamed, whole or since a cursor; the nightly snapshots and their files.

Rows, columns and cursor: :mod:`dataip.registry.queries.exports` (docs/platforms.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.urls import reverse
from ninja import P, QueryEx, Router
from ninja.params import PathEx

from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.exports import Snapshot, Snapshots
from dataip.api.schemas.log import Problem
from dataip.errors import NotFound, gettext_noop
from dataip.registry.queries import exports

router = Router(tags=["exports"])
ERRORS: dict[int, type[Problem]] = {404: Problem, 422: ValidationProblem}
Since = QueryEx[
    str | None,
    P(
        pattern=r"^[0-9]{1,18}$",
        description="Only registrations whose public state changed at or after this cursor "
        "(the X-Export-Cursor of an earlier export)",
    ),
]
SnapshotName = PathEx[str, P(pattern=exports.SNAPSHOT_NAME.pattern)]
HEADERS = {
    "X-Export-Cursor": {
        "description": "The cursor up to which this export is complete",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'rel="next": the URL of the changes after this export',
        "schema": {"type": "string"},
    },
}


def _answer(media: str, description: str) -> dict[str, object]:
    return {
        "responses": {
            200: {
                "description": description,
                "headers": HEADERS,
                "content": {media: {"schema": {"type": "string"}}},
            }
        }
    }


def _stream(
    request: HttpRequest,
    lines: Callable[[int | None], Iterator[bytes]],
    content_type: str,
    since: str | None,
    query: dict[str, str],
) -> StreamingHttpResponse:
    start = exports.parse_since(since)
    cursor = exports.cursor_now()  # read before the rows: every change below it is in them
    response = StreamingHttpResponse(lines(start), content_type=content_type)
    following = (
        request.build_absolute_uri(request.path) + "?" + urlencode({**query, "since": str(cursor)})
    )
    response["X-Export-Cursor"] = str(cursor)
    response["Link"] = f'<{following}>; rel="next"'
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/exports/registrations.jsonl",
    response={200: None, **ERRORS},
    summary="Bulk export (JSON Lines)",
    openapi_extra=_answer("application/jsonl", "One public registration per line"),
)
def export_jsonl(request: HttpRequest, since: Since = None) -> StreamingHttpResponse:
    """Every public registration (registered, expired, cancelled, revoked), one JSON object
    per line, streamed. ``X-Export-Cursor`` says up to where it is complete; ask again with
    ``since`` (the ``Link: rel=next`` URL) for only those whose public state changed since."""
    return _stream(request, exports.jsonl_lines, "application/jsonl; charset=utf-8", since, {})


@router.get(
    "/exports/registrations.csv",
    response={200: None, **ERRORS},
    summary="Bulk export (CSV)",
    openapi_extra=_answer("text/csv", "A header row, then one public registration per row"),
)
def export_csv(
    request: HttpRequest, since: Since = None, bom: QueryEx[bool, P()] = False
) -> StreamingHttpResponse:
    """The same rows as CSV (UTF-8; ``bom=1``: with a byte order mark for Excel)."""
    return _stream(
        request,
        lambda start: exports.csv_lines(start, bom=bom),
        "text/csv; charset=utf-8",
        since,
        {"bom": "1"} if bom else {},
    )


@router.get("/exports/snapshots", response={200: Snapshots}, summary="Export snapshots")
def snapshots(request: HttpRequest) -> Snapshots:
    """The nightly snapshots kept (gzip JSON Lines and CSV, named by day and cursor), the
    newest first, and the live exports with their columns."""

    def url(route: str, **kwargs: str) -> str:
        return request.build_absolute_uri(reverse(f"api:{route}", kwargs=kwargs))

    return Snapshots(
        items=[
            Snapshot(
                name=s.name,
                day=s.day,
                cursor=s.cursor,
                format=s.format,
                size=s.size,
                url=url("export_snapshot", name=s.name),
            )
            for s in exports.snapshots()
        ],
        jsonl=url("export_jsonl"),
        csv=url("export_csv"),
        columns=list(exports.NAMES),
    )


@router.get(
    "/exports/snapshots/{name}",
    response={200: None, **ERRORS},
    summary="Export snapshot file",
    openapi_extra={
        "responses": {
            200: {
                "description": "A gzip file of JSON Lines or CSV",
                "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_snapshot(request: HttpRequest, name: SnapshotName) -> FileResponse:
    """One snapshot file."""
    found = exports.open_snapshot(name)
    if found is None:
        raise NotFound(gettext_noop("No such snapshot."))
    stream, size = found
    response = FileResponse(stream, as_attachment=True, filename=name)
    response["Content-Length"] = str(size)
    response["Content-Type"] = "application/gzip"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
