"""AppTest helpers: each test gets a fresh data folder and fresh Streamlit caches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.helpers import ADMIN

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The text a browser shows for Markdown built by app.safe.md / i18n.t (escaped ASCII
    punctuation, word joiners inside URLs): what AppTest's values hold, as read on screen."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolated data/models folders for the app under test; caches cleared before and after."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str, *, lang: str | None = None, timeout: float = 60) -> AppTest:
    """Run the app's entry point and switch to ``views/<page>.py``."""
    at = AppTest.from_file(MAIN, default_timeout=timeout)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    return at


@pytest.fixture(scope="session")
def tiny_model():
    """A small trained model, shared by the app tests of this process."""
    from core.config.loading import load_config
    from tests.helpers import train_tiny_model

    return train_tiny_model(load_config(), n=1500)[0]


@pytest.fixture
def model_env(app_env: Path, tiny_model) -> Path:
    """app_env with the tiny model registered and active."""
    from core.config.loading import load_config
    from core.model.registry import Registry
    from core.store.database import Store

    cfg = load_config()
    with Store(cfg.paths.database) as store:
        Registry(cfg.paths.models_dir, store).register(tiny_model, actor=ADMIN, activate=True)
    return app_env
