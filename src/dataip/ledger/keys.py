"""The ledger's signing key (日志签名密钥): made on first use, published, rotated.

Files in ``settings.DATAIP_LOG_KEY_DIR`` (default ``<data folder>/ledger``):

* ``log.key`` -- the Ed25519 signing key as a Go x/mod skey string, mode 0600. Its name is
  the log origin (``settings.DATAIP_LOG_ORIGIN``).
* ``log.vkeys`` -- every C2SP verifier key the log has used, oldest first, one per line.
  Old checkpoints stay verifiable after a rotation with these.
* ``log.key.next`` -- only during a rotation (see :func:`rotate_key`).

The steps of a rotation are here (:func:`stage_next_key`, :func:`promote_next_key`); announcing
it in the log, signed by the *old* key before the new one signs, is the registry's part
(:mod:`dataip.upkeep.rotation`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip.evidence import Ed25519Signer, Ed25519Verifier, VerificationError

_cache: dict[Path, tuple[tuple[int, int], Ed25519Signer]] = {}  # path -> (inode, mtime), key
_cache_lock = threading.Lock()


def key_dir() -> Path:
    """The folder that holds the ledger's keys."""
    return Path(settings.DATAIP_LOG_KEY_DIR)


def origin() -> str:
    """The log's origin (checkpoint first line and key name)."""
    return str(settings.DATAIP_LOG_ORIGIN)


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 atomically; fail if it exists (another process won)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temp, path)  # atomic, and refuses to replace an existing key
    finally:
        temp.unlink(missing_ok=True)


def _read_signer(path: Path) -> Ed25519Signer:
    """Load the skey in ``path`` and check that it belongs to this log."""
    try:
        signer = Ed25519Signer.from_skey(path.read_text().strip())
    except VerificationError as exc:
        raise ImproperlyConfigured(f"{path} is not a valid ledger key: {exc.message}") from None
    if signer.name != origin():
        raise ImproperlyConfigured(
            f"{path} is the key of log {signer.name!r}, but DATAIP_LOG_ORIGIN is {origin()!r}"
        )
    return signer


def _append_vkey(vkey: str) -> None:
    """Add ``vkey`` to ``log.vkeys`` unless it is already there."""
    path = key_dir() / "log.vkeys"
    if vkey in _vkey_lines(path):
        return
    with path.open("a") as handle:
        handle.write(vkey + "\n")


def _vkey_lines(path: Path) -> list[str]:
    """Non-empty lines of a vkeys file (none if it does not exist)."""
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def signer() -> Ed25519Signer:
    """The current signing key; generated on first use (mode 0600)."""
    path = key_dir() / "log.key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first
            _write_private(path, Ed25519Signer.generate(origin()).skey)
    status = path.stat()
    stamp = (status.st_ino, status.st_mtime_ns)  # a rotation renames a new file into place
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp and cached[1].name == origin():
            return cached[1]
        loaded = _read_signer(path)
        _cache[path] = (stamp, loaded)
    _append_vkey(loaded.vkey)
    return loaded


def vkey() -> str:
    """The current public key as a C2SP vkey string (publish this)."""
    return signer().vkey


def all_vkeys() -> list[str]:
    """Every vkey this log has used, oldest first, the current one last."""
    current = vkey()
    keys = [k for k in _vkey_lines(key_dir() / "log.vkeys") if k != current]
    return [*keys, current]


def verifiers() -> list[Ed25519Verifier]:
    """Verifiers for every key in :func:`all_vkeys` (for checking stored checkpoints)."""
    return [Ed25519Verifier.from_vkey(k) for k in all_vkeys()]


def vkey_for(key_id_hex: str) -> str | None:
    """The known vkey with this 8-hex-digit key ID, if any."""
    for candidate in all_vkeys():
        if candidate.split("+")[1] == key_id_hex:
            return candidate
    return None


@contextmanager
def rotation_lock(*, wait: bool) -> Iterator[bool]:
    """An exclusive file lock for rotating (yields False if ``wait`` is False and it is busy)."""
    path = key_dir() / "log.key.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def stage_next_key() -> Ed25519Signer:
    """Step 1 of a rotation: a new key in ``log.key.next`` (replacing a stale one); return it.

    Call it under :func:`rotation_lock`. The current key keeps signing until
    :func:`promote_next_key`.
    """
    new = Ed25519Signer.generate(origin())
    path = key_dir() / "log.key.next"
    path.unlink(missing_ok=True)
    _write_private(path, new.skey)
    return new


def next_key() -> Ed25519Signer | None:
    """The key staged by a rotation under way (or stopped half-way), if there is one."""
    path = key_dir() / "log.key.next"
    return _read_signer(path) if path.exists() else None


def promote_next_key() -> None:
    """The last step of a rotation: the staged key joins ``log.vkeys`` and replaces ``log.key``.

    The caller has made sure a checkpoint signed by the old key covers whatever announces the
    new one (for the registry: the logged rotation event).
    """
    next_path = key_dir() / "log.key.next"
    _append_vkey(_read_signer(next_path).vkey)
    os.replace(next_path, key_dir() / "log.key")  # atomic: readers see the old or the new key
    with _cache_lock:
        _cache.pop(key_dir() / "log.key", None)


def drop_next_key() -> None:
    """Undo a rotation that stopped before it was announced: the current key stays."""
    (key_dir() / "log.key.next").unlink(missing_ok=True)
