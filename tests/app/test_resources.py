"""The caches of app/resources: what a page reads on every rerun is read once per change of
the stored state (the audit trail's head), and a change (a new scoring, a review, labels, a
pair published) is seen on the next read."""

from __future__ import annotations

import pandas as pd
import pytest

from app import resources
from app.components.threshold_logic import BATCH, ClaimsSource
from core.config.loading import load_config
from core.decide.costs import as_cost_model
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import redecide, score_batch
from core.store.database import Store
from core.store.scores import ScoresMixin
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR


@pytest.fixture
def scored(model_env, tmp_path) -> int:
    frame, _ = generate_claims(400, seed=31, year=2025, drift=False)
    write_claims_xlsx(frame, tmp_path / "lot.xlsx")
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        batch_id = ingest(tmp_path / "lot.xlsx", cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return batch_id


def _count_calls(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_latest_scorings_are_read_once_until_a_new_scoring_is_stored(scored, monkeypatch):
    calls = _count_calls(monkeypatch, ScoresMixin, "latest_scorings")
    first = resources.latest_scorings()
    assert resources.latest_scorings() == first  # a rerun: no query
    assert len(calls) == 1
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        redecide(scored, 0.2, 0.8, store, cfg, save=True, actor=ADMIN, reason="test")
        stored = store.latest_scoring(scored)
    fresh = resources.latest_scorings()
    assert len(calls) == 2
    assert fresh[scored].scored_at == stored.scored_at != first[scored].scored_at
    assert (fresh[scored].low, fresh[scored].high) == (0.2, 0.8)


def test_batches_list_a_batch_stored_after_the_first_read(scored, tmp_path):
    assert [b.id for b in resources.profile_batches()] == [scored]
    frame, _ = generate_claims(50, seed=32, year=2025, drift=False, id_start=900_000)
    write_claims_xlsx(frame, tmp_path / "autre.xlsx")
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        other = ingest(tmp_path / "autre.xlsx", cfg, store, actor=ADMIN).batch_id
    assert [b.id for b in resources.batches()] == [other, scored]
    assert [b.id for b in resources.profile_batches()] == [other, scored]


def test_review_queues_see_a_review_saved_after_they_were_read(scored):
    latest = resources.latest_scorings()[scored]
    queues = resources.review_queues_of(scored, str(latest.scored_at))
    assert resources.review_queues_of(scored, str(latest.scored_at)) is queues  # shared
    before = queues["audit"].done
    row = int(queues["audit"].pending()["row_number"].iloc[0])
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        store.save_review(scored, row, actor=AUDITOR, decision=1, comment="vu")
    after = resources.review_queues_of(scored, str(latest.scored_at))
    assert after["audit"].done == before + 1
    assert queues["audit"].done == before  # what a session held is not modified


def test_label_count_counts_labels_stored_after_the_first_read(scored):
    assert resources.label_count() == 0
    labels = pd.DataFrame({"batch_id": [scored] * 3, "row_number": [1, 2, 3], "label": [1, 0, 1]})
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        store.save_labels(labels, source="file", actor=ADMIN, reason="test")
        expected = len(store.labels())
    assert resources.label_count() == expected == 3


def test_monitoring_state_changes_with_a_new_scoring(scored):
    before = resources.monitoring_state()
    assert resources.monitoring_state() == before
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        redecide(scored, 0.3, 0.7, store, cfg, save=True, actor=ADMIN, reason="test")
    assert resources.monitoring_state() != before


def test_the_slider_view_is_built_once_per_pair_and_anew_for_another(scored):
    latest = resources.latest_scorings()[scored]
    source = ClaimsSource(BATCH, str(scored), str(latest.scored_at))
    costs = as_cost_model(resources.config().costs)
    args = (source, costs, (0.2, 0.8), (), (0.2, 0.8), "fr", True)
    view = resources.slider_view(*args)
    assert resources.slider_view(*args) is view  # a page load on the same pair: built once
    other = resources.slider_view(source, costs, (0.3, 0.8), (), (0.2, 0.8), "fr", True)
    assert other is not view
    assert other.evaluation.low == 0.3 and view.evaluation.low == 0.2
    english = resources.slider_view(source, costs, (0.2, 0.8), (), (0.2, 0.8), "en", True)
    assert english.cost_caption != view.cost_caption


def test_the_drift_chart_is_shared_per_columns_and_language_and_redrawn_after_a_change(scored):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        from core.drift.service import drift_report

        drift_report(store, Registry(cfg.paths.models_dir, store), cfg, scored, actor=ADMIN)
    chart = resources.drift_chart(["amount"], "fr")
    assert resources.drift_chart(["amount"], "fr") is chart
    assert resources.drift_chart(["amount", "segment"], "fr") is not chart
    assert len(chart.data) == 2  # the score and its threshold
    with Store(cfg.paths.database) as store:
        drift_report(store, Registry(cfg.paths.models_dir, store), cfg, scored, actor=ADMIN)
    redrawn = resources.drift_chart(["amount"], "fr")
    assert redrawn is not chart  # a new report: the chart is drawn again


def test_a_shared_figure_is_built_once_per_key(app_env):
    import plotly.graph_objects as go

    built = []

    def build():
        built.append(1)
        return go.Figure()

    first = resources.figure(("reliability", "v1", "fr"), build)
    assert resources.figure(("reliability", "v1", "fr"), build) is first
    assert len(built) == 1
    assert resources.figure(("reliability", "v1", "en"), build) is not first
    assert len(built) == 2


def test_the_long_lived_objects_are_frozen_once_per_process(model_env):
    """Streamlit collects garbage after every script run: what the server loads once (the
    libraries, the active model) is frozen first, so each collection walks only what the
    sessions made since; the freeze happens once, on the first page run."""
    import gc

    from tests.app.conftest import open_page

    resources.startup_frozen.clear()
    gc.unfreeze()
    at = open_page("upload")
    assert not at.exception
    frozen = gc.get_freeze_count()
    assert frozen > 50_000  # the libraries' objects, not a handful
    assert resources.active_version() is not None
    open_page("thresholds")
    # not again (a frozen object may still be freed): later objects stay collectable
    assert gc.get_freeze_count() <= frozen
