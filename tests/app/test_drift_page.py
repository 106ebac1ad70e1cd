"""Drift page: empty state, stored reports listed with their alert, a report on demand."""

from __future__ import annotations

from core.config.loading import load_config
from core.drift.service import drift_report
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page
from tests.helpers import ADMIN


def _scored_batch(tmp_path, *, with_report: bool) -> int:
    frame, _ = generate_claims(1200, seed=31, year=2025, drift=True)
    path = tmp_path / "lot.xlsx"
    write_claims_xlsx(frame, path)
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch_id = ingest(path, cfg, store, actor=ADMIN).batch_id
        # the report is made here or on demand: no job that the app's runner would run
        score_batch(batch_id, store, registry, cfg, actor=ADMIN, queue_drift=False)
        if with_report:
            drift_report(store, registry, cfg, batch_id, actor=ADMIN)
    return batch_id


def test_empty_state(app_env):
    at = open_page("drift")
    assert not at.exception
    assert any("Aucun lot scoré" in i.value for i in at.info)


def test_stored_report_is_listed_and_renders_after_a_restart(model_env, tmp_path):
    batch_id = _scored_batch(tmp_path, with_report=True)
    at = open_page("drift")  # a new app session: the report comes from DuckDB
    assert not at.exception, at.exception
    alerts = at.dataframe[0].value
    assert list(alerts["Lot"]) == [batch_id]
    assert alerts["Alerte"].iloc[0].split()[-1] in ("Verte", "Orange", "Rouge")
    at.toggle[0].set_value(True).run()
    assert not at.exception, at.exception
    frames = at.get("iframe")
    assert frames, [e.type for e in at.main]


def test_compute_on_demand_against_the_model(model_env, tmp_path):
    _scored_batch(tmp_path, with_report=False)
    at = open_page("drift")
    assert any("Pas encore de rapport" in i.value for i in at.info)
    at.button(key="drift.compute").click().run()
    assert not at.exception, at.exception
    assert any("Référence du modèle" in m.value for m in at.markdown)
