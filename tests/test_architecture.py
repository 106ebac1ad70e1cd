"""The layout's rules, checked on the code itself (scripts/import_graph.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _graph_module():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "scripts" / "import_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_has_no_cycle_imports_go_down_the_layers_and_modules_stay_small(capsys):
    status = _graph_module().main(ROOT / "core")
    out = capsys.readouterr().out
    assert status == 0, out


def test_the_checker_catches_a_cycle_and_an_upward_import(tmp_path, capsys):
    graph = _graph_module()
    core = tmp_path / "core"
    for package in ("config", "store"):
        (core / package).mkdir(parents=True)
        (core / package / "__init__.py").write_text("")
    (core / "__init__.py").write_text("")
    (core / "config" / "settings.py").write_text("from core.store.database import Store\n")
    (core / "store" / "database.py").write_text("from core.config.settings import Config\n")
    assert graph.main(core) == 1
    out = capsys.readouterr().out
    assert "config is below store" in out
    assert "package cycle: config <-> store" in out
    assert "module cycle" in out


def test_the_readme_layout_lists_the_layers_in_the_checked_order():
    graph = _graph_module()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    order = " -> ".join(", ".join(layer) for layer in graph.LAYERS if layer != ("__main__",))
    assert order in readme, f"README should state the layer order: {order}"
