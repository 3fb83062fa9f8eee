"""The house rules on imports that import-linter does not state: read from the source itself,
function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # src/minga


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the minga modules it imports, anywhere in its body."""
    modules = {_module(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_two_modules_import_each_other():
    graph = _imports()
    pairs = sorted(
        {tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph[b]}
    )
    assert pairs == [], "modules that import each other (even inside functions): " + ", ".join(
        f"{a} <-> {b}" for a, b in pairs
    )


def test_no_test_module_imports_another():
    graph = _imports()
    leaks = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if a.rsplit(".", 1)[-1].startswith("test_")
        for b in targets
        if b.rsplit(".", 1)[-1].startswith("test_")
    )
    assert leaks == [], "shared fixtures belong in conftest.py or a helper module: " + str(leaks)


def test_every_import_inside_a_function_says_why():
    """Imports belong at the top; one inside a function defers a heavy library or keeps a load
    order, and a comment on or above it says which."""
    unexplained = []
    for path in ROOT.rglob("*.py"):
        if {"migrations", "tests"} & set(path.parts) or path.name == "conftest.py":
            continue
        lines = path.read_text().split("\n")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    above, line = lines[inner.lineno - 2].strip(), lines[inner.lineno - 1]
                    if not above.startswith("#") and "#" not in line:
                        unexplained.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert unexplained == [], unexplained


def test_services_never_import_tasks():
    """A service records its event; a hook in the area's tasks.py enqueues the work."""
    graph = _imports()
    found = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if a.endswith(".services")
        for b in targets
        if b.endswith(".tasks")
    )
    assert found == [], found
