"""Witness tests: a fresh ledger key folder each, no TSA, no witnesses unless a test adds one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ledger._support import use_fresh_keys


@pytest.fixture(autouse=True)
def key_folder(settings: Any, tmp_path: Path) -> Path:
    settings.DATAIP_WITNESSES = []
    settings.DATAIP_WITNESS_QUORUM = 0
    return use_fresh_keys(settings, tmp_path)
