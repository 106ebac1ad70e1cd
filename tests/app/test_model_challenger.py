"""Model page, challenger section: disabled without enough production labels; with them, an
admin uploads the original training file, trains with progress per trial, sees both models
compared on the same recent claims, and promotes only with a reason (audit trail)."""

from __future__ import annotations

import pytest

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.training_data import keyed_frame
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import AUDITOR_USER, open_page, shown, signed_in
from tests.helpers import ADMIN, AUDITOR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _button(at, label: str):
    return next(b for b in at.button if label in b.label)


def _labelled_batch(tmp_path) -> None:
    """A scored 2025 batch whose 400 claims all got their outcome from a file."""
    cfg = load_config()
    raw, _ = generate_claims(400, seed=25, year=2025, drift=True, id_start=50_000)
    write_claims_xlsx(raw.drop(columns="Fondée"), tmp_path / "lot_2025.xlsx")
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch = ingest(tmp_path / "lot_2025.xlsx", cfg, store, actor=AUDITOR).batch_id
        score_batch(batch, store, registry, cfg, actor=AUDITOR, queue_drift=False)
        keyed = keyed_frame(raw, cfg.schema)
        where = store.claims_by_id(keyed["id"].tolist())
        outcomes = keyed[["id", "label"]].merge(where, left_on="id", right_on="claim_id")
        store.save_labels(outcomes, source="file", actor=ADMIN, reason="issues 2025")


def _training_file(tmp_path) -> bytes:
    raw, _ = generate_claims(1200, seed=24, year=2024)
    write_claims_xlsx(raw, tmp_path / "claims_2024.xlsx")
    return (tmp_path / "claims_2024.xlsx").read_bytes()


def test_without_enough_labels_the_training_is_disabled_and_says_why(model_env):
    at = open_page("model")
    assert not at.exception, at.exception
    assert any("Réentraîner avec un challenger" in s.value for s in at.subheader)
    assert any("au moins 50" in shown(i.value) for i in at.info)
    assert _button(at, "Entraîner le challenger").disabled


@pytest.mark.slow
def test_an_admin_trains_compares_and_promotes_with_a_reason(model_env, tmp_path):
    _labelled_batch(tmp_path)
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        first = Registry(cfg.paths.models_dir, store).active().version
    at = open_page("model", timeout=240)
    assert not _button(at, "Entraîner le challenger").disabled
    _button(at, "Entraîner le challenger").click().run()
    assert any("fichier d'entraînement" in shown(e.value) for e in at.error)  # no file yet

    at.file_uploader[0].set_value(("claims_2024.xlsx", _training_file(tmp_path), XLSX))
    at.number_input[0].set_value(5)
    _button(at, "Entraîner le challenger").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Modèle" in d.value.columns)
    assert list(table["Modèle"]) == ["modèle actif", "challenger"]
    assert table["Version"].iloc[0] == first
    challenger = table["Version"].iloc[1]
    assert challenger != first
    assert table["AUC"].str.match(r"^0,\d{4}$").all()  # French decimals, both models
    with Store(cfg.paths.database) as store:
        assert Registry(cfg.paths.models_dir, store).active().version == first  # a candidate

    _button(at, "Promouvoir").click().run()
    assert any("motif" in shown(e.value) for e in at.error)  # a reason is required
    with Store(cfg.paths.database) as store:
        assert Registry(cfg.paths.models_dir, store).active().version == first

    at.text_input[0].set_value("meilleur sur les réclamations récentes")
    _button(at, "Promouvoir").click().run()
    assert not at.exception, at.exception
    with Store(cfg.paths.database) as store:
        assert Registry(cfg.paths.models_dir, store).active().version == challenger
        with store.cursor() as cur:
            reason = cur.execute(
                "SELECT reason FROM audit_log WHERE action = 'model.activated' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchall()[0][0]
    assert "meilleur sur les réclamations récentes" in reason
    assert any(challenger in shown(s.value) for s in at.success)


def test_an_auditor_sees_no_training_form(roles_with_model):
    at = signed_in(AUDITOR_USER, page="model")
    assert not at.exception, at.exception
    assert any("réservés aux administrateurs" in shown(c.value) for c in at.caption)
    assert not any("Entraîner le challenger" in b.label for b in at.button)


@pytest.mark.parametrize(
    ("lang", "step", "expected"),
    [
        ("fr", "tuning: trial 5/30", "Optimisation : essai 5 sur 30"),
        ("en", "tuning: trial 5/30", "Tuning: trial 5 of 30"),
        ("fr", "cross-validation: fold 2/4", "Validation croisée : pli 2 sur 4"),
        ("fr", "leakage audit", "Audit des fuites de la cible"),
        ("en", "compare: random_forest", "Model comparison: random_forest"),
    ],
)
def test_training_steps_are_shown_in_the_interface_language(lang, step, expected, monkeypatch):
    import streamlit as st

    from app.components.model_challenger import step_text

    monkeypatch.setattr(st, "session_state", {"lang": lang})
    assert step_text(step) == expected
