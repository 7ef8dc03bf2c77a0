"""Every upkeep test gets its own ledger key folder and no TSA unless it starts one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ledger._support import use_fresh_keys


@pytest.fixture(autouse=True)
def key_folder(settings: Any, tmp_path: Path) -> Path:
    return use_fresh_keys(settings, tmp_path)
