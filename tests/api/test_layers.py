"""The API is a skin over the registry: no module of ``dataip.api`` imports ``dataip.web``."""

from __future__ import annotations

import ast
from pathlib import Path

import dataip.api

API = Path(dataip.api.__file__).parent


def _imported(path: Path) -> set[str]:
    """Every module a source file imports (absolute names; relative imports stay in ``api``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_api_does_not_import_the_web_pages() -> None:
    sources = sorted(API.rglob("*.py"))
    assert len(sources) > 10
    offenders = {
        str(path.relative_to(API)): sorted(
            name
            for name in _imported(path)
            if name == "dataip.web" or name.startswith("dataip.web.")
        )
        for path in sources
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_it_would_notice_an_import_of_the_web_pages(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text(
        "from dataip import web\nfrom dataip.web.models import X\nimport dataip.web\n"
    )
    assert {"dataip.web", "dataip.web.models", "dataip.web.models.X"} <= _imported(source)
