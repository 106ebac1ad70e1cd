"""Shared fixtures: an isolated data folder per test session, and the demo data once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Every test process writes to its own data and models folders, never to the project's.
_SESSION_DIR: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _SESSION_DIR
    import tempfile

    _SESSION_DIR = Path(tempfile.mkdtemp(prefix="workbench-tests-"))
    os.environ["WORKBENCH_DATA_DIR"] = str(_SESSION_DIR / "data")
    os.environ["WORKBENCH_MODELS_DIR"] = str(_SESSION_DIR / "models")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set (seed 42), generated once per test process."""
    from core.synth.generator import generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, seed=42)
    return out


@pytest.fixture
def cfg(tmp_path: Path):
    """The default config with data and models in this test's own folder."""
    from dataclasses import replace

    from core.config.loading import load_config

    base = load_config()
    paths = replace(
        base.paths,
        data_dir=tmp_path,
        demo_dir=tmp_path / "demo",
        database=tmp_path / "workbench.duckdb",
        models_dir=tmp_path / "models",
    )
    return replace(base, paths=paths)
