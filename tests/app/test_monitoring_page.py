"""Suivi page: estimated figures before labels, realised ones after, and the alert."""

from __future__ import annotations

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.training_data import keyed_frame
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page
from tests.helpers import ADMIN


def _scored(tmp_path, *, labelled: bool) -> None:
    raw, _ = generate_claims(600, seed=12, year=2025, drift=True)
    write_claims_xlsx(raw.drop(columns="Fondée"), tmp_path / "lot.xlsx")
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch = ingest(tmp_path / "lot.xlsx", cfg, store, actor=ADMIN).batch_id
        score_batch(batch, store, registry, cfg, actor=ADMIN, queue_drift=False)
        if labelled:
            keyed = keyed_frame(raw, cfg.schema)
            where = store.claims_by_id(keyed["id"].tolist())
            outcomes = keyed[["id", "label"]].merge(where, left_on="id", right_on="claim_id")
            store.save_labels(outcomes, source="file", actor=ADMIN, reason="issues")


def test_empty_state(app_env):
    at = open_page("monitoring")
    assert not at.exception, at.exception
    assert any("Aucun lot scoré" in i.value for i in at.info)


def test_before_labels_only_the_estimate(model_env, tmp_path):
    _scored(tmp_path, labelled=False)
    at = open_page("monitoring")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table["Erreur réalisée"].iloc[0] == "—"
    assert table["Base"].iloc[0] == "pas encore d'étiquettes"
    assert "%" in table["Erreur estimée (décisions auto)"].iloc[0]
    assert len(at.get("plotly_chart")) == 1


def test_with_labels_the_realised_figures_appear(model_env, tmp_path):
    _scored(tmp_path, labelled=True)
    at = open_page("monitoring", lang="en")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table["Realised error"].iloc[0].endswith("]")
    assert table["Basis"].iloc[0].startswith("all automatic decisions")
    assert "—" not in table["Estimated / realised cost"].iloc[0]
