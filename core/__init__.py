"""The workbench's library: pure, typed, testable; it never imports Streamlit.

One package per concept, lower layers first (a package imports only from its own layer or
below; ``scripts/import_graph.py`` checks it): ``exceptions`` and ``formatting`` ->
``config`` -> ``store`` -> ``ingest`` -> ``decide`` -> ``report`` -> ``model`` ->
``scoring`` -> ``explain``, ``drift``, ``monitor`` -> ``jobs`` -> ``synth`` -> ``cli``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` importing each public name of ``package`` on first use.

    A package's ``__init__`` names its public API without importing it, so that ``import
    core.model`` (or a light command such as ``python -m core models list``) does not pay for
    scikit-learn, XGBoost or Evidently until a name that needs them is used (PEP 562).
    """

    def getattr_(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return getattr_
