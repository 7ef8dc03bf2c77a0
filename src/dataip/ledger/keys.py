"""The ledger's signing key (日志签名密钥): made on first use, published, rotated as an event.

Files in ``settings.DATAIP_LOG_KEY_DIR`` (default ``<data folder>/ledger``):

* ``log.key`` -- the Ed25519 signing key as a Go x/mod skey string, mode 0600. Its name is
  the log origin (``settings.DATAIP_LOG_ORIGIN``).
* ``log.vkeys`` -- every C2SP verifier key the log has used, oldest first, one per line.
  Old checkpoints stay verifiable after a rotation with these.
* ``log.key.next`` -- only during a rotation (see :func:`rotate_key`).

A rotation is itself a logged event (``ledger_key_rotation``, payload ``{old_vkey,
new_vkey}``), covered by a checkpoint signed with the *old* key before the new one signs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from dataip.evidence import Ed25519Signer, Ed25519Verifier, VerificationError

ROTATION_EVENT = "ledger_key_rotation"
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
def _rotation_lock(*, wait: bool) -> Iterator[bool]:
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


@dataclass(frozen=True)
class Rotation:
    """The outcome of :func:`rotate_key`."""

    old_vkey: str
    new_vkey: str
    leaf_index: int


def rotate_key(at: datetime | None = None) -> Rotation:
    """Replace the signing key; the change is logged and signed by the old key first.

    1. the new key is written to ``log.key.next``;
    2. the event ``ledger_key_rotation`` is recorded in its own (durable) transaction;
    3. a checkpoint covering that event is signed with the old key;
    4. the new key replaces ``log.key`` (atomic rename) and joins ``log.vkeys``.
    An interruption after 2 is completed by :func:`finish_interrupted_rotation` (run by
    ``sign_pending``); an interruption before 2 leaves the old key in place.
    """
    from dataip.registry import clock
    from dataip.registry.events import record_event
    from dataip.registry.workflow import SYSTEM

    with _rotation_lock(wait=True):
        old = signer()
        new = Ed25519Signer.generate(origin())
        next_path = key_dir() / "log.key.next"
        next_path.unlink(missing_ok=True)
        _write_private(next_path, new.skey)
        with transaction.atomic(durable=True):
            event = record_event(
                None,
                ROTATION_EVENT,
                actor=SYSTEM,
                at=at or clock.now(),
                from_status=None,
                to_status=None,
                payload={"old_vkey": old.vkey, "new_vkey": new.vkey},
            )
        index = int(event.leaf_index or 0)
        _complete(old, index)
        return Rotation(old.vkey, new.vkey, index)


def _complete(old: Ed25519Signer, leaf_index: int) -> None:
    """Steps 3 and 4 of a rotation: old-key checkpoint over the event, then the switch."""
    from dataip.ledger.checkpoints import ensure_signed

    ensure_signed(leaf_index + 1, old)
    next_path = key_dir() / "log.key.next"
    new = _read_signer(next_path)
    _append_vkey(new.vkey)
    os.replace(next_path, key_dir() / "log.key")
    with _cache_lock:
        _cache.pop(key_dir() / "log.key", None)


def finish_interrupted_rotation() -> bool:
    """Complete or undo a rotation that stopped half-way; True if one was found."""
    from dataip.registry.models import Event

    next_path = key_dir() / "log.key.next"
    if not next_path.exists():
        return False
    with _rotation_lock(wait=False) as locked:
        if not locked or not next_path.exists():
            return False  # a rotation is running right now
        new = _read_signer(next_path)
        event = (
            Event.objects.filter(action=ROTATION_EVENT, payload__new_vkey=new.vkey)
            .exclude(leaf_index=None)
            .first()
        )
        if event is None or event.leaf_index is None:
            next_path.unlink()  # the event never committed: keep the old key
        else:
            _complete(signer(), event.leaf_index)
    return True
