"""The storages of the files the registry keeps (文件存储): local folders or an object store.

``settings.STORAGES`` has three aliases, the same in both cases:

* ``default`` -- every uploaded or issued file (materials, identity documents, objection
  evidence, decisions, deposit manifests, certificate PDFs);
* ``exports`` -- the bulk export's nightly snapshots;
* ``tiles`` -- the log as C2SP tlog-tiles, static files a CDN or mirror can serve.

Without object storage they are folders: ``MEDIA_ROOT``, ``DATAIP_EXPORT_DIR`` (read at each
use, see :class:`ExportFolder`) and ``DATAIP_DATA_DIR/tiles``. With ``DATAIP_S3_BUCKET`` they
are one bucket of an S3-compatible store (django-storages' ``S3Storage``), under
``media/``, ``exports/`` and ``tlog/`` (below ``DATAIP_S3_PREFIX`` if set). Objects are
private: no ACL is sent, so the bucket's own (private) one applies, and no address of an
object is ever handed out -- the registry's views check who may read a file and stream it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage

__all__ = ["ExportFolder", "S3Place", "local_storages", "s3_storages"]

SPOOL_BYTES = 2 * 1024 * 1024
"""A file read from the object store is held in memory up to this size, then on disk."""


class ExportFolder(FileSystemStorage):
    """A :class:`FileSystemStorage` at ``settings.DATAIP_EXPORT_DIR``, read at each use (like
    ``MEDIA_ROOT`` for the default storage), so a change of the setting is followed."""

    @property
    def base_location(self) -> str:
        """The folder as configured now."""
        return str(settings.DATAIP_EXPORT_DIR)

    @property
    def location(self) -> str:
        """The folder as an absolute path."""
        return os.path.abspath(self.base_location)


@dataclass(frozen=True)
class S3Place:
    """A bucket of an S3-compatible object store and how to reach it (``DATAIP_S3_*``)."""

    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None  # None: the SDK's own chain (environment, profile, role)
    secret_access_key: str | None = None
    addressing_style: str = "path"  # "path" (MinIO, Ceph RGW) or "virtual" (Aliyun OSS)
    prefix: str = ""


def local_storages(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The three aliases as folders on this machine."""
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "exports": {"BACKEND": "dataip.config.storage.ExportFolder"},
        "tiles": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": data_dir / "tiles", "allow_overwrite": True},
        },
    }


def s3_storages(place: S3Place) -> dict[str, dict[str, Any]]:
    """The three aliases in ``place``'s bucket. Like local files, a name already taken gets
    another (a stored certificate is never replaced), except for the tiles, whose checkpoint
    is rewritten in place."""
    return {
        "default": _s3(place, "media", overwrite=False),
        "exports": _s3(place, "exports", overwrite=False),
        "tiles": _s3(place, "tlog", overwrite=True),
    }


def _s3(place: S3Place, folder: str, *, overwrite: bool) -> dict[str, Any]:
    """One alias: the objects under ``prefix/folder`` of the bucket."""
    prefix = place.prefix.strip("/")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": place.bucket,
            "endpoint_url": place.endpoint_url,
            "region_name": place.region,
            "access_key": place.access_key_id,
            "secret_key": place.secret_access_key,
            "addressing_style": place.addressing_style,
            "signature_version": "s3v4",
            "location": f"{prefix}/{folder}" if prefix else folder,
            "default_acl": None,  # no public grant: the bucket's own (private) ACL
            "querystring_auth": True,  # were an address ever made, it would be signed
            "file_overwrite": overwrite,
            "max_memory_size": SPOOL_BYTES,
            "client_config": _client_config(place.addressing_style),
        },
    }


def _client_config(addressing_style: str) -> Any:
    """The SDK's checksums only where the operation requires them: MinIO, Ceph RGW and OSS do
    not all accept the checksums that newer SDKs send with every upload."""
    from botocore.config import Config  # type: ignore[import-untyped]

    return Config(
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        s3={"addressing_style": addressing_style},
    )
