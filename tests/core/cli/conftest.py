"""Fixtures of the command-line tests: a small trained model, and the data and models
folders of each test as the CLI's configuration sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config.loading import load_config
from tests.helpers import train_tiny_model


@pytest.fixture(scope="module")
def tiny_model():
    return train_tiny_model(load_config())[0]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data and models folders of this test, as the CLI's configuration sees them."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path
