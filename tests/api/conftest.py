"""Every API test gets its own key folder and no TSA unless it starts one; API fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api._support import api, bank, tokens
from tests.ledger._support import use_fresh_keys

__all__ = ["api", "bank", "tokens"]


@pytest.fixture(autouse=True)
def key_folder(settings: Any, tmp_path: Path) -> Path:
    return use_fresh_keys(settings, tmp_path)
