"""Canonical JSON for log leaves: RFC 8785 (JSON Canonicalization Scheme).

Floats are refused everywhere in the structure (design note §1.4): JCS number
formatting is an interoperability trap, so leaves carry integers or strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

__all__ = ["canonical_json"]


def _reject_floats(obj: Any, path: str) -> None:
    """Raise ``ValueError`` naming the JSON path of the first float found."""
    if isinstance(obj, float):
        raise ValueError(f"float not allowed in canonical JSON at {path}: {obj!r}")
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            _reject_floats(value, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key!r}]")
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            _reject_floats(value, f"{path}[{i}]")


def canonical_json(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 encoding of ``obj``.

    Raises ``ValueError`` if ``obj`` contains a float (message names the path,
    e.g. ``$.amount``), a non-string object key, an integer outside the
    I-JSON safe range, or any other value JSON cannot represent.
    """
    _reject_floats(obj, "$")
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"cannot canonicalize JSON: {exc}") from None
