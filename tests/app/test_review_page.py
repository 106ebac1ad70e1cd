"""Review page: empty state, the audit queue of a scored batch, saving a review."""

from __future__ import annotations

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page
from tests.helpers import ADMIN


def _scored_batch(tmp_path) -> int:
    frame, _ = generate_claims(600, seed=21, year=2025, drift=True)
    path = tmp_path / "lot.xlsx"
    write_claims_xlsx(frame, path)
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        batch_id = ingest(path, cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return batch_id


def test_empty_state_points_to_upload(app_env):
    at = open_page("review")
    assert not at.exception
    assert any("Aucun lot scoré" in i.value for i in at.info)


def test_review_a_claim_of_the_queue(model_env, tmp_path):
    batch_id = _scored_batch(tmp_path)
    at = open_page("review")
    assert not at.exception, at.exception
    total_before = at.get("progress")[0].proto.text if at.get("progress") else ""
    assert "faites : 0 /" in total_before
    claim_row = at.selectbox(key="review.claim").value
    at.button[0].click().run()  # no conclusion chosen: refused, nothing stored
    assert any("Choisissez une conclusion" in e.value for e in at.error)
    with Store(load_config().paths.database) as store:
        assert store.latest_reviews(batch_id).empty
    at.radio[0].set_value(-1)
    at.text_area[0].set_value("Pièces justificatives absentes")
    at.button[0].click().run()
    assert not at.exception, at.exception
    with Store(load_config().paths.database) as store:
        reviews = store.latest_reviews(batch_id)
    assert list(reviews["row_number"]) == [claim_row]
    assert reviews["review_decision"].iloc[0] == -1
    assert reviews["auditor"].iloc[0] == load_config().auth.local_actor().id
    assert reviews["comment"].iloc[0] == "Pièces justificatives absentes"
    assert "faites : 1 /" in at.get("progress")[0].proto.text
