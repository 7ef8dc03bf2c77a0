"""Load the upstream test vectors copied into ``tests/evidence/vectors``."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent / "vectors"


@cache
def load(name: str) -> Any:
    """Parsed JSON of ``vectors/<name>``."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b64(value: str) -> bytes:
    """Decode standard base64 as used by Go's encoding/json."""
    return base64.b64decode(value)


def hx(value: str) -> bytes:
    """Decode lowercase hex."""
    return bytes.fromhex(value)


class NodeStore:
    """A dict of complete-subtree hashes keyed by (level, index), counting lookups."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.lookups = 0

    def store(self, created: list[tuple[int, int, bytes]]) -> None:
        for level, index, h in created:
            assert (level, index) not in self.nodes
            self.nodes[(level, index)] = h

    def __call__(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return self.nodes[(level, index)]
