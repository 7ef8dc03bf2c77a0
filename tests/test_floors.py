"""The package's floors: no import goes up a floor, sideways to a neighbour, or round in a circle.

Reads every module of ``src/dataip`` with :mod:`ast` (imports inside functions count too; only
``if TYPE_CHECKING:`` blocks are left out, since they never run), and checks the graph against
the floors of ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import dataip

ROOT = Path(dataip.__file__).parent

#: Each top-level part of ``dataip`` and its floor. A module may import its own part and parts on
#: lower floors only: never a higher floor, never another part of the same floor.
FLOORS: dict[str, int] = {
    "evidence": 0,  # pure library, no Django
    "errors": 0,  # the domain errors every floor raises (pure)
    "keystore": 0,  # where keys live on disk (reads settings only)
    "jobs": 0,  # the transactional job outbox (django-tasks; imports no other part)
    "ledger": 1,  # leaves, trees, checkpoints, keys; knows no applications
    "witness": 1,  # an independent witness (its own process): evidence only, no Django
    "accounts": 2,  # users
    "registry": 3,  # domain, workflow, services, the one read side
    "certificates": 4,
    "deposits": 4,
    "stats": 4,
    "api": 5,
    "web": 5,
    "upkeep": 5,  # work that needs several floors: tick, key rotation, signing
    "subscribers": 5,  # what runs after a transition commits, bound to the workflow's names
    "config": 6,
    "cli": 7,
}


def _part(module: str) -> str | None:
    """``dataip.registry.models`` → ``registry``; None outside the package."""
    names = module.split(".")
    if names[0] != "dataip" or len(names) < 2:
        return None
    return names[1]


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT.parent).with_suffix("")
    names = list(relative.parts)
    if names[-1] == "__init__":
        names.pop()
    return ".".join(names)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module ``module`` imports, with the line, skipping ``TYPE_CHECKING`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # ``from dataip.ledger import keys`` imports a module
                yield f"{target}.{alias.name}", node.lineno
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, dict[str, int]]:
    """Module → {imported dataip module: line}, for every module of the package."""
    sources = {
        _module_name(path): path
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts or path.name != "__init__.py"
    }
    graph: dict[str, dict[str, int]] = {}
    for module, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges: dict[str, int] = {}
        for target, line in _imports(tree, module, path.name == "__init__.py"):
            if target in sources and target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


GRAPH = _graph()


def test_every_part_has_a_floor() -> None:
    parts = {part for module in GRAPH if (part := _part(module)) is not None}
    assert parts <= set(FLOORS) | {"__main__"}, sorted(parts - set(FLOORS))


def test_no_import_goes_up_or_sideways() -> None:
    wrong = []
    for module, edges in GRAPH.items():
        here = _part(module)
        if here is None or here not in FLOORS:
            continue
        for target, line in edges.items():
            there = _part(target)
            if there is None or there == here or there not in FLOORS:
                continue
            if FLOORS[there] >= FLOORS[here]:
                wrong.append(f"{module}:{line} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(GRAPH[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(GRAPH[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    return found


def test_no_circle_of_imports() -> None:
    cycles = _cycles()
    assert not cycles, "\n".join(" ↔ ".join(cycle) for cycle in cycles)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The parser finds imports inside functions and relative imports, not under TYPE_CHECKING."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import models\n"
        "if TYPE_CHECKING:\n"
        "    from dataip.web import views\n"
        "def f():\n"
        "    from dataip.registry.events import record_event\n"
    )
    found = dict(_imports(ast.parse(source), "dataip.ledger.keys", False))
    assert "dataip.ledger.models" in found
    assert found.get("dataip.registry.events") == 6
    assert "dataip.web.views" not in found


@pytest.mark.parametrize("part", ["api", "evidence", "ledger"])
def test_the_graph_covers_the_part(part: str) -> None:
    assert any(_part(module) == part and edges for module, edges in GRAPH.items())
