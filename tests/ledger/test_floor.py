"""The ledger is a floor beneath the registry: none of its modules imports an application."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dataip.ledger

ABOVE = ("registry", "certificates", "deposits", "web", "api", "cli", "upkeep", "stats")
LEDGER = Path(dataip.ledger.__file__).parent
MODULES = sorted(LEDGER.rglob("*.py"))


def _imported(tree: ast.AST, package: str) -> list[str]:
    """Every module an ``import`` or ``from ... import`` names, at any depth, made absolute."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return found


def _reaches_above(name: str) -> bool:
    parts = name.split(".")
    return len(parts) > 1 and parts[0] == "dataip" and parts[1] in ABOVE


def test_it_finds_the_ledger_modules() -> None:
    assert LEDGER / "log.py" in MODULES
    assert any(path.parent.name == "migrations" for path in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LEDGER)))
def test_the_module_imports_nothing_above_the_ledger(path: Path) -> None:
    relative = path.relative_to(LEDGER.parent.parent).with_suffix("")
    package = ".".join(relative.parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert [name for name in _imported(tree, package) if _reaches_above(name)] == []


@pytest.mark.parametrize(
    ("source", "reaches"),
    [
        ("from dataip.registry.models import Event", True),
        ("def f():\n    from dataip.registry import events", True),
        ("import dataip.certificates.issue", True),
        ("from dataip import upkeep", True),
        ("from ...registry import clock", True),
        ("from dataip.evidence import merkle", False),
        ("from dataip.errors import DomainError", False),
        ("from dataip.ledger import keys", False),
        ("from . import keys", False),
    ],
)
def test_the_check_sees_every_kind_of_import(source: str, reaches: bool) -> None:
    imported = _imported(ast.parse(source), "dataip.ledger.sub")
    assert any(_reaches_above(name) for name in imported) is reaches
