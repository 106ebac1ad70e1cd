"""The only home of Streamlit caches around core/.

Cached resources are shared by every session and thread: the configuration and the store
(one DuckDB connection per process; each core call takes its own cursor) are safe to share.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import streamlit as st

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
from core.config.loading import load_config
from core.config.profiles import same_profile
from core.config.settings import Config
from core.decide.costs import CostModel, Evaluation
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap
from core.decide.thresholds import ThresholdChoice
from core.exceptions import WorkbenchError
from core.explain.lookup import load_summary
from core.explain.results import GlobalExplanation
from core.jobs.runner import JobRunner
from core.model.registry import ModelVersion, Registry
from core.model.trained import TrainedModel
from core.monitor.performance import BatchPerformance
from core.monitor.service import performance_of_batches
from core.scoring.pair_gain import RuledClaims, evaluate_with_rules
from core.scoring.pair_gain import ruled_claims as read_ruled_claims
from core.scoring.results import ScoringSummary, StoredScoring
from core.scoring.stored import load_scores, load_scoring, load_scoring_summary
from core.store.batches import BatchInfo
from core.store.database import Store, open_store

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


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    return Registry(config().paths.models_dir, store())


def active_version() -> ModelVersion | None:
    """The active model version when it serves this app's profile, else None (a cheap
    query, not cached: activation can change it)."""
    return registry().active_for(config())


def profile_batches() -> list[BatchInfo]:
    """The stored batches of the profile this app serves, newest first (others are apart)."""
    cfg = config()
    return [b for b in store().list_batches() if same_profile(b.profile, cfg)]


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
def batch_performances(state: tuple) -> list[BatchPerformance]:
    """Estimated and realised performance of every scored batch. ``state`` (the latest
    scorings and the labels' count and last time) changes whenever the answer could."""
    return performance_of_batches(store(), config())


def monitoring_state() -> tuple:
    """What the performance depends on: a cheap key for :func:`batch_performances`."""
    scorings = tuple(sorted((k, str(v.scored_at)) for k, v in store().latest_scorings().items()))
    with store().cursor("read the labels' state") as cur:
        labels = cur.execute("SELECT count(*), max(labelled_at) FROM labels").fetchall()[0]
    return scorings, labels[0], str(labels[1])


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
