"""The import graph of core/, taken from the code: packages, their imports, and the rules.

Run it from the repository root (``.venv/bin/python scripts/import_graph.py``). It reads every
module under core/ with :mod:`ast` (nothing is imported or executed), counts every
``import core...`` / ``from core... import`` wherever it stands (module level, inside a
function, under ``TYPE_CHECKING``), and prints each package with the packages it imports.

It then checks the layout's rules and exits 1 if one is broken:
- no cycle between packages, and none between modules;
- every import goes to the same layer or a lower one of :data:`LAYERS` (the README's order);
- at most 6 loose modules directly in core/, none over 400 lines;
- core never imports streamlit.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# Lower layers first; a package may import only from its own layer or a lower one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("exceptions", "formatting"),
    ("config",),
    ("store",),
    ("ingest",),
    ("decide",),
    ("report",),
    ("model",),
    ("scoring",),
    ("explain", "drift", "monitor"),
    ("jobs",),
    ("api",),
    ("synth",),
    ("cli",),
    ("__main__",),
)
MAX_LINES = 400
MAX_LOOSE = 6


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every ``core...`` module this file imports (``from core.x import y`` -> core.x[.y])."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(
                a.name for a in node.names if a.name.split(".")[0] in ("core", "streamlit")
            )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top == "core":
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif top == "streamlit":
                found.add(node.module)
    return found


def package_of(module: str) -> str:
    """core.model.features -> model; core.exceptions -> exceptions; core -> core."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def main(root: Path = Path("core")) -> int:
    files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    modules = {module_name(p, root.parent): p for p in files}
    module_graph: dict[str, set[str]] = {}
    problems: list[str] = []
    for name, path in modules.items():
        targets = imports_of(path)
        if any(t.split(".")[0] == "streamlit" for t in targets):
            problems.append(f"{path}: imports streamlit")
        # keep only real modules (from core.x import Name -> core.x)
        module_graph[name] = {t for t in targets if t in modules and t != name}
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{path}: {lines} lines (limit {MAX_LINES})")

    loose = sorted(p.name for p in root.glob("*.py"))
    if len(loose) > MAX_LOOSE:
        problems.append(f"{len(loose)} loose modules in core/ (limit {MAX_LOOSE}): {loose}")

    layer_of = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
    package_graph: dict[str, set[str]] = defaultdict(set)
    for name, targets in module_graph.items():
        source = package_of(name)
        if source == "core":
            continue
        if source not in layer_of:
            problems.append(f"core/{source}: not in LAYERS (add it to the order)")
            continue
        for target in targets:
            dest = package_of(target)
            if dest in ("core", source):
                continue
            package_graph[source].add(dest)
            if layer_of.get(dest, len(LAYERS)) > layer_of[source]:
                problems.append(f"{name} imports {target}: {source} is below {dest}")

    print("core/ packages, lower layers first, with the packages each imports:")
    for i, layer in enumerate(LAYERS):
        for pkg in layer:
            deps = sorted(package_graph.get(pkg, ()), key=lambda d: (layer_of.get(d, 99), d))
            n = sum(1 for m in modules if package_of(m) == pkg)
            print(f"  {i:2d} {pkg:<12} ({n:2d} modules) -> {', '.join(deps) or '-'}")
    for cycle in find_cycles(dict(package_graph)):
        problems.append(f"package cycle: {' <-> '.join(cycle)}")
    for cycle in find_cycles(module_graph):
        problems.append(f"module cycle: {' <-> '.join(cycle)}")
    print(f"loose modules in core/: {len(loose)} ({', '.join(loose)})")
    biggest = max(modules.values(), key=lambda p: len(p.read_text(encoding="utf-8").splitlines()))
    print(
        f"largest module: {biggest} ({len(biggest.read_text(encoding='utf-8').splitlines())} lines)"
    )
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("no cycle, every import goes down the layers, sizes within limits, no streamlit")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("core")))
