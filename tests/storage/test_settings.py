"""The storage settings: three aliases, local folders by default, the bucket when named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dataip.config.storage import S3Place, local_storages, s3_storages


def test_every_alias_is_defined_both_ways(tmp_path: Path) -> None:
    local = local_storages(tmp_path)
    remote = s3_storages(S3Place(bucket="registry", prefix="/dataip/"))
    assert set(local) == set(remote) == {"default", "exports", "tiles"}
    assert local["tiles"]["OPTIONS"]["location"] == tmp_path / "tiles"
    options = {alias: remote[alias]["OPTIONS"] for alias in remote}
    assert {a: o["location"] for a, o in options.items()} == {
        "default": "dataip/media",
        "exports": "dataip/exports",
        "tiles": "dataip/tlog",
    }
    assert {o["default_acl"] for o in options.values()} == {None}, "no public grant"
    assert {a: o["file_overwrite"] for a, o in options.items()} == {
        "default": False,
        "exports": False,
        "tiles": True,
    }


def test_the_environment_chooses_the_bucket(tmp_path: Path) -> None:
    script = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps({a: [v['BACKEND'], v.get('OPTIONS', {}).get('bucket_name'),"
        " v.get('OPTIONS', {}).get('endpoint_url')] for a, v in s.STORAGES.items()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dataip.config.settings",
        "DATAIP_DATA_DIR": str(tmp_path),
        "DATAIP_S3_BUCKET": "registry",
        "DATAIP_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    done = subprocess.run(  # noqa: S603 - this Python, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    storages = json.loads(done.stdout)
    s3 = ["storages.backends.s3.S3Storage", "registry", "http://127.0.0.1:9000"]
    assert storages["default"] == storages["exports"] == storages["tiles"] == s3
