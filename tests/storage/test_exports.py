"""Export snapshots in the object store: written whole, listed, served by the page and the
API, and the oldest pruned past ``DATAIP_EXPORT_KEEP``."""

from __future__ import annotations

import gzip
from datetime import date
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from dataip.cli import app
from dataip.registry.queries import exports
from dataip.upkeep.exports import prune_snapshots, write_snapshots
from tests.web.conftest import read_download

from .conftest import BUCKET, Bucket, local_files

pytestmark = pytest.mark.django_db


def test_a_snapshot_is_written_listed_and_served(s3: Bucket, client: Client) -> None:
    written = write_snapshots(date(2026, 4, 11))
    assert s3.keys("exports/") == sorted(f"exports/{name}" for name in written)
    assert write_snapshots(date(2026, 4, 11)) == [], "a snapshot is never written twice"
    listed = exports.snapshots()
    assert [(s.name, s.size) for s in listed] == [
        (name, len(s3.read(f"exports/{name}"))) for name in sorted(written, reverse=True)
    ]
    jsonl = next(name for name in written if name.endswith(".jsonl.gz"))
    assert gzip.decompress(s3.read(f"exports/{jsonl}")) == b"", "no registration yet"
    page = client.get(f"/exports/snapshots/{jsonl}")
    assert page.status_code == 200
    assert read_download(page) == s3.read(f"exports/{jsonl}")
    api = client.get("/api/v1/exports/snapshots").json()
    assert [item["name"] for item in api["items"]] == [s.name for s in listed]
    served = client.get(api["items"][0]["url"])
    assert read_download(served) == s3.read(f"exports/{api['items'][0]['name']}")
    assert client.get("/exports/snapshots/registrations-2020-01-01-c1.csv.gz").status_code == 404
    assert local_files() == []


def test_old_snapshots_are_pruned(s3: Bucket, settings: Any) -> None:
    settings.DATAIP_EXPORT_KEEP = 2
    for n in range(1, 5):
        write_snapshots(date(2026, 4, n))
    days = sorted({s.day for s in exports.snapshots()})
    assert days == [date(2026, 4, 3), date(2026, 4, 4)]
    assert len(s3.keys("exports/")) == 4, "a JSON Lines and a CSV file for each day kept"
    assert prune_snapshots(keep=1) == [
        f"registrations-2026-04-03-c{exports.cursor_now()}.{fmt}.gz" for fmt in ("jsonl", "csv")
    ]
    assert {s.day for s in exports.snapshots()} == {date(2026, 4, 4)}


def test_the_command_names_the_bucket(s3: Bucket) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 0, result.output
    assert result.output.count(f"s3://{BUCKET}/{s3.prefix}/exports/registrations-") == 2
    assert len(s3.keys("exports/")) == 2
