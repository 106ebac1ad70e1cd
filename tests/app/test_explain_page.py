"""Explain page: deep link, search and pick, unknown ID, what-if, global tab, English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.theme import icon_label
from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.scoring.stored import load_scores
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import MAIN, shown
from tests.helpers import ADMIN

CLAIM = "REC-2025-008005"


def _batch_file(folder: Path, id_start: int = 8001) -> Path:
    frame, _ = generate_claims(300, seed=21, year=2025, id_start=id_start)
    path = folder / f"lot_{id_start}.xlsx"
    write_claims_xlsx(frame, path)
    return path


@pytest.fixture
def scored_env(model_env: Path) -> Path:
    """model_env with one batch of 300 claims (REC-2025-008001..) ingested and scored."""
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        batch_id = ingest(_batch_file(model_env), cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return model_env


def open_explain(claim: str | None = None, *, lang: str | None = None, tab: str | None = None):
    """The explain page as a deep link opens it (``?claim=`` set before the first run)."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    if claim:
        at.query_params["claim"] = claim
    at.run()
    at.switch_page("views/explain.py")
    if tab:
        at.session_state["explain.tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def _stored_row(claim_id: str):
    with Store(load_config().paths.database) as store:
        scores = load_scores(1, store)
    return scores[scores["id"] == claim_id].iloc[0]


def _metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_deep_link_opens_the_claim_with_its_stored_score(scored_env):
    at = open_explain(CLAIM)
    assert [shown(s.value) for s in at.subheader] == [f"Réclamation {CLAIM}"]
    row = _stored_row(CLAIM)
    probability = _metric(at, "Probabilité fondée").value
    assert probability == f"{100 * row['probability']:.1f}\u00a0%".replace(".", ",")
    assert _metric(at, "Décision").value == icon_label(int(row["decision"]), "fr")
    reasons = [shown(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert len(reasons) == 3
    assert all(re.search(r" : [+−]\d+,\d\d$", r) for r in reasons), reasons
    assert len(at.get("plotly_chart")) == 1  # the waterfall
    assert at.dataframe[0].value.iloc[0].tolist() == ["ID Réclamation", CLAIM]


def test_search_finds_a_claim_and_writes_the_link(scored_env):
    at = open_explain()
    assert any("Saisissez l'ID" in i.value for i in at.info)
    at.text_input(key="explain.search").set_value(" rec-2025-008010").run()
    assert not at.exception
    assert [shown(s.value) for s in at.subheader] == ["Réclamation REC-2025-008010"]
    assert at.query_params["claim"] == "REC-2025-008010"


def test_pick_a_claim_among_a_batch(scored_env):
    at = open_explain()
    at.selectbox(key="explain.pick.batch").set_value(1).run()
    assert at.selectbox(key="explain.pick.claim").options[:2] == [
        "REC-2025-008001",
        "REC-2025-008002",
    ]
    at.selectbox(key="explain.pick.claim").set_value("REC-2025-008042").run()
    assert not at.exception
    assert [shown(s.value) for s in at.subheader] == ["Réclamation REC-2025-008042"]
    assert at.query_params["claim"] == "REC-2025-008042"


def test_unknown_id_says_what_to_do_and_suggests_close_ids(scored_env):
    at = open_explain("REC-2025-00800")
    assert any("Aucune réclamation « REC-2025-00800 »" in shown(w.value) for w in at.warning)
    assert any("REC-2025-008001" in shown(c.value) for c in at.caption)
    assert not at.subheader


def test_claim_of_a_batch_not_scored_yet_points_to_upload(model_env):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        ingest(_batch_file(model_env, 9001), cfg, store, actor=ADMIN)
    at = open_explain("REC-2025-009003")
    assert any("pas encore été scoré" in i.value for i in at.info)


def test_what_if_changes_the_probability(scored_env):
    at = open_explain(CLAIM, tab="Simulation")
    before = _metric(at, "Probabilité simulée").value
    assert before == _metric_value_of_stored(CLAIM)
    amount = at.text_input(key=f"explain.whatif.{CLAIM}.amount")
    forty_times = 40 * float(amount.value.replace(",", "."))
    amount.set_value(f"{forty_times:.2f}".replace(".", ",")).run()
    assert not at.exception
    after = _metric(at, "Probabilité simulée")
    assert after.value != before and "pts" in after.delta
    assert any("Montant demandé (DH) :" in c.value and "→" in c.value for c in at.caption)
    at.button(key=f"explain.whatif.{CLAIM}.reset").click().run()
    assert _metric(at, "Probabilité simulée").value == before


def _metric_value_of_stored(claim_id: str) -> str:
    p = _stored_row(claim_id)["probability"]
    return f"{100 * p:.1f}\u00a0%".replace(".", ",")


def test_global_tab_computes_stores_and_reloads_the_summary(scored_env):
    at = open_explain(tab="Vue globale du modèle")
    assert any("Pas encore calculé" in i.value for i in at.info)
    at.button(key="explain.global.compute").click().run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # bars, beeswarm, dependence
    assert any("réclamations · calculé le" in c.value for c in at.caption)
    assert at.get("download_button")
    again = open_explain(tab="Vue globale du modèle")
    assert len(again.get("plotly_chart")) == 3
    assert again.button(key="explain.global.compute").label == "Recalculer"


def test_english_interface_gives_english_reasons(scored_env):
    at = open_explain(CLAIM, lang="en")
    assert [shown(s.value) for s in at.subheader] == [f"Claim {CLAIM}"]
    reasons = [shown(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert len(reasons) == 3
    assert all(re.search(r"[^ ]: [+−]\d+\.\d\d$", r) for r in reasons), reasons


def test_named_grouping_and_log_odds_scale_rerender(scored_env):
    at = open_explain(CLAIM)
    at.session_state["explain.grouping"] = "named"
    at.session_state["explain.scale"] = "log_odds"
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1


def _waterfall_labels(at: AppTest) -> list[str]:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]


def test_switches_are_kept_when_the_what_if_tab_is_shown(scored_env):
    at = open_explain(CLAIM)
    assert not any(" × " in label for label in _waterfall_labels(at))
    at.button_group(key="explain.grouping").set_value("named").run()
    assert any(label.startswith("Montant demandé × ") for label in _waterfall_labels(at))
    at.session_state["explain.tab"] = "Simulation"
    at.run()
    assert not at.exception
    assert any(label.startswith("Montant demandé × ") for label in _waterfall_labels(at))
