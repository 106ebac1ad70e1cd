"""The only home of Streamlit caches around core/.

Cached resources are shared by every session and thread: the configuration and the store
(one DuckDB connection per process; each core call takes its own cursor) are safe to share.

What a page reads on every rerun is cached under a key naming what invalidates it: a
scoring's time, an immutable model version, or :func:`state` (the audit trail's head, which
every stored change moves). Big frames are bounded by ``max_entries`` and a ``ttl``; shared
objects (frames, figures, views) are never modified by their readers.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import core.store.audit as audit
from app.components.drift_views import history_chart
from app.components.threshold_logic import (
    TEST_SET,
    CapacityLimit,
    ClaimsArrays,
    ClaimsSource,
    GuaranteeTarget,
    arrays_from_frame,
    fit_bootstrap,
    fit_surface,
    suggest,
)
from app.components.threshold_logic import net_gain_grid as grid_of
from app.components.threshold_view import SliderView, build_view
from core.config.loading import load_config
from core.config.profiles import same_profile
from core.config.settings import Config
from core.decide.costs import CostModel, Evaluation
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap
from core.decide.thresholds import ThresholdChoice
from core.drift.report import DriftReport
from core.drift.storage import drift_history, load_drift_reports
from core.exceptions import WorkbenchError
from core.explain.lookup import load_summary
from core.explain.results import GlobalExplanation
from core.jobs.runner import JobRunner
from core.jobs.turns import INTERACTIVE
from core.model.registry import ModelVersion, Registry
from core.model.trained import TrainedModel
from core.monitor.performance import BatchPerformance
from core.monitor.service import performance_of_batches
from core.scoring.pair_gain import RuledClaims, evaluate_with_rules
from core.scoring.pair_gain import ruled_claims as read_ruled_claims
from core.scoring.republish import OutdatedBatch, outdated_batches
from core.scoring.results import ScoringSummary, StoredScoring
from core.scoring.review_queue import ReviewQueue, review_queues
from core.scoring.stored import load_claim_scoring, load_scores, load_scoring, load_scoring_summary
from core.store.batches import BatchInfo
from core.store.database import Store, open_store
from core.store.scores import ScoringInfo
from core.store.thresholds import ThresholdsRecord

PROFILE_ENV = "WORKBENCH_PROFILE"


@st.cache_resource(show_spinner=False)
def config() -> Config:
    return load_config(os.environ.get(PROFILE_ENV))


@st.cache_resource(show_spinner=False)
def store() -> Store:
    return open_store(config())


@st.cache_data(show_spinner=False, max_entries=8)
def claims_preview(batch_id: int, rows: int = 200) -> pd.DataFrame:
    """First rows of a stored batch (a stored batch never changes, so this caches safely)."""
    return store().load_claims(batch_id).head(rows)


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """The server's job runner (drift after scoring, ...): one thread per server process,
    started on the first page run; it also resumes the jobs a stopped server left."""
    return JobRunner(store(), registry(), config()).start()


def interactive_turn():
    """This server's turn for an upload's heavy work (:data:`core.jobs.turns.INTERACTIVE`):
    uploads in arrival order, background jobs held back meanwhile. Nested turns of one
    script run pass at once."""
    return INTERACTIVE.turn()


@st.cache_resource(show_spinner=False)
def startup_frozen() -> int:
    """Once per server process: load what every upload needs, then ``gc.freeze()``.

    Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``,
    kept on: it bounds memory). With the libraries imported, a full collection walks about
    200,000 long-lived objects (modules, functions, the model) for 0.1-0.2 s holding the
    interpreter lock, on every rerun of every session. Frozen objects are skipped by the
    collector (they are still freed by reference counting), so each collection only walks
    what the sessions created since. Returns how many objects were frozen.
    """
    import contextlib
    import gc
    import importlib

    for name in ("core.ingest.pipeline", "core.scoring.batch", "xgboost"):
        importlib.import_module(name)  # what an upload runs, imported lazily elsewhere
    version = active_version()
    if version is not None:
        with contextlib.suppress(WorkbenchError):  # the pages say why it cannot be used
            model(version.version)  # the loaded model is long-lived too
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    return Registry(config().paths.models_dir, store())


def active_version() -> ModelVersion | None:
    """The active model version when it serves this app's profile, else None (a cheap
    query, not cached: activation can change it)."""
    return registry().active_for(config())


# ------------------------------------------------------ stored state, keyed by the audit head
# Every state change (a batch stored, scored or re-decided, labels, reviews, a pair published,
# a model registered or activated, a drift report) appends a row to the audit trail in its own
# transaction: the head's id is a one-row query that changes whenever these answers could, so
# the summaries below are read once per change instead of on every rerun of every session.


def state() -> int:
    """The id of the audit trail's last row (0 when empty): the key of the caches below."""
    with store().cursor("read the audit trail's head") as cur:
        return audit.head(cur)[0] or 0


@st.cache_data(show_spinner=False, max_entries=4)
def _latest_scorings(head: int) -> dict[int, ScoringInfo]:
    return store().latest_scorings()


def latest_scorings() -> dict[int, ScoringInfo]:
    """The latest scoring of every scored batch (batch id -> info), read once per change."""
    return _latest_scorings(state())


@st.cache_data(show_spinner=False, max_entries=4)
def _batches(head: int) -> list[BatchInfo]:
    return store().list_batches()


def batches() -> list[BatchInfo]:
    """Every stored batch, newest first, read once per change."""
    return _batches(state())


def profile_batches() -> list[BatchInfo]:
    """The stored batches of the profile this app serves, newest first (others are apart)."""
    cfg = config()
    return [b for b in batches() if same_profile(b.profile, cfg)]


@st.cache_data(show_spinner=False, max_entries=4)
def _label_count(head: int) -> int:
    with store().cursor("count the labels") as cur:
        return int(cur.execute("SELECT count(*) FROM labels").fetchone()[0])


def label_count() -> int:
    """How many claims carry a stored label (a count, never the labels themselves)."""
    return _label_count(state())


@st.cache_data(show_spinner=False, max_entries=4)
def _outdated_batches(head: int, record_id: int | None, _record: ThresholdsRecord):
    return outdated_batches(store(), config(), _record)


def outdated(record: ThresholdsRecord) -> list[OutdatedBatch]:
    """The batches last scored by ``record``'s model with another pair than ``record``."""
    return _outdated_batches(state(), record.id, record)


@st.cache_data(show_spinner=False, max_entries=4)
def _drift_reports(head: int) -> list[DriftReport]:
    return load_drift_reports(store(), include_snapshot=False)


def drift_reports() -> list[DriftReport]:
    """Every stored drift report without its snapshot, newest first, read once per change."""
    return _drift_reports(state())


@st.cache_data(show_spinner=False, max_entries=4)
def _drift_history(head: int) -> pd.DataFrame:
    return drift_history(store())


def drift_trend() -> pd.DataFrame:
    """Each stored report's score per column (for the history chart), read once per change."""
    return _drift_history(state())


@st.cache_resource(show_spinner=False, max_entries=16, ttl=900)
def _drift_chart(head: int, columns: tuple[str, ...], lang: str) -> go.Figure:
    history = _drift_history(head)
    history = history[history["reference"].str.startswith("model:")] if len(history) else history
    labels = {c.key: c.name for c in config().schema.columns}
    return history_chart(history, list(columns), labels)


def drift_chart(columns: list[str], lang: str) -> go.Figure:
    """The drift history chart (reports against a model) of ``columns`` in ``lang`` (the
    session's: its titles are read from it), built once per change and shared; never modify
    it (Streamlit copies a figure before sending it)."""
    return _drift_chart(state(), tuple(columns), lang)


@st.cache_resource(show_spinner=False, max_entries=4)
def model(version: str) -> TrainedModel:
    """A loaded model (hashes checked on load); versions are immutable, so caching is safe."""
    return registry().load(version)


@st.cache_resource(show_spinner=False, max_entries=6)
def scoring(batch_id: int, scored_at: str) -> StoredScoring:
    """A batch's stored scoring; keyed by its time, so a new scoring is read afresh."""
    return load_scoring(batch_id, store(), config())


@st.cache_resource(show_spinner=False, max_entries=64)
def scoring_summary(batch_id: int, scored_at: str) -> ScoringSummary:
    """What the Upload page shows around a batch (counts, histogram, cost evaluation): a few
    kilobytes per scoring, keyed by its time; the batch's rows are read a page at a time."""
    return load_scoring_summary(batch_id, store(), config())


@st.cache_resource(show_spinner=False, max_entries=64, ttl=900)
def claim_scoring(batch_id: int, scored_at: str, row_number: int) -> StoredScoring:
    """A batch's scoring as explaining one claim reads it (that claim and its client's
    claims of the batch: a query, not the whole batch); keyed by the scoring's time."""
    return load_claim_scoring(batch_id, row_number, store(), config())


@st.cache_resource(show_spinner=False, max_entries=4, ttl=900)
def _review_queues(batch_id: int, scored_at: str, head: int) -> dict[str, ReviewQueue]:
    scored = scoring(batch_id, scored_at).frame
    return review_queues(store(), batch_id, config().costs, scored=scored)


def review_queues_of(batch_id: int, scored_at: str) -> dict[str, ReviewQueue]:
    """Both review queues of a batch's scoring with each claim's latest review; read again
    after any change (a review saved appends an audit row). Shared: never modify them."""
    return _review_queues(batch_id, scored_at, state())


# --------------------------------------------------------------- thresholds page
# Keyed by the claims source (a batch's latest scoring, or a model version) and the cost
# model: a CostSurface and its grid never change once fitted, so every session shares them.


@st.cache_resource(show_spinner=False, max_entries=8)
def test_set(version: str) -> pd.DataFrame | None:
    """The model's test-set predictions (probability, label, amount), when it carries them."""
    return getattr(model(version), "evaluation", None)


@st.cache_resource(show_spinner=False, max_entries=8)
def claims_arrays(source: ClaimsSource) -> ClaimsArrays:
    """Probabilities, amounts and labels of a scored batch or of a model's test set."""
    if source.kind == TEST_SET:
        frame = test_set(source.ref)
        if frame is None:
            raise WorkbenchError(f"Model {source.ref} carries no test-set predictions.")
        return arrays_from_frame(frame, source.ref)
    frame = load_scores(int(source.ref), store())
    version = str(frame["model_version"].iloc[0]) if len(frame) else None
    return arrays_from_frame(frame, version)


@st.cache_resource(show_spinner=False, max_entries=16)
def cost_surface(source: ClaimsSource, costs: CostModel) -> CostSurface:
    """The fitted cost surface (sorted probabilities + cumulative sums) of these claims."""
    return fit_surface(claims_arrays(source), costs)


@st.cache_resource(show_spinner=False, max_entries=16)
def net_gain_grid(source: ClaimsSource, costs: CostModel) -> np.ndarray:
    """Net gain on the 101 x 101 (low, high) grid, read-only."""
    return grid_of(cost_surface(source, costs))


@st.cache_resource(show_spinner=False, max_entries=8)
def gain_bootstrap(source: ClaimsSource, costs: CostModel) -> GainBootstrap | None:
    """The bootstrap of the realised net gain on the slider's grid (labelled claims only):
    fitted once per claims and costs, then each pair's interval is a lookup."""
    return fit_bootstrap(claims_arrays(source), costs)


@st.cache_resource(show_spinner=False, max_entries=32)
def threshold_suggestions(
    source: ClaimsSource,
    costs: CostModel,
    capacity: CapacityLimit,
    guarantee: GuaranteeTarget | None,
) -> tuple[ThresholdChoice, ...]:
    """The pair each chooser suggests for these claims and costs."""
    return suggest(cost_surface(source, costs), claims_arrays(source), capacity, guarantee)


@st.cache_resource(show_spinner=False, max_entries=32, ttl=900)
def slider_view(
    source: ClaimsSource,
    costs: CostModel,
    pair: tuple[float, float],
    suggestions: tuple[tuple[str, tuple[float, float]], ...],
    published: tuple[float, float] | None,
    lang: str,
    rules: bool,
) -> SliderView:
    """What the slider draws for ``pair`` (cards, figures, confusion table): built once per
    pair and shared (every session opening the page stands on the published pair first);
    ``rules``: cards and bars after the business rules (a batch's claims). Never modify it:
    Streamlit copies a figure before sending it."""
    bootstrap = gain_bootstrap(source, costs)
    evaluate = None
    if rules:

        def evaluate(low: float, high: float) -> Evaluation | None:
            return gain_with_rules(source, costs, float(low), float(high))

    return build_view(
        cost_surface(source, costs),
        net_gain_grid(source, costs),
        pair,
        dict(suggestions),
        published,
        lang,
        None if bootstrap is None else bootstrap.interval(*pair),
        evaluate,
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def ruled_claims(source: ClaimsSource) -> RuledClaims | None:
    """A scored batch's claims, probabilities and its clients' stored validations (what the
    business rules consult); None for a model's test set (no client history: no rules)."""
    if source.kind == TEST_SET:
        return None
    return read_ruled_claims(int(source.ref), store())


@st.cache_resource(show_spinner=False, max_entries=256)
def gain_with_rules(
    source: ClaimsSource, costs: CostModel, low: float, high: float
) -> Evaluation | None:
    """A pair's costs on a batch after the business rules: the figure its scoring stores."""
    claims = ruled_claims(source)
    if claims is None:
        return None
    return evaluate_with_rules(claims, low, high, config(), costs)


@st.cache_data(show_spinner=False, max_entries=4)
def batch_performances(head: int) -> list[BatchPerformance]:
    """Estimated and realised performance of every scored batch. ``head`` (the audit
    trail's head: scorings and labels each append a row) changes whenever the answer could."""
    return performance_of_batches(store(), config())


def monitoring_state() -> int:
    """What the performance depends on: a cheap key for :func:`batch_performances`."""
    return state()


@st.cache_resource(show_spinner=False, max_entries=16, ttl=900)
def figure(key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    """A figure built once per ``key`` and shared by every session: ``key`` must name all
    it depends on (e.g. an immutable model version and the language). Never modify it:
    Streamlit copies a figure before sending it."""
    return _build()


# --------------------------------------------------------------- explain page


@st.cache_data(show_spinner=False, max_entries=8)
def batch_claim_ids(batch_id: int) -> list[str]:
    """The claim IDs of a stored batch, in file order (a stored batch never changes)."""
    claims = store().load_claims(batch_id)
    if "id" not in claims.columns:
        return []
    return claims["id"].dropna().astype(str).tolist()


@st.cache_resource(show_spinner=False, max_entries=8)
def shap_summary(version: str, source: str, grouping: str) -> GlobalExplanation | None:
    """The latest stored global SHAP summary (cleared by the page after a new computation)."""
    return load_summary(store(), version, source, grouping)
