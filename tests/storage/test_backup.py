"""``dataip backup`` / ``restore`` with the files in an object store: the archive says where
they are instead of holding them, a restore leaves the bucket alone, and an archive made with
local files moves them into the bucket."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.config.storage import local_storages
from dataip.registry.workflow import Status
from dataip.upkeep.backup import restore
from tests.support.builders import at_stage
from tests.support.personas import Personas

from .conftest import BUCKET, Bucket, close_connections, local_files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_folders(settings: Any, tmp_path: Path) -> None:
    """The data folder and key folders of a backup, under this test's temporary folder."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    (settings.DATA_DIR / "secret_key").write_text("test-secret\n")
    settings.DATAIP_CERT_DIR = tmp_path / "certificates"
    settings.DATAIP_DEPOSIT_TSA_DIR = tmp_path / "tsa"


def _manifest(archive: Path) -> tuple[dict[str, Any], list[str]]:
    with tarfile.open(archive) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return json.loads(handle.read()), tar.getnames()


def test_the_backup_says_the_files_are_in_the_bucket(
    personas: Personas, s3: Bucket, tmp_path: Path
) -> None:
    at_stage(personas, Status.DRAFT)
    objects = {key: s3.read(key) for key in s3.keys("media/")}
    assert objects
    archive = tmp_path / "b.tar.gz"
    made = CliRunner().invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    place = f"s3://{BUCKET}/{s3.prefix}/media/"
    assert f"in the object store {place}, not in this backup" in made.output
    manifest, names = _manifest(archive)
    assert manifest["media"] == {"in": "object storage", "where": place}
    assert not [name for name in names if name.startswith("media/")]

    report = restore(archive, force=True)
    assert report.media_elsewhere == place
    assert report.uploaded == 0
    assert {key: s3.read(key) for key in s3.keys("media/")} == objects, "the bucket is untouched"
    assert local_files() == []


def test_a_backup_of_local_files_restores_into_the_bucket(
    personas: Personas, s3: Bucket, settings: Any, tmp_path: Path
) -> None:
    in_bucket = settings.STORAGES
    close_connections()
    settings.STORAGES = {"staticfiles": in_bucket["staticfiles"], **local_storages(tmp_path)}
    at_stage(personas, Status.DRAFT)
    media = Path(settings.MEDIA_ROOT)
    files = {p.relative_to(media).as_posix(): p.read_bytes() for p in local_files()}
    assert files
    archive = tmp_path / "local.tar.gz"
    assert CliRunner().invoke(app, ["backup", str(archive)]).exit_code == 0
    assert _manifest(archive)[0]["media"]["in"] == "archive"

    settings.STORAGES = in_bucket
    report = restore(archive, force=True)
    assert report.uploaded == len(files)
    assert {key.removeprefix("media/"): s3.read(key) for key in s3.keys("media/")} == files
