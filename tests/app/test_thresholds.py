"""Thresholds page: data sources, slider, suggestions, publish, history, redecide, empty states.

The tiny model (tests/app/conftest.py, trained once per process) is registered in each
test's own folders; a labelled batch of 400 claims is ingested and scored with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app import resources
from app.components.threshold_logic import slider_pair
from core.config.loading import load_config
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.thresholds import choose_cost_minimum
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.scoring.stored import load_scores
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page, shown
from tests.helpers import ADMIN

SLIDER = "thresholds.pair"
DECISIONS = ("Rejet Auto", "Audit Humain", "Validation Auto")


@pytest.fixture(scope="module")
def batch_bytes(tmp_path_factory) -> bytes:
    """400 labelled 2025 claims as an Excel file."""
    frame, _ = generate_claims(400, seed=21, year=2025, drift=True, id_start=70_001)
    path = tmp_path_factory.mktemp("thr-batch") / "lot_seuils.xlsx"
    write_claims_xlsx(frame, path)
    return path.read_bytes()


@pytest.fixture
def scored(model_env, batch_bytes) -> tuple[int, str]:
    """(batch id, active model version) with the batch ingested and scored."""
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch_id = ingest(
            batch_bytes, cfg, store, file_name="lot_seuils.xlsx", actor=ADMIN
        ).batch_id
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
        return batch_id, registry.active().version


def _store() -> Store:
    return Store(load_config().paths.database)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _button(at, key: str):
    return next(b for b in at.button if b.key == key)


def test_page_renders_with_a_scored_batch(scored):
    at = open_page("thresholds")
    assert not at.exception, at.exception
    assert at.title[0].value == "Seuils de décision"
    assert at.selectbox(key="thresholds.source").value == scored[0]
    with _store() as store:  # the pair registered with the model, chosen on validation
        initial = store.active_thresholds(scored[1])
    assert at.slider(key=SLIDER).value == (round(initial.low, 2), round(initial.high, 2))
    gain = _metric(at, "Gain net attendu")
    assert gain.endswith("\u00a0DH")
    assert _metric(at, "Gain net réalisé")  # the batch is labelled
    assert _metric(at, "Automatisation").endswith("\u00a0%")
    counts = [int(_metric(at, name).replace("\u202f", "")) for name in DECISIONS]
    assert sum(counts) == 400
    assert len(at.get("plotly_chart")) == 4
    assert len(at.dataframe) == 3  # suggestions, realised confusion per zone, published pairs


def test_slider_move_changes_the_net_gain(scored):
    at = open_page("thresholds")
    before = _metric(at, "Gain net attendu")
    at.slider(key=SLIDER).set_value((0.40, 0.60)).run()
    assert not at.exception
    after = _metric(at, "Gain net attendu")
    assert after != before
    card = next(m for m in at.metric if m.label == "Gain net attendu")
    assert "vs paire active" in card.delta


def test_applying_a_suggestion_sets_the_slider(scored):
    batch_id, _ = scored
    with _store() as store:
        frame = load_scores(batch_id, store)
    surface = CostSurface(
        frame["probability"],
        frame["amount"],
        frame["label"].astype(float),
        costs=CostModel.from_config(load_config().costs),
    )
    expected = slider_pair(choose_cost_minimum(surface, grid=101, realised=True))
    at = open_page("thresholds")
    _button(at, "thresholds.apply.cost-optimal").click().run()
    assert not at.exception
    assert at.slider(key=SLIDER).value == pytest.approx(expected)
    assert any("source : Coût minimal" in c.value for c in at.caption)


def test_publish_stores_the_pair_with_user_and_reason_and_lists_it(scored):
    _, version = scored
    at = open_page("thresholds")
    at.slider(key=SLIDER).set_value((0.22, 0.78)).run()
    at.text_input(key="thresholds.reason").set_value("Capacité réduite en août").run()
    _button(at, "thresholds.publish").click().run()
    assert not at.exception, at.exception
    actor = load_config().auth.local_actor()  # local mode: no identity provider configured
    assert any("publiée" in s.value and actor.id in shown(s.value) for s in at.success)
    with _store() as store:
        record = store.active_thresholds(version)
    assert (record.low, record.high) == (0.22, 0.78)
    assert record.published_by == actor.id
    assert record.costs is not None and record.costs["audit_cost"] == load_config().costs.audit_cost
    assert record.reason == "Capacité réduite en août"
    assert record.source == "manual"
    history = next(d.value for d in at.dataframe if "Raison" in d.value.columns)
    assert history["Raison"].iloc[0] == "Capacité réduite en août"
    assert history["Par"].iloc[0] == actor.id
    assert at.text_input(key="thresholds.reason").value == ""  # ready for the next one


def test_publish_records_the_chooser_applied(scored):
    _, version = scored
    at = open_page("thresholds")
    _button(at, "thresholds.apply.closed-form").click().run()
    at.text_input(key="thresholds.reason").set_value("Seuils de Yao").run()
    _button(at, "thresholds.publish").click().run()
    with _store() as store:
        assert store.active_thresholds(version).source == "closed-form"


def test_publish_without_a_reason_is_refused(scored):
    _, version = scored
    with _store() as store:
        initial = store.active_thresholds(version)
    at = open_page("thresholds")
    _button(at, "thresholds.publish").click().run()
    assert not at.exception
    assert any("raison" in e.value for e in at.error), [e.value for e in at.error]
    with _store() as store:
        assert store.active_thresholds(version).id == initial.id  # nothing published


def test_redecide_a_stored_batch_changes_its_counts(scored):
    batch_id, _ = scored
    with _store() as store:
        before = load_scores(batch_id, store)["decision"].value_counts().to_dict()
        first = store.latest_scoring(batch_id).scored_at
    at = open_page("thresholds")
    at.slider(key=SLIDER).set_value((0.05, 0.95)).run()
    _button(at, "thresholds.redecide").click().run()
    assert not at.exception, at.exception
    assert any("redécidé" in s.value for s in at.success)
    with _store() as store:
        latest = store.latest_scoring(batch_id)
        after = load_scores(batch_id, store)["decision"].value_counts().to_dict()
    assert latest.scored_at > first and latest.thresholds_id is None
    assert after != before
    assert after.get(0, 0) > before.get(0, 0)  # a wider audit zone
    table = next(d.value for d in at.dataframe if "Après" in d.value.columns)
    shown = table["Après"].str.replace("\u202f", "").astype(int).tolist()
    assert shown == [after.get(code, 0) for code in (-1, 0, 1)]


def test_redecide_with_the_published_pair_refers_to_it(scored):
    batch_id, version = scored
    with _store() as store:
        record = store.publish_thresholds(
            version, 0.3, 0.7, source="manual", actor=ADMIN, reason="test"
        )
    at = open_page("thresholds")
    assert at.slider(key=SLIDER).value == (0.3, 0.7)  # starts on the active pair
    _button(at, "thresholds.redecide").click().run()
    with _store() as store:
        assert store.latest_scoring(batch_id).thresholds_id == record.id


def test_cost_change_takes_effect_immediately(scored):
    at = open_page("thresholds")
    before = _metric(at, "Gain net attendu")
    at.text_input(key="thresholds.cost.audit_cost.text").set_value("400").run()
    assert not at.exception
    assert _metric(at, "Gain net attendu") != before
    assert any("Coûts modifiés" in c.value for c in at.caption)


def test_costs_and_percentages_are_typed_with_a_decimal_comma(scored):
    """Streamlit's number input reads "0,5" as 5 (and "10699,69" as 1069969): the cost and
    percentage fields read the interface language's decimal mark instead."""
    at = open_page("thresholds")
    at.text_input(key="thresholds.cost.wrongful_rejection_factor.text").set_value("0,5").run()
    at.text_input(key="thresholds.guarantee_epsilon.text").set_value("2,5").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["thresholds.cost.wrongful_rejection_factor"] == 0.5
    assert at.session_state["thresholds.guarantee_epsilon"] == 2.5
    at.text_input(key="thresholds.cost.auditor_error_rate.text").set_value("5").run()
    assert any("dépasse le maximum 0,49" in shown(e.value) for e in at.error)
    assert at.session_state["thresholds.cost.auditor_error_rate"] == 0.0  # kept


def test_the_model_test_set_is_a_source_when_present(scored, monkeypatch):
    rng = np.random.default_rng(0)
    p = rng.random(300)
    test_set = pd.DataFrame({"probability": p, "label": (rng.random(300) < p).astype(int)})
    monkeypatch.setattr(resources, "test_set", lambda version: test_set)
    at = open_page("thresholds")
    source = at.selectbox(key="thresholds.source")
    assert "test" in source.options[-1]
    source.set_value("test").run()
    assert not at.exception, at.exception
    assert any("300 réclamations" in c.value for c in at.caption)
    assert any("montant de repli" in i.value for i in at.info)  # no amount column
    assert at.text_input(key="thresholds.guarantee_epsilon.text")  # labelled: guarantee offered


def test_a_trained_model_offers_its_test_set(scored):
    options = open_page("thresholds").selectbox(key="thresholds.source").options
    assert len(options) == 2 and "test" in options[-1]


def test_without_a_test_set_only_batches_are_offered(scored, monkeypatch):
    monkeypatch.setattr(resources, "test_set", lambda version: None)  # a model saved without one
    at = open_page("thresholds")
    options = at.selectbox(key="thresholds.source").options
    assert len(options) == 1 and options[0].startswith(f"Lot n° {scored[0]} — lot_seuils.xlsx")


def test_empty_state_without_a_model(app_env):
    at = open_page("thresholds")
    assert not at.exception
    assert any("Aucun modèle actif" in i.value and "make run" in i.value for i in at.info)


def test_empty_state_without_a_scored_batch(model_env):
    at = open_page("thresholds")
    assert not at.exception
    assert any("Déposez et scorez un lot sur la page Dépôt" in i.value for i in at.info)


def test_page_in_english(scored):
    at = open_page("thresholds", lang="en")
    assert not at.exception
    assert at.title[0].value == "Decision thresholds"
    assert _metric(at, "Expected net gain").endswith("\u00a0DH")


def test_the_gain_interval_is_shown_for_the_slider_and_each_suggestion(scored):
    at = open_page("thresholds")
    assert not at.exception, at.exception
    card = next(m for m in at.metric if m.label.startswith("Gain réalisé, intervalle à 90"))
    lower, upper = card.value.split(" ; ")
    assert lower.endswith("DH") and upper.endswith("DH")
    assert card.delta in ("mieux que tout auditer", "pas sûrement mieux que tout auditer")
    table = next(d.value for d in at.dataframe if "Méthode" in d.value.columns)
    assert "Gain sûr" in set(table["Méthode"])  # the lower-bound chooser is offered
    interval = next(c for c in table.columns if c.startswith("Intervalle du gain"))
    assert table[interval].str.contains(" ; ").all()
    at.slider(key=SLIDER).set_value((0.0, 1.0)).run()  # audit everything: no gain, no loss
    card = next(m for m in at.metric if m.label.startswith("Gain réalisé, intervalle"))
    assert card.value == "0\u00a0DH ; 0\u00a0DH"
