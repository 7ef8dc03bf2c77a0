"""The ledger's signing key (日志签名密钥): made on first use, published, rotated.

Files in the key store's ledger folder (:mod:`dataip.keystore`, ``DATAIP_LOG_KEY_DIR``,
default ``<data folder>/ledger``):

* ``log.key`` -- the Ed25519 signing key as a Go x/mod skey string, mode 0600. Its name is
  the log origin (``settings.DATAIP_LOG_ORIGIN``).
* ``log.vkeys`` -- every C2SP verifier key the log has used, oldest first, one per line.
  Old checkpoints stay verifiable after a rotation with these.
* ``log.key.next`` -- only during a rotation (see :func:`stage_next_key`).
* ``log.history`` -- one JSON line per retired key: its validity period and its successor's
  signature over it (:mod:`dataip.ledger.key_history`, format in
  :mod:`dataip.evidence.key_history`). Made at each rotation, while the successor's private
  key exists; back it up with the rest of the folder.

Only a log that has not signed anything makes its first key. Once the log has a checkpoint (or
``log.vkeys`` names a key), a missing
``log.key`` is refused (:class:`dataip.keystore.KeyMissing`, by :func:`signer` and so by every
signing, ``dataip serve`` and ``dataip tick``): a new key made silently would sign a log whose
earlier checkpoints name another key. The ways out are to restore the key folder, or to replace
the lost key explicitly as a logged event (:func:`dataip.upkeep.rotation.replace_lost_key`).

The steps of a rotation are here (:func:`stage_next_key`, :func:`promote_next_key`); announcing
it in the log, signed by the *old* key before the new one signs, is the registry's part
(:mod:`dataip.upkeep.rotation`).
"""

from __future__ import annotations

import contextlib
import json
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dataip import keystore
from dataip.evidence import Ed25519Signer, Ed25519Verifier, VerificationError

_CACHE = "ledger.log.key"  # the current key's entry in the key store's cache


def key_dir() -> Path:
    """The folder that holds the ledger's keys."""
    return keystore.folder(keystore.LEDGER)


def origin() -> str:
    """The log's origin (checkpoint first line and key name)."""
    return str(settings.DATAIP_LOG_ORIGIN)


def write_key(path: Path, signer: Ed25519Signer) -> None:
    """Store ``signer`` as an skey line in ``path`` (mode 0600); refuse to replace a key there
    (:class:`FileExistsError`)."""
    keystore.write(path, (signer.skey + "\n").encode(), private=True, exclusive=True)


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


def missing_key() -> keystore.KeyMissing | None:
    """The refusal to make a new key: ``log.key`` is missing but a key signed before.

    A key signed before when the log has a checkpoint (every checkpoint is signed), or when
    ``log.vkeys`` lists a key. A log with entries but no checkpoint yet is a new log whose
    first commit is being signed: it gets its first key.
    """
    from dataip.ledger.models import Checkpoint

    path = key_dir() / "log.key"
    if path.exists():
        return None
    newest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
    if newest is not None:
        return keystore.KeyMissing(
            keystore.LEDGER,
            path,
            f"日志已有签名的检查点（已签至第 {newest} 个条目）",
            f"the log has signed checkpoints (up to {newest} entries)",
        )
    if known_vkeys():
        return keystore.KeyMissing(
            keystore.LEDGER,
            path,
            "log.vkeys 列出了此前使用过的公钥",
            "log.vkeys lists keys used before",
        )
    return None


def signer() -> Ed25519Signer:
    """The current signing key; generated on first use (mode 0600) while the log is empty.

    Raises :class:`dataip.keystore.KeyMissing` if ``log.key`` is missing but the log has
    signed checkpoints (:func:`missing_key`).
    """
    path = key_dir() / "log.key"
    if not path.exists():
        if (refusal := missing_key()) is not None:
            raise refusal
        with contextlib.suppress(FileExistsError):  # another process made it first
            write_key(path, Ed25519Signer.generate(origin()))
    return keystore.load(_CACHE, [path], lambda: _published(path), also=origin())


def _published(path: Path) -> Ed25519Signer:
    """The key in ``path``, its public key added to ``log.vkeys``."""
    loaded = _read_signer(path)
    _append_vkey(loaded.vkey)
    return loaded


def vkey() -> str:
    """The current public key as a C2SP vkey string (publish this)."""
    return signer().vkey


def known_vkeys() -> list[str]:
    """The keys listed in ``log.vkeys``, oldest first (without reading the signing key)."""
    return _vkey_lines(key_dir() / "log.vkeys")


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


def rotation_lock(*, wait: bool) -> AbstractContextManager[bool]:
    """An exclusive file lock for rotating (yields False if ``wait`` is False and it is busy)."""
    return keystore.locked(key_dir() / "log.key.lock", wait=wait)


def stage_next_key() -> Ed25519Signer:
    """Step 1 of a rotation: a new key in ``log.key.next`` (replacing a stale one); return it.

    Call it under :func:`rotation_lock`. The current key keeps signing until
    :func:`promote_next_key`.
    """
    new = Ed25519Signer.generate(origin())
    path = key_dir() / "log.key.next"
    path.unlink(missing_ok=True)
    write_key(path, new)
    return new


def stage_replacement_key(lost_vkeys: list[str]) -> Ed25519Signer:
    """Step 1 of replacing a lost key: ``log.vkeys`` lists ``lost_vkeys`` (the keys known to
    have signed, oldest first), and a new key waits in ``log.key.next``; return it.

    Call it under :func:`rotation_lock`, with ``log.key`` missing.
    """
    for lost in lost_vkeys:
        _append_vkey(lost)
    return stage_next_key()


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
    keystore.forget(_CACHE)


def drop_next_key() -> None:
    """Undo a rotation that stopped before it was announced: the current key stays."""
    (key_dir() / "log.key.next").unlink(missing_ok=True)


HISTORY_FILE = "log.history"


def successions() -> list[dict[str, Any]]:
    """The retired keys' signed records in ``log.history``, oldest first."""
    path = key_dir() / HISTORY_FILE
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise ImproperlyConfigured(f"{path} line {number} is not JSON") from None
        records.append(record)
    return records


def record_succession(record: dict[str, Any]) -> None:
    """Append a retired key's signed record to ``log.history`` (unless it is there already)."""
    if any(known.get("vkey") == record["vkey"] for known in successions()):
        return
    path = key_dir() / HISTORY_FILE
    with path.open("a") as handle:
        handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
