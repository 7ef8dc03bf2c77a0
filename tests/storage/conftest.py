"""Storage tests: the registry's files in an S3-compatible object store on loopback.

One moto server (``ThreadedMotoServer``, the S3 API served over HTTP as an object store
would) runs for the whole session with one bucket; each test gets its own prefix in it, and
``STORAGES`` pointing there, built by the same :func:`dataip.config.storage.s3_storages` as the
settings do with ``DATAIP_S3_BUCKET``. The app then talks to it through django-storages and
boto3 as it would to MinIO, Ceph RGW or OSS.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from dataip.config.storage import S3Place, s3_storages
from tests.ledger._support import use_fresh_keys

BUCKET = "dataip-test"
REGION = "us-east-1"
KEY_ID = "dataip-test-key"
SECRET = "dataip-test-secret"


@dataclass
class Bucket:
    """The test's part of the bucket, read with a client of its own (not the app's)."""

    client: Any
    prefix: str

    def keys(self, folder: str = "") -> list[str]:
        """The keys under the test's prefix (and ``folder``), relative to the prefix."""
        start = f"{self.prefix}/{folder}"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=start)
        found = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return sorted(key.removeprefix(f"{self.prefix}/") for key in found)

    def read(self, key: str) -> bytes:
        """The object ``key`` (relative to the prefix)."""
        body = self.client.get_object(Bucket=BUCKET, Key=f"{self.prefix}/{key}")["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()

    def public_grants(self, key: str) -> list[dict[str, Any]]:
        """The grants of the object's ACL to everyone or to any signed-in AWS user."""
        acl = self.client.get_object_acl(Bucket=BUCKET, Key=f"{self.prefix}/{key}")
        return [
            grant
            for grant in acl["Grants"]
            if grant["Grantee"].get("Type") == "Group"
            and grant["Grantee"].get("URI", "").endswith(("/AllUsers", "/AuthenticatedUsers"))
        ]


def _client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port, with the test bucket; stopped at the end."""
    quiet = logging.getLogger("werkzeug")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = _client(endpoint)
        try:
            client.create_bucket(Bucket=BUCKET)
        finally:
            client.close()
        yield endpoint
    finally:
        server.stop()
        if server._server is not None:  # stop() shuts the server down but keeps its socket
            server._server.server_close()
        quiet.setLevel(level)


def close_connections() -> None:
    """Close the app's S3 clients made so far (their sockets), before the storages go."""
    made_so_far: dict[str, Any] = vars(storages).get("_storages", {})  # not making others
    for storage in made_so_far.values():
        made = getattr(getattr(storage, "_connections", None), "connection", None)
        if made is not None:
            made.meta.client.close()


@pytest.fixture(autouse=True)
def s3(s3_endpoint: str, settings: Any, tmp_path: Path) -> Iterator[Bucket]:
    """Every storage alias in the test's own prefix of the bucket; own ledger keys."""
    use_fresh_keys(settings, tmp_path)
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    place = S3Place(
        bucket=BUCKET,
        endpoint_url=s3_endpoint,
        region=REGION,
        access_key_id=KEY_ID,
        secret_access_key=SECRET,
        prefix=prefix,
    )
    settings.STORAGES = {"staticfiles": settings.STORAGES["staticfiles"], **s3_storages(place)}
    client = _client(s3_endpoint)
    try:
        yield Bucket(client, prefix)
    finally:
        close_connections()
        client.close()


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry's own CA and signing certificate, made once per test run."""
    return tmp_path_factory.mktemp("storage-pki")


@pytest.fixture
def certificates_on(settings: Any, pki_folder: Path) -> None:
    """Certificates rendered and signed after the commit, with the run's own CA."""
    settings.DATAIP_CERT_DIR = pki_folder
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_PKCS12_PASSPHRASE_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_CERTIFICATES_AUTO = True
    settings.DATAIP_PUBLIC_URL = "https://registry.example.cn"


def local_files() -> list[Path]:
    """Files on this machine's disk where local storage would have put them (none expected)."""
    folders = [Path(django_settings.MEDIA_ROOT), Path(django_settings.DATAIP_EXPORT_DIR)]
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
