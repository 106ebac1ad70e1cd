"""Model page: versions listed with their metrics, activation and rollback after confirmation,
the active model's details, and the empty state."""

from __future__ import annotations

import pytest

from core.config.loading import load_config
from core.model.registry import Registry
from core.store.database import Store
from tests.app.conftest import open_page, shown
from tests.helpers import ADMIN


@pytest.fixture
def two_versions(model_env, tiny_model) -> tuple[str, str]:
    """(older, newer): the tiny model registered twice; the newer one is active."""
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        older = registry.active().version
        newer = registry.register(tiny_model, actor=ADMIN, activate=True).version
    return older, newer


def _active() -> str:
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        return Registry(cfg.paths.models_dir, store).active().version


def _button(at, key: str):
    return next(b for b in at.button if b.key == key)


def test_versions_are_listed_with_their_metrics(two_versions):
    older, newer = two_versions
    at = open_page("model")
    assert not at.exception, at.exception
    assert at.title[0].value == "Modèle"
    table = at.dataframe[0].value
    assert list(table["Version"]) == [newer, older]  # newest first
    assert list(table["Active"]) == [True, False]
    assert table["AUC"].str.match(r"^0,\d{4}$").all()  # French decimals
    assert table["ECE"].str.match(r"^0,\d{4}$").all()
    assert table["Log-loss"].str.match(r"^0,\d{4}$").all()


def test_activate_asks_for_confirmation_then_switches(two_versions):
    older, newer = two_versions
    at = open_page("model")
    assert at.selectbox(key="model_page.version").value == older
    _button(at, "model_page.activate").click().run()
    assert any(older in shown(w.value) for w in at.warning)  # the confirmation
    assert _active() == newer  # nothing changed yet
    _button(at, "model_page.confirm").click().run()
    assert not at.exception, at.exception
    assert _active() == older
    assert any(f"Version {older} active" in shown(s.value) for s in at.success)
    assert list(at.dataframe[0].value["Active"]) == [False, True]


def test_cancel_leaves_the_active_version(two_versions):
    _, newer = two_versions
    at = open_page("model")
    _button(at, "model_page.activate").click().run()
    _button(at, "model_page.cancel").click().run()
    assert _active() == newer
    assert not any(b.key == "model_page.confirm" for b in at.button)


def test_rollback_returns_to_the_previous_version(two_versions):
    older, newer = two_versions
    assert _active() == newer
    at = open_page("model")
    rollback = _button(at, "model_page.rollback")
    assert not rollback.disabled
    rollback.click().run()
    assert any(older in shown(w.value) for w in at.warning)
    _button(at, "model_page.confirm").click().run()
    assert not at.exception, at.exception
    assert _active() == older


def test_rollback_is_disabled_with_a_single_version(model_env):
    at = open_page("model")
    assert _button(at, "model_page.rollback").disabled
    assert _button(at, "model_page.activate").disabled


def test_active_model_details(model_env):
    at = open_page("model")
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert {"AUC", "Log-loss", "ECE", "Brier"} <= labels
    assert len(at.tabs) == 4
    assert len(at.get("plotly_chart")) == 1  # the reliability curve
    assert any("Aucune fuite détectée" in s.value for s in at.success)
    comparison = at.dataframe[1].value
    assert comparison["Modèle"].iloc[0] == "XGBoost optimisé et calibré"
    features = next(d.value for d in at.dataframe if "Variable" in d.value.columns)
    assert len(features) > 5 and features["Colonnes sources"].str.len().gt(0).all()


def test_empty_state_without_a_model(app_env):
    at = open_page("model")
    assert not at.exception
    assert any("Aucun modèle actif" in i.value for i in at.info)


def test_model_page_in_english(model_env):
    at = open_page("model", lang="en")
    assert not at.exception
    assert at.title[0].value == "Model"
    assert "Version" in at.dataframe[0].value.columns
