"""The bulk export: JSON Lines and CSV, incremental since a cursor, nightly snapshots."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from typer.testing import CliRunner

from dataip.cli import app
from dataip.registry.models import Application
from dataip.registry.queries import exports
from dataip.registry.services import lifecycle
from dataip.registry.workflow import Status
from dataip.upkeep.exports import nightly_snapshot, write_snapshots
from dataip.upkeep.tick import STEPS
from tests.support.builders import day
from tests.support.jobs import run_jobs
from tests.support.personas import Personas
from tests.web._builders import build, freeze


@pytest.fixture
def registry(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> dict[str, Application]:
    freeze(monkeypatch, day(40))
    return {
        "draft": build(personas, Status.DRAFT, name="草稿中的秘密数据"),
        "examined": build(personas, Status.EXPERT_REVIEW, name="审查中的秘密数据"),
        "announced": build(personas, Status.UNDER_PUBLICITY, name="公示中的数据集"),
        "first": build(personas, Status.REGISTERED, name="城市交通出行数据集", name_en="Mobility"),
        "second": build(personas, Status.REGISTERED, name='港口物流数据集, 含"引号"\n与换行'),
    }


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def jsonl(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body(response).decode().splitlines()]


def numbers(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [row["registrationNumber"] for row in rows]


def registered(registry: dict[str, Application]) -> list[str]:
    return [str(registry[k].registration_number) for k in ("first", "second")]


def test_jsonl_has_every_public_registration_and_nothing_else(
    registry: dict[str, Application],
) -> None:
    response = Client().get("/exports/registrations.jsonl")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/jsonl")
    rows = jsonl(response)
    assert numbers(rows) == registered(registry)
    assert all(list(row) == list(exports.NAMES) for row in rows)
    first = rows[0]
    assert first["name"] == "城市交通出行数据集"
    assert first["status"] == "registered"
    assert (first["statusLabel"], first["statusLabelEn"]) == ("已登记", "Registered")
    assert first["provinceLabelEn"] == "Shanghai"
    assert first["underPledge"] is False
    assert first["validUntil"] == str(registry["first"].valid_until)
    assert "甲数据科技有限公司" in first["holders"]
    text = body(Client().get("/exports/registrations.jsonl")).decode()
    for secret in ("秘密", "保密的算法细节", "用户协议授权", "公示中的数据集"):
        assert secret not in text


def test_csv_parses_with_a_header_and_the_same_rows(registry: dict[str, Application]) -> None:
    response = Client().get("/exports/registrations.csv")
    assert response["Content-Type"].startswith("text/csv")
    content = body(response).decode("utf-8")
    assert not content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert numbers(rows) == registered(registry)
    assert rows[1]["name"] == '港口物流数据集, 含"引号"\n与换行'
    assert rows[0]["underPledge"] == "false"
    assert list(rows[0]) == list(exports.NAMES)
    assert rows == [
        {k: "" if v is None else ("false" if v is False else str(v)) for k, v in row.items()}
        for row in jsonl(Client().get("/exports/registrations.jsonl"))
    ]
    with_bom = body(Client().get("/exports/registrations.csv", {"bom": "1"}))
    assert with_bom.startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(io.StringIO(with_bom.decode("utf-8-sig"), newline=""))) == rows


def test_since_a_cursor_only_what_changed(
    registry: dict[str, Application], personas: Personas
) -> None:
    whole = Client().get("/exports/registrations.jsonl")
    cursor = whole["X-Export-Cursor"]
    assert int(cursor) > 0
    assert whole["Link"] == (
        f'<http://testserver/exports/registrations.jsonl?since={cursor}>; rel="next"'
    )
    assert jsonl(Client().get("/exports/registrations.jsonl", {"since": cursor})) == []
    lifecycle.cancel(registry["second"].pk, actor=personas.applicant.actor, reason="不再经营")
    changed = Client().get("/exports/registrations.jsonl", {"since": cursor})
    rows = jsonl(changed)
    assert numbers(rows) == [registry["second"].registration_number]
    assert rows[0]["status"] == "cancelled"
    assert int(changed["X-Export-Cursor"]) > int(cursor)
    later = Client().get("/exports/registrations.csv", {"since": changed["X-Export-Cursor"]})
    assert list(csv.DictReader(io.StringIO(body(later).decode(), newline=""))) == []
    assert "bom" not in later["Link"]
    assert "bom=1" in Client().get("/exports/registrations.csv", {"bom": "1"})["Link"]
    # A registration made after the cursor is in the changes too.
    third = build(personas, Status.REGISTERED, name="第三个数据集")
    assert third.registration_number in numbers(
        jsonl(Client().get("/exports/registrations.jsonl", {"since": cursor}))
    )


def test_a_bad_cursor_is_refused(registry: dict[str, Application]) -> None:
    response = Client().get("/exports/registrations.jsonl", {"since": "abc"})
    assert response.status_code == 422


def test_head_has_the_cursor(registry: dict[str, Application]) -> None:
    response = Client().head("/exports/registrations.csv")
    assert response.status_code == 200
    assert response["X-Export-Cursor"]


def stored(name: str) -> bytes:
    """A snapshot file's bytes, read from the exports storage (local folder or bucket)."""
    with exports.snapshot_storage().open(name, "rb") as handle:
        return bytes(handle.read())


def read_gzip(name: str) -> str:
    return gzip.decompress(stored(name)).decode("utf-8-sig")


def test_snapshots_are_written_once_listed_and_served(registry: dict[str, Application]) -> None:
    written = write_snapshots(date(2026, 4, 11))
    assert sorted(name.split(".", 1)[1] for name in written) == ["csv.gz", "jsonl.gz"]
    cursor = exports.cursor_now()
    assert all(name.startswith(f"registrations-2026-04-11-c{cursor}.") for name in written)
    assert write_snapshots(date(2026, 4, 11)) == [], "idempotent"
    jsonl_file = next(name for name in written if name.endswith(".jsonl.gz"))
    rows = [json.loads(line) for line in read_gzip(jsonl_file).splitlines()]
    assert numbers(rows) == registered(registry)
    csv_file = next(name for name in written if name.endswith(".csv.gz"))
    assert numbers(csv.DictReader(io.StringIO(read_gzip(csv_file), newline=""))) == numbers(rows)
    assert sorted(exports.snapshot_storage().listdir("")[1]) == sorted(written), (
        "no partial file left"
    )

    for language, title in (("zh-hans", "每日快照"), ("en", "Nightly snapshots")):
        page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/exports/")
        assert page.status_code == 200
        text = page.content.decode()
        assert title in text
        assert "/exports/registrations.jsonl" in text
        assert f"/exports/snapshots/{jsonl_file}" in text
    served = Client().get(f"/exports/snapshots/{jsonl_file}")
    assert body(served) == stored(jsonl_file)
    assert Client().get("/exports/snapshots/..%2Fsecret_key").status_code == 404
    assert Client().get("/exports/snapshots/registrations-2026-04-12-c1.csv.gz").status_code == 404


def test_the_command_and_tick_write_one_a_day(
    registry: dict[str, Application], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    assert result.output.count("written") == 2
    again = CliRunner().invoke(app, ["export"])
    assert "exists already" in again.output
    assert len(exports.snapshots()) == 2
    assert nightly_snapshot in STEPS
    settings.DATAIP_EXPORT_SNAPSHOTS = True
    assert nightly_snapshot(day(40)) == Counter(), "today's is there"
    assert nightly_snapshot(day(41)) == Counter({"export_snapshot_queued": 1})
    assert nightly_snapshot(day(41)) == Counter(), "queued already"
    assert run_jobs("exports") == 1, "the worker writes it"
    assert nightly_snapshot(day(41)) == Counter(), "once a day"
    assert [s.day for s in exports.snapshots()].count(date(2026, 4, 12)) == 2
    call_command("check")
