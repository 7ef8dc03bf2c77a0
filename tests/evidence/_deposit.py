"""Independent re-implementation of design note §4.2 for checking the fingerprint tool.

Nothing here imports dataip: records, order, leaves (``rfc8785`` directly) and
the RFC 6962 tree hash are written out from the spec.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path
from typing import Any

import rfc8785


def spec_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH over leaf data (recursive definition)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + spec_mth(leaves[:k]) + spec_mth(leaves[k:])).digest()


def spec_records(
    parent: Path, names: list[str], *, extras: tuple[str, ...] = (), salt: bytes | None = None
) -> list[dict[str, Any]]:
    """Records of every regular file under ``parent/name`` for each name, sorted per §4.2."""
    records = []
    for name in names:
        for folder, _dirs, files in os.walk(parent / name):
            for file in files:
                full = Path(folder) / file
                rel = unicodedata.normalize("NFC", full.relative_to(parent).as_posix())
                data = full.read_bytes()
                record: dict[str, Any] = {
                    "path": rel,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
                if "sm3" in extras:
                    record["sm3"] = hashlib.new("sm3", data).hexdigest()
                if "blake3" in extras:
                    from blake3 import blake3

                    record["blake3"] = blake3(data).hexdigest()
                if salt is not None:
                    record["path"] = hmac.new(salt, rel.encode(), hashlib.sha256).hexdigest()
                records.append(record)
    records.sort(key=lambda r: r["path"].encode("utf-8"))
    return records


def spec_root(records: list[dict[str, Any]]) -> str:
    """Deposit root of sorted records: MTH over RFC 8785 leaves, hex."""
    return spec_mth([rfc8785.dumps(r) for r in records]).hex()


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    """Create ``files`` (relative path -> content) under ``root``; return ``root``."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    root.mkdir(parents=True, exist_ok=True)
    return root


SAMPLE: dict[str, bytes] = {
    "a.csv": b"id,name\n1,alpha\n",
    "b/c.json": b'{"k": 1}\n',
    "b/d/e.bin": bytes(range(256)) * 40,
    "数据/表格.csv": "编号,名称\n1,甲\n".encode(),
    "empty": b"",
    "Zeta.TXT": b"upper case sorts before lower case\n",
    "b/space name.txt": b"spaces are fine\n",
    "caf\u00e9.txt": b"accented\n",
}
