"""kith's packages depend on each other in one direction: no import cycle.

Every ``import`` of a kith module in ``src/kith`` is read with ``ast`` —
at the top of a module or inside a function (a deferred import is still a
dependency), but not under ``if TYPE_CHECKING:`` (types only) — and mapped to
the package it names (``kith.store.browse`` → ``kith.store``; a top-level
module such as ``kith.model`` is its own node). The graph of packages must
have no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import kith

SRC = Path(kith.__file__).parent


def _unit(module: str) -> str:
    """The package a module belongs to: ``kith.x`` for ``kith.x.y…``."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _module_of(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """The kith modules ``tree`` imports, outside ``if TYPE_CHECKING:`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "kith")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name.split(".")[0] == "kith":  # ``from kith import identity`` names kith.identity
                yield from (f"{name}.{a.name}" for a in node.names)
        stack.extend(ast.iter_child_nodes(node))


def package_graph() -> dict[str, set[str]]:
    """package → the packages its modules import."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_of(path)
        unit = _unit(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imports(tree, module, path.name == "__init__.py"):
            target = _unit(name)
            if target not in (unit, "kith"):
                graph.setdefault(unit, set()).add(target)
        graph.setdefault(unit, set())
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reads_deferred_and_relative_imports():
    tree = ast.parse(
        "from . import sql\nfrom kith import identity\n"
        "def f():\n    from kith.relate import layers\n"
        "if TYPE_CHECKING:\n    from kith.web import app\n"
    )
    found = sorted(_unit(m) for m in _imports(tree, "kith.store.reads", False))
    assert found == ["kith.identity", "kith.relate", "kith.store"]


def test_no_import_cycle_among_kiths_packages():
    graph = package_graph()
    assert "kith.store" in graph and "kith.relate" in graph["kith.store"]
    assert cycles(graph) == []


def test_the_scores_read_nothing_themselves():
    """``kith.relate`` holds pure functions of rows and ``now``: it imports no
    store, no surface and no database driver."""
    graph = package_graph()
    assert not graph["kith.relate"] & {"kith.store", "kith.cli", "kith.web", "kith.attention"}
    for path in (SRC / "relate").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in text and "sqlite3" not in text and "psycopg" not in text, path
