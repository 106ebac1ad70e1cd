"""AppTest helpers: each test gets a fresh data folder and fresh Streamlit caches; signed-in
sessions under a profile naming one admin and one auditor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config.loading import load_config
from core.jobs.runner import stop_runners
from core.model.registry import Registry
from core.store.database import Store
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
    stop_runners()  # the job runner of this test's server resources (its own database)
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


# ------------------------------------------------------------------ signed-in sessions
# AppTest stands in for the identity provider: ``at.secrets["auth"]`` makes sign-in configured
# (as an ``[auth]`` section does) and ``at.user`` is what ``st.user`` holds after a sign-in.

ADMIN_EMAIL, AUDITOR_EMAIL = "chef@banque.test", "audit@banque.test"
AUTH_SECTION = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-only-for-tests",
    "client_id": "workbench",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}


def user_claims(email: str, name: str, **extra) -> dict:
    return {"is_logged_in": True, "sub": f"sub-{email}", "email": email, "name": name, **extra}


ADMIN_USER = user_claims(ADMIN_EMAIL, "Chef Audit")
AUDITOR_USER = user_claims(AUDITOR_EMAIL, "Alice Auditrice")


@pytest.fixture
def roles(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """app_env with a profile naming one admin and one auditor (no one else gets in)."""
    profile = app_env / "roles.yaml"
    profile.write_text(
        f"auth:\n  admins: [{ADMIN_EMAIL}]\n  auditors: [{AUDITOR_EMAIL}]\n", encoding="utf-8"
    )
    monkeypatch.setenv("WORKBENCH_PROFILE", str(profile))
    return app_env


@pytest.fixture
def roles_with_model(roles: Path, tiny_model) -> Path:
    """roles, with the tiny model registered twice (the newer active) by the admin."""
    cfg = load_config(str(roles / "roles.yaml"))
    admin = cfg.auth.actor_from_claims(ADMIN_USER)
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(tiny_model, actor=admin, activate=True)
        registry.register(tiny_model, actor=admin, activate=True)
    return roles


def signed_in(user: dict | None, page: str | None = None, lang: str | None = None) -> AppTest:
    """The app with sign-in configured and ``user`` as st.user (None: signed out)."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets["auth"] = AUTH_SECTION
    at.user = dict(user) if user is not None else {"is_logged_in": False}
    if lang:
        at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(f"views/{page}.py").run()
    return at
