"""Every page and download of the access matrix: confidential answers are sent with
``Cache-Control: no-store``, public ones stay cacheable, and HEAD answers as GET does.

The whole URL configuration is walked too: every route without parameters answers HEAD with
GET's status, for the public and for a signed-in applicant.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.web.conftest import client_for, read_download
from tests.web.test_access_matrix import MATRIX, PERSONAS, World, fill, world

__all__ = ["world"]
pytestmark = pytest.mark.django_db
PAGES = {key: row for key, row in MATRIX.items() if row[0] == "get"}
#: Pages reached by a link that carries a secret (reset, enrolment, invitation, e-mail
#: verification): Django's own views send them with no-store, even to the public.
SECRET_LINKS = (
    "/account/password/reset/",
    "/account/enrol/",
    "/account/invitation/",
    "/account/verify-email/",
)


def _stored(response: Any) -> bool:
    """Whether a cache may keep the response."""
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return "no-store" not in directives


def _body(response: Any) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.mark.parametrize("persona", PERSONAS)
def test_confidential_pages_are_not_stored_and_head_answers_as_get(
    world: World, persona: str
) -> None:
    client: Client = client_for(world.user(persona))
    for key, (_method, template, _data, expected) in PAGES.items():
        url = fill(template, world)
        got = client.get(url)
        if hasattr(got, "streaming_content"):
            read_download(got)
        assert got.status_code == expected[persona], (key, persona)
        if persona == "anonymous":
            # The public's answers hold nothing confidential; a cache may keep them.
            assert _stored(got) or url.startswith(SECRET_LINKS), key
        else:
            assert not _stored(got), key
            assert "private" in got["Cache-Control"], key
        head = client.head(url)
        assert head.status_code == got.status_code, (key, persona)
        assert _body(head) == b"", key
        for header in ("Content-Type", "Cache-Control", "Location"):
            assert head.get(header) == got.get(header), (key, persona, header)
        # (HEAD of an encumbrance statement issues none: see test_sealed_records.py)
        assert ("Content-Disposition" in head) == ("Content-Disposition" in got), key


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> list[tuple[str, URLPattern]]:
    """Every route of the site whose path takes no parameter, with its full path."""
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + route)
        elif not pattern.pattern.converters and not any(c in route for c in "^$([<"):
            found.append(("/" + prefix + route, pattern))
    return found


ROUTES = list(dict.fromkeys(path for path, _ in _routes(get_resolver().url_patterns)))


def test_the_walk_finds_the_pages_and_the_api() -> None:
    assert {"/", "/search", "/account/login", "/admin/", "/api/v1/announcements"} <= set(ROUTES)


@pytest.mark.parametrize("signed_in", [False, True], ids=["public", "applicant"])
def test_every_route_answers_head_as_get(personas: Any, signed_in: bool) -> None:
    client = client_for(personas.applicant.user if signed_in else None)
    for path in ROUTES:
        got = client.get(path)
        head = client.head(path)
        assert head.status_code == got.status_code, path
        assert head.get("Content-Type") == got.get("Content-Type"), path
        assert _body(head) == b"", path
        if signed_in:
            assert not _stored(got), path
