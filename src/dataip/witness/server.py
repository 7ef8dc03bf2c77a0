"""The witness over HTTP: a WSGI application (``POST <prefix>/add-checkpoint``) for waitress."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataip.evidence.tlog_witness import MAX_REQUEST_BYTES
from dataip.witness.core import TEXT, Answer, Witness

StartResponse = Callable[..., Any]


def application(
    witness: Witness, prefix: str = ""
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application serving ``witness`` under ``prefix`` (e.g. ``""`` or ``/w``)."""
    path = prefix.rstrip("/") + "/add-checkpoint"

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = _answer(witness, path, environ)
        start_response(
            f"{answer.status} {_REASONS.get(answer.status, 'Error')}",
            [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))],
        )
        return [answer.body]

    return app


_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
}


def _answer(witness: Witness, path: str, environ: dict[str, Any]) -> Answer:
    if environ.get("PATH_INFO") != path:
        return Answer(404, TEXT, b"not found\n")
    if environ.get("REQUEST_METHOD") != "POST":
        return Answer(405, TEXT, b"use POST\n")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Answer(400, TEXT, b"bad Content-Length\n")
    if length > MAX_REQUEST_BYTES:
        return Answer(413, TEXT, b"request too large\n")
    body = environ["wsgi.input"].read(length)
    return witness.add_checkpoint(body)


def serve(witness: Witness, host: str, port: int, *, threads: int = 4) -> None:
    """Serve ``witness`` with waitress until interrupted."""
    from waitress import serve as waitress_serve

    waitress_serve(
        application(witness), host=host, port=port, threads=threads, ident="dataip-witness"
    )
