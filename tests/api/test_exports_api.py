"""The bulk export in the API: the same rows as the pages, the cursor, the snapshots."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from dataip.registry.models import Application
from dataip.registry.queries import exports
from dataip.registry.services import lifecycle
from dataip.registry.workflow import Status
from dataip.upkeep.exports import write_snapshots
from tests.api._support import Api, assert_problem
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(personas: Personas) -> list[Application]:
    at_stage(personas, Status.EXPERT_REVIEW)
    at_stage(personas, Status.UNDER_PUBLICITY)
    return [at_stage(personas, Status.REGISTERED) for _ in range(3)]


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_jsonl_and_csv_stream_every_public_registration(
    api: Api, registrations: list[Application]
) -> None:
    response = api.get("exports/registrations.jsonl")
    assert response.status_code == 200
    assert response.streaming
    rows = [json.loads(line) for line in body(response).splitlines()]
    wanted = [a.registration_number for a in registrations]
    assert [r["registrationNumber"] for r in rows] == wanted
    table = api.get("exports/registrations.csv", data={"bom": "1"})
    assert b"".join(table.streaming_content).startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(body(api.get("exports/registrations.csv")))))
    assert [r["registrationNumber"] for r in parsed] == wanted
    assert list(parsed[0]) == list(exports.NAMES)


def test_the_cursor_gives_only_what_changed(
    api: Api, registrations: list[Application], personas: Personas
) -> None:
    first = api.get("exports/registrations.jsonl")
    cursor = first["X-Export-Cursor"]
    assert first["Link"] == (
        f'<http://testserver/api/v1/exports/registrations.jsonl?since={cursor}>; rel="next"'
    )
    lifecycle.cancel(registrations[1].pk, actor=personas.applicant.actor, reason="不再经营")
    changed = api.get("exports/registrations.jsonl", data={"since": cursor})
    rows = [json.loads(line) for line in body(changed).splitlines()]
    assert [(r["registrationNumber"], r["status"]) for r in rows] == [
        (registrations[1].registration_number, "cancelled")
    ]
    assert_problem(api.get("exports/registrations.jsonl", data={"since": "-1"}), 422)


def test_snapshots_are_listed_and_served(api: Api, registrations: list[Application]) -> None:
    assert api.get("exports/snapshots").json()["items"] == []
    write_snapshots(date(2026, 4, 11))
    listing = api.get("exports/snapshots").json()
    assert [item["format"] for item in listing["items"]] == ["jsonl", "csv"]
    assert listing["columns"] == list(exports.NAMES)
    assert listing["jsonl"] == "http://testserver/api/v1/exports/registrations.jsonl"
    item = listing["items"][0]
    assert item["day"] == "2026-04-11"
    served = api.get(item["url"])
    assert served.status_code == 200
    data = b"".join(served.streaming_content)
    with exports.snapshot_storage().open(item["name"], "rb") as kept:
        assert data == kept.read()
    assert len(data) == item["size"]
    missing = api.get("exports/snapshots/registrations-2020-01-01-c1.csv.gz")
    assert_problem(missing, 404)
