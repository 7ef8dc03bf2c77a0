"""Where stored files live (文件存储位置): a folder on this machine, or an object store.

Every file the registry keeps (materials, identity documents, evidence, deposit manifests,
certificate PDFs, export snapshots, the log's tiles) goes through a Django storage of
``settings.STORAGES``; nothing reads them by path. Only the operator's tools ask where that is:
the backup (local folders are archived, a bucket is backed up with the object store's own
tools) and the messages of the command line. This module answers them for any storage.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from django.core.files.storage import Storage

__all__ = ["local_folder", "where"]


def local_folder(storage: Storage) -> Path | None:
    """The storage's folder when it is on this machine's disk, else None (an object store
    has no paths)."""
    try:
        return Path(storage.path(""))
    except NotImplementedError:
        return None


def where(storage: Storage, name: str = "") -> str:
    """A place in ``storage`` for an operator to read: a path, or ``s3://bucket/key``."""
    folder = local_folder(storage)
    if folder is not None:
        return str(folder / name) if name else str(folder)
    bucket = str(getattr(storage, "bucket_name", "") or "")
    key = posixpath.join(str(getattr(storage, "location", "") or ""), name)
    return f"s3://{bucket}/{key}" if bucket else f"{type(storage).__name__}:{key}"
