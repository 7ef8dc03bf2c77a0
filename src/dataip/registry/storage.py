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
from typing import IO, Any

from django.core.files.storage import Storage

__all__ = ["local_folder", "open_stream", "where"]


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


def open_stream(storage: Storage, name: str) -> tuple[IO[bytes], int]:
    """``name`` open for reading from its start, and its size; the caller closes it.

    From an object store this is the store's own answer, read as it arrives: a file opened
    through django-storages would first copy the whole object here. A download therefore
    starts at once and holds one block at a time, whatever the file's size. Raises
    :class:`FileNotFoundError` for a name not stored.
    """
    if type(storage).__module__ == "storages.backends.s3":
        return _s3_stream(storage, name)
    handle = storage.open(name, "rb")
    return handle, int(handle.size)


def _s3_stream(storage: Any, name: str) -> tuple[IO[bytes], int]:
    """The body of a GET of the object ``name`` (its key under the storage's location)."""
    from botocore.exceptions import ClientError  # type: ignore[import-untyped]
    from storages.utils import clean_name  # type: ignore[import-untyped]

    key = storage._normalize_name(clean_name(name))  # the storage's own rule: location + name
    try:
        answer = storage.bucket.Object(key).get()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(name) from None
        raise
    return answer["Body"], int(answer["ContentLength"])
