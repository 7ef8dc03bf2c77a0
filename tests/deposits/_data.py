"""Generated datasets, real manifests (``dataip.evidence.fingerprint``) and deposits."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

from django.conf import settings

from dataip.deposits import services
from dataip.deposits.models import Deposit
from dataip.evidence.fingerprint import fingerprint
from tests.support.personas import Person

AVG = 4096
"""Small FastCDC chunks keep the generated data small while giving many chunks."""


def files(seed: int, prefix: str, count: int) -> dict[str, bytes]:
    """``count`` random binary files of 20–60 kB."""
    rng = random.Random(seed)
    return {
        f"{prefix}{i:02d}.bin": rng.randbytes(rng.randrange(20_000, 60_000)) for i in range(count)
    }


def make_tree(root: Path, content: dict[str, bytes]) -> Path:
    """Write ``content`` (relative path -> bytes) under ``root``."""
    for rel, data in content.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def manifest_of(folder: Path, *, minhash: bool = True, **options: Any) -> dict[str, Any]:
    """The real manifest of ``folder`` (with a MinHash signature unless told otherwise)."""
    result = fingerprint([folder], minhash=minhash, chunk_size=AVG, workers=1, **options)
    return result.manifest


def encoded(manifest: dict[str, Any]) -> bytes:
    """The manifest as ``dataip fingerprint`` writes it."""
    return (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def deposit(person: Person, manifest: dict[str, Any] | bytes) -> Deposit:
    """Deposit a manifest as ``person`` through the service."""
    data = manifest if isinstance(manifest, bytes) else encoded(manifest)
    return services.create_deposit(actor=person.actor, user=person.user, content=io.BytesIO(data))


def tsa_ca_file() -> Path:
    """The internal TSA's CA certificate (made on first use)."""
    return Path(settings.DATAIP_DEPOSIT_TSA_DIR) / "ca.crt"
