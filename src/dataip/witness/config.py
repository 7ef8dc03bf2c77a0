"""The witness's configuration: the logs it witnesses and its cosigning key.

Logs file (one statement a line, ``#`` starts a comment)::

    log <log vkey> [<origin>]

The origin defaults to the vkey's key name (a dataip log signs with a key named after its
origin).
A log may be listed with several keys (after a key rotation); any one of them must have signed.
The key file holds the witness's Ed25519 cosigning key as an skey line (type 0x04), mode 0600.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dataip.evidence import Cosigner, Ed25519Verifier, MalformedInput

KEY_FILE = "witness.key"
STORE_FILE = "witness.sqlite3"


def parse_logs(text: str) -> dict[str, list[Ed25519Verifier]]:
    """Origins and their log keys; raise :class:`MalformedInput` naming the line."""
    logs: dict[str, list[Ed25519Verifier]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] != "log" or len(words) not in (2, 3):
            raise MalformedInput(f"logs file line {number}: expected 'log <vkey> [<origin>]'")
        try:
            key = Ed25519Verifier.from_vkey(words[1])
        except MalformedInput as exc:
            raise MalformedInput(f"logs file line {number}: {exc.message}") from None
        logs.setdefault(words[2] if len(words) == 3 else key.name, []).append(key)
    return logs


def read_logs(path: Path) -> Mapping[str, list[Ed25519Verifier]]:
    """The logs file at ``path``."""
    return parse_logs(path.read_text(encoding="utf-8"))


def create_key(folder: Path, name: str) -> Cosigner:
    """Make a new cosigning key named ``name`` in ``folder`` (mode 0600); refuse to replace one
    (:class:`FileExistsError`)."""
    folder.mkdir(parents=True, exist_ok=True)
    cosigner = Cosigner.generate(name)
    path = folder / KEY_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(cosigner.skey + "\n")
    return cosigner


def load_key(folder: Path) -> Cosigner:
    """The cosigning key in ``folder`` (:class:`FileNotFoundError` if there is none)."""
    return Cosigner.from_skey((folder / KEY_FILE).read_text(encoding="utf-8").strip())
