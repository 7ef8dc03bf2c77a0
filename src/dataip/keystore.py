"""The registry's key store (密钥库): where its keys live, how they are made, read and cached.

The registry keeps three sets of keys, each in the folder named by one setting (defaults under
``DATAIP_DATA_DIR``, so an existing data folder keeps working):

============  =========================  ===============================================
store         setting                    files
============  =========================  ===============================================
ledger        ``DATAIP_LOG_KEY_DIR``     ``log.key`` (Ed25519, C2SP skey), ``log.vkeys``
certificates  ``DATAIP_CERT_DIR``        ``ca.key``, ``ca.crt``, ``seal.key``, ``seal.crt``
deposit TSA   ``DATAIP_DEPOSIT_TSA_DIR`` ``ca.key``, ``ca.crt``, ``tsa.key``, ``tsa.crt``
============  =========================  ===============================================

Each is made on first use; private keys get mode 0600, certificates 0644. A file is written
under a temporary name and renamed into place, so a reader never sees half a key; a key that
must not be replaced (the ledger's) is linked into place and refused if one exists already.
What a file holds is parsed once and cached until the file changes (a new inode or mtime).

A store is made on first use only while nothing depends on it: once the log has entries, or
certificates or deposit receipts were signed, a missing key is refused with
:class:`KeyMissing` (restore the folder, or replace the key explicitly: ``dataip rotate-key
--after-loss``), never silently replaced by a new one.
The formats are the users' business (:mod:`dataip.ledger.keys`,
:mod:`dataip.certificates.pki`, :mod:`dataip.deposits.tsa`). Imports no dataip app.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "CERTIFICATES",
    "DEPOSIT_TSA",
    "LEDGER",
    "KeyMissing",
    "ensure",
    "folder",
    "forget",
    "load",
    "locked",
    "write",
]

#: The setting that names each store's folder.
LEDGER = "DATAIP_LOG_KEY_DIR"
CERTIFICATES = "DATAIP_CERT_DIR"
DEPOSIT_TSA = "DATAIP_DEPOSIT_TSA_DIR"

_T = TypeVar("_T")
_cache: dict[str, tuple[Hashable, Any]] = {}  # name -> (stamp of its files, parsed value)
_cache_lock = threading.Lock()


#: What each store is called, in Chinese and English, and how to replace it after a loss.
_NAMES: dict[str, tuple[str, str, str]] = {
    LEDGER: ("日志签名密钥", "log signing key", "dataip rotate-key --after-loss"),
    CERTIFICATES: (
        "证书签章 CA",
        "certificates' signing CA",
        "dataip rotate-key --after-loss --store certificates",
    ),
    DEPOSIT_TSA: (
        "存证时间戳机构密钥",
        "deposits' time-stamping key",
        "dataip rotate-key --after-loss --store tsa",
    ),
}


class KeyMissing(ImproperlyConfigured):
    """A store's key file is missing while data signed by it exists: no new key is made.

    ``what`` says what depends on it (e.g. "the log has 12 entries"), in both languages.
    """

    def __init__(self, store: str, path: Path, depends_zh: str, depends_en: str) -> None:
        """The key ``path`` of ``store`` is missing, and ``depends_*`` says what needs it."""
        self.store = store
        self.path = path
        zh, en, command = _NAMES[store]
        self.text = {
            "zh": (
                f"{zh}文件 {path} 不存在，但{depends_zh}：不会自动生成新密钥（否则此前签发的"
                f"证据将无法用已公布的公钥或证书验证）。请从备份恢复文件夹 {path.parent}"
                f"（dataip restore），或明确更换密钥（这会被记录）：{command}"
            ),
            "en": (
                f"The {en} file {path} is missing, but {depends_en}: no new key is made "
                f"silently (evidence signed before would no longer verify against the "
                f"published key or certificate). Restore the folder {path.parent} from a "
                f"backup (dataip restore), or replace the key explicitly (this is recorded): "
                f"{command}"
            ),
        }
        super().__init__(self.explain())

    def explain(self, lang: str = "both") -> str:
        """The message in ``lang`` (``zh``, ``en``, or ``both``: Chinese, then English)."""
        if lang == "both":
            return f"{self.text['zh']}\n{self.text['en']}"
        return self.text[lang]


def folder(store: str) -> Path:
    """The folder of ``store``: :data:`LEDGER`, :data:`CERTIFICATES` or :data:`DEPOSIT_TSA`."""
    return Path(getattr(settings, store))


def write(path: Path, data: bytes, *, private: bool, exclusive: bool = False) -> None:
    """Write ``path`` atomically, mode 0600 if ``private`` else 0644 (the umask aside).

    ``exclusive`` refuses to replace an existing file: :class:`FileExistsError` (another
    process was first).
    """
    mode = 0o600 if private else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)  # O_CREAT's mode is cut by the umask; 0644 must stay readable
        if exclusive:
            os.link(temp, path)  # atomic, and refuses to replace an existing file
        else:
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


@contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on the file ``path`` (made if missing) for the ``with`` block.

    Yields True; or False at once if ``wait`` is False and another process holds the lock.
    """
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


def ensure(
    store: str,
    complete: str,
    make: Callable[[], Sequence[tuple[str, bytes, bool]]],
    *,
    refuse: Callable[[Path], KeyMissing | None] | None = None,
) -> Path:
    """Make the files of ``store`` unless its file ``complete`` exists; return its folder.

    ``make`` returns ``(name, data, private)`` in writing order, ``complete`` last: it marks a
    complete store, so a process that stopped half-way makes them all again. Processes
    starting at once queue on the folder's lock and only the first makes them. ``refuse``
    (given the missing file) returns the :class:`KeyMissing` to raise instead of making them
    when something signed by the lost files exists.
    """
    root = folder(store)
    marker = root / complete
    if marker.exists():
        return root
    if refuse is not None and (missing := refuse(marker)) is not None:
        raise missing
    with locked(root / ".lock"):  # another process may be making them right now
        if not marker.exists():
            for name, data, private in make():
                write(root / name, data, private=private)
    return root


def load(name: str, files: Sequence[Path], parse: Callable[[], _T], *, also: Hashable = None) -> _T:
    """What ``parse()`` makes of ``files``, cached under ``name`` until one of them changes.

    A file changes when its inode or modification time does (a rotation renames a new file
    into place); ``also`` is a further part of the cache key (e.g. the name the key must
    have). Raises :class:`OSError` if a file cannot be read; whatever ``parse`` raises.
    """
    stamp: Hashable = (also, tuple(_stamp(path) for path in files))
    with _cache_lock:
        cached = _cache.get(name)
        if cached is not None and cached[0] == stamp:
            return cast(_T, cached[1])
        value = parse()
        _cache[name] = (stamp, value)
        return value


def _stamp(path: Path) -> tuple[str, int, int]:
    status = path.stat()
    return str(path), status.st_ino, status.st_mtime_ns


def forget(name: str | None = None) -> None:
    """Drop the cached value of ``name`` (default: every cached value)."""
    with _cache_lock:
        if name is None:
            _cache.clear()
        else:
            _cache.pop(name, None)
