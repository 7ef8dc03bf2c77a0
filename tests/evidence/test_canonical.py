"""RFC 8785 canonical JSON for log leaves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dataip.evidence
from dataip.evidence.canonical import canonical_json


def test_it_sorts_keys_and_drops_whitespace() -> None:
    event = {"type": "filed", "schema": "dip.event/v1", "n": 3, "zh": "数据"}
    assert canonical_json(event) == (
        '{"n":3,"schema":"dip.event/v1","type":"filed","zh":"数据"}'.encode()
    )


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        (1.5, r"\$"),
        ({"a": {"b": [1, 2.0]}}, r"\$\.a\.b\[1\]"),
        ([{"x": float("nan")}], r"\$\[0\]\.x"),
    ],
)
def test_it_refuses_floats_and_names_the_path(obj: object, path: str) -> None:
    with pytest.raises(ValueError, match=f"float not allowed in canonical JSON at {path}"):
        canonical_json(obj)


@pytest.mark.parametrize("obj", [{1: "x"}, b"bytes", 2**60, object()])
def test_it_refuses_values_json_cannot_represent(obj: object) -> None:
    with pytest.raises(ValueError, match="cannot canonicalize"):
        canonical_json(obj)


def test_it_imports_nothing_from_django_or_other_dataip_packages() -> None:
    allowed = {"__future__", "base64", "binascii", "collections", "cryptography", "dataclasses"}
    allowed |= {"functools", "hashlib", "re", "rfc8785", "secrets", "time", "typing"}
    allowed |= {"asn1crypto", "datetime", "json"}  # RFC 3161 tokens, evidence bundles
    # Dataset fingerprints: walking, hashing in worker processes, the holder-side CLI.
    allowed |= {"os", "stat", "signal", "multiprocessing", "hmac", "unicodedata", "sys"}
    allowed |= {"contextlib", "enum", "pathlib", "typer", "blake3", "pyfastcdc"}
    # tlog-tiles: `dataip verify-tiles` reads a mirror over HTTP(S), bundles maybe gzip-compressed
    allowed |= {"gzip", "io", "urllib"}
    package = Path(dataip.evidence.__file__).parent
    for source in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{source.name} imports {roots - allowed}"
