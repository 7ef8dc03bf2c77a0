"""Bad input of every kind is a 4xx problem naming what was wrong, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.api import pagination
from dataip.errors import ValidationFailed
from tests.api._support import Api, Tokens, assert_problem, field_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(api: Api, tokens: Tokens) -> Api:
    return api.as_(tokens.own)


@pytest.fixture
def draft_url(own: Api) -> str:
    return f"applications/{own.post('applications', {'kind': 'data_collection'}).json()['id']}"


@pytest.mark.parametrize("body", ["{", '{"name": }', "\xff\xfe", "[1, 2", '{"name": "x"} trailing'])
def test_malformed_json_is_a_400_problem(own: Api, draft_url: str, body: str) -> None:
    response = own.patch(draft_url, body.encode("latin-1"), content_type="application/json")
    assert_problem(response, 400, "malformed_body")


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ([1, 2], ["body"]),
        ('"just text"', ["body"]),
        ({"name": 1}, ["name"]),
        ({"recordCount": "many"}, ["recordCount"]),
        ({"recordCount": -1}, ["recordCount"]),
        ({"recordCount": 2**70}, ["recordCount"]),
        ({"formationDate": "yesterday"}, ["formationDate"]),
        ({"details": ["format"]}, ["details"]),
        ({"revision": "two"}, ["revision"]),
        ({"name": "a\x00b"}, ["name"]),
        ({"details": {"format": "a\x00"}}, ["details"]),
        ({"unknown": 1, "name_en": "snake case is not our spelling"}, ["unknown", "name_en"]),
    ],
)
def test_wrong_types_and_unknown_fields_are_named(
    own: Api, draft_url: str, body: Any, names: list[str]
) -> None:
    problem = assert_problem(own.patch(draft_url, body), 422, "invalid_parameters")
    assert field_names(problem) == names
    assert all(e["location"] == "body" for e in problem["errors"])
    assert all(e["reason"] for e in problem["errors"])
    if "\x00" in str(body):
        assert problem["errors"][0]["reason"] == "Text must not contain NUL characters."


def test_a_draft_needs_its_kind(own: Api) -> None:
    problem = assert_problem(own.post("applications", {"name": "x"}), 422)
    assert field_names(problem) == ["kind"]
    assert problem["errors"][0]["reason"] == "This field is required."
    wrong = assert_problem(own.post("applications", {"kind": "painting"}), 422)
    assert field_names(wrong) == ["kind"]


@pytest.mark.parametrize(
    "url",
    [
        "applications/0",
        "applications/-1",
        "applications/abc",
        f"applications/{2**64}",
        "applications?limit=0",
        "applications?limit=101",
        "applications?limit=x",
        "registrations?year=20260",
        "registrations?kind=painting",
        "registrations?status=draft",
        "registrations?industry=6",
        f"registrations?q={'x' * 201}",
        "registrations?q=%00",
        "registrations/not-a-number!",
    ],
)
def test_bad_parameters_are_422_problems(own: Api, url: str) -> None:
    response = own.get(url)
    if url.endswith("!"):
        assert_problem(response, 422)
        return
    assert_problem(response, 422, "invalid_parameters")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        pagination.encode(("a",)),  # a text key where an id is due
        pagination.encode((1, 2)),
        "WyJjMiIsMV0",  # another version
        "====",
    ],
)
def test_bad_cursors_are_named(own: Api, draft_url: str, cursor: str) -> None:
    for url in ("applications", f"{draft_url}/materials", f"{draft_url}/events", "pledges"):
        problem = assert_problem(own.get(f"{url}?cursor={cursor}"), 422)
        assert field_names(problem) == ["cursor"]


def test_a_cursor_outside_the_alphabet_is_refused_before_decoding(own: Api) -> None:
    problem = assert_problem(own.get("applications?cursor=a%2Fb"), 422, "invalid_parameters")
    assert problem["errors"][0]["location"] == "query"


def test_cursors_decode_to_what_was_encoded() -> None:
    assert pagination.decode(pagination.encode((7,)), (int,)) == (7,)
    assert pagination.decode(pagination.encode(("2026-01-01", 3)), (str, int)) == ("2026-01-01", 3)
    with pytest.raises(ValidationFailed):
        pagination.decode(pagination.encode((True,)), (int,))


def test_a_huge_body_is_a_413_problem(own: Api, draft_url: str, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = own.patch(draft_url, {"summary": "x" * 2000})
    assert_problem(response, 413, "request_too_large")


def test_a_malformed_multipart_upload_is_a_400_problem(own: Api, draft_url: str) -> None:
    response = own.post(
        f"{draft_url}/materials",
        b'--nope\r\nContent-Disposition: form-data; name="file"\r\n\r\nx',
        content_type="multipart/form-data",  # no boundary
    )
    assert_problem(response, 400, "malformed_body")


def test_an_uploads_name_with_a_nul_is_cleaned(own: Api, draft_url: str) -> None:
    upload = SimpleUploadedFile("sam\x00ples.csv", b"a,b\n1,2\n")
    response = own.post(
        f"{draft_url}/materials", data={"kind": "samples", "file": upload}, content_type=None
    )
    assert response.status_code == 201, response.content
    assert "\x00" not in response.json()["name"]


def test_an_unknown_route_and_a_wrong_method_are_problems(own: Api, draft_url: str) -> None:
    for url in ("nothing-here", "applications/1/nothing", "/api/v1/"):
        assert_problem(own.get(url), 404, "not_found")
    refused = assert_problem(own.call("PUT", draft_url, {"name": "x"}), 405, "method_not_allowed")
    assert refused["detail"] == "This route does not accept PUT."
    assert own.call("PUT", draft_url, {"name": "x"})["Allow"]


def test_a_malformed_authorization_header_is_a_401_problem(api: Api) -> None:
    for header in ("Bearer", "Basic dXNlcjpwdw==", "Bearer dip_", "Bearer " + "x" * 5000):
        response = api.get("applications", headers={"Authorization": header})
        assert_problem(response, 401, "unauthenticated")
