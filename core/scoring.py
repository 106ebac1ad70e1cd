"""Score a stored batch: probabilities -> three-way decisions -> business rules -> store.

:func:`score_batch` loads the batch's claims and the earlier stored claims of the same
clients (the client-history features), predicts with a registered model, decides with the
active thresholds of that model (else the configuration's), applies the rules against the
automatic validations already stored, and stores every score in one bulk insert. Each
stage is timed.

:func:`redecide` recomputes the decisions for another threshold pair from the STORED
probabilities, without loading the model: what a threshold slider needs. :func:`load_scores`
returns the claims of a batch with their latest scores.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.config import Config
from core.costs import (
    CODES,
    REJECT,
    VALIDATE,
    CostModel,
    Evaluation,
    ZoneTotals,
    assemble_evaluation,
)
from core.decisions import DECISION_CODES, check_thresholds, decide
from core.exceptions import StoreError, WorkbenchError
from core.registry import Registry
from core.rules import RuleOutcome, apply_rules
from core.store import ScoringInfo, Store

__all__ = [
    "AppliedThresholds",
    "ScoringResult",
    "evaluate_decisions",
    "load_scores",
    "redecide",
    "score_batch",
]

logger = logging.getLogger(__name__)

SCORE_COLUMNS = ("probability", "decision_model", "decision", "rule_flags", "rule_reason")
_T = TypeVar("_T")


@dataclass(frozen=True)
class AppliedThresholds:
    """The threshold pair used; ``id`` None when it is not a published pair."""

    low: float
    high: float
    id: int | None
    source: str


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """One batch scored (or re-decided): claims with scores, rules, costs, timings."""

    batch_id: int
    model_version: str
    thresholds: AppliedThresholds
    frame: pd.DataFrame  # claims (by key) + probability, decision_model, decision, rule_*
    rules: RuleOutcome | None  # None when the rules were not applied
    evaluation: Evaluation | None  # expected (and realised, if labelled) costs of `decision`
    seconds: dict[str, float]  # per stage, in order
    scored_at: datetime | None = None  # when stored; None for an unsaved redecision

    @property
    def counts(self) -> dict[int, int]:
        """Claims per final decision code (-1, 0, 1)."""
        values = self.frame["decision"].to_numpy()
        return {code: int((values == code).sum()) for code in DECISION_CODES}

    @property
    def automation_rate(self) -> float:
        """Share of claims decided automatically (after the rules)."""
        n = len(self.frame)
        return (n - self.counts[0]) / n if n else 0.0

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds.values()))


class _Timer:
    """Collects wall time per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def run(self, name: str, work: Callable[[], _T]) -> _T:
        with self.stage(name):
            return work()


def score_batch(
    batch_id: int,
    store: Store,
    registry: Registry,
    cfg: Config,
    *,
    apply_rules: bool = True,
    version: str | None = None,
    actor: str = "system",
) -> ScoringResult:
    """Score a stored batch with ``version`` (default: the active model) and store the scores."""
    timer = _Timer()
    claims = timer.run("load_claims", lambda: store.load_claims(batch_id))
    history = timer.run("history", lambda: _history(store, claims, batch_id))
    model = timer.run("load_model", lambda: registry.load(version))
    model_version = str(model.metadata.get("version", version))
    probabilities = timer.run("predict", lambda: _predict(model, claims, history))
    thresholds = timer.run("decide", lambda: _thresholds_for(store, model_version, cfg))
    frame, outcome = _decide(
        claims, probabilities, thresholds, store, cfg, batch_id, apply_rules, timer
    )
    info = timer.run(
        "store",
        lambda: store.save_scores(
            batch_id, frame, model_version=model_version, thresholds_id=thresholds.id, actor=actor
        ),
    )
    evaluation = timer.run("evaluate", lambda: evaluate_decisions(frame, cfg, thresholds))
    total = sum(timer.seconds.values())
    logger.info("batch %s scored with %s in %.2f s", batch_id, model_version, total)
    return ScoringResult(
        batch_id=batch_id,
        model_version=model_version,
        thresholds=thresholds,
        frame=frame,
        rules=outcome,
        evaluation=evaluation,
        seconds=timer.seconds,
        scored_at=info.scored_at,
    )


def redecide(
    batch_id: int,
    low: float,
    high: float,
    store: Store,
    cfg: Config,
    *,
    apply_rules: bool = True,
    save: bool = False,
    thresholds_id: int | None = None,
    actor: str = "system",
) -> ScoringResult:
    """Decisions of a scored batch for (low, high), from its stored probabilities.

    The model is not loaded. With ``save=True`` the new decisions are stored as a new
    scoring of the batch (same model version, ``thresholds_id`` of the published pair).
    """
    low, high = check_thresholds(low, high)
    timer = _Timer()
    latest, claims, probabilities = _stored_probabilities(batch_id, store, timer)
    source = "manual" if thresholds_id is None else store.get_thresholds(thresholds_id).source
    thresholds = AppliedThresholds(low, high, thresholds_id, source)
    frame, outcome = _decide(
        claims, probabilities, thresholds, store, cfg, batch_id, apply_rules, timer
    )
    scored_at = None
    if save:
        info = timer.run(
            "store",
            lambda: store.save_scores(
                batch_id,
                frame,
                model_version=latest.model_version,
                thresholds_id=thresholds_id,
                actor=actor,
            ),
        )
        scored_at = info.scored_at
    evaluation = timer.run("evaluate", lambda: evaluate_decisions(frame, cfg, thresholds))
    return ScoringResult(
        batch_id=batch_id,
        model_version=latest.model_version,
        thresholds=thresholds,
        frame=frame,
        rules=outcome,
        evaluation=evaluation,
        seconds=timer.seconds,
        scored_at=scored_at,
    )


def _stored_probabilities(
    batch_id: int, store: Store, timer: _Timer
) -> tuple[ScoringInfo, pd.DataFrame, np.ndarray]:
    """(latest scoring, claims, their stored probabilities) of a scored batch."""
    latest = timer.run("load_scores", lambda: store.latest_scoring(batch_id))
    if latest is None:
        raise _not_scored(batch_id)
    stored = timer.run("load_scores", lambda: store.load_scores(batch_id, latest.scored_at))
    claims = timer.run("load_claims", lambda: store.load_claims(batch_id))
    claims = _join_scores(claims, stored[["row_number", "probability"]])
    return latest, claims, claims.pop("probability").to_numpy(dtype=float)


@dataclass(frozen=True, eq=False)
class StoredScoring:
    """The latest scoring of a batch as stored: what a reopened batch shows."""

    batch_id: int
    model_version: str
    scored_at: datetime
    thresholds: AppliedThresholds
    frame: pd.DataFrame  # claims (by key) + probability, decision_model, decision, rule_*
    evaluation: Evaluation | None

    @property
    def n_moved(self) -> int:
        """Claims whose decision a business rule changed."""
        return int((self.frame["decision"] != self.frame["decision_model"]).sum())


def load_scoring(batch_id: int, store: Store, cfg: Config) -> StoredScoring:
    """The batch's latest scoring with the thresholds it used and its cost evaluation."""
    frame = load_scores(batch_id, store)
    thresholds_id = frame["thresholds_id"].iloc[0] if len(frame) else None
    if thresholds_id is None or pd.isna(thresholds_id):
        thresholds = AppliedThresholds(cfg.thresholds.low, cfg.thresholds.high, None, "config")
    else:
        record = store.get_thresholds(int(thresholds_id))
        thresholds = AppliedThresholds(record.low, record.high, record.id, record.source)
    return StoredScoring(
        batch_id=batch_id,
        model_version=str(frame["model_version"].iloc[0]),
        scored_at=frame["scored_at"].iloc[0],
        thresholds=thresholds,
        frame=frame,
        evaluation=evaluate_decisions(frame, cfg, thresholds),
    )


def load_scores(batch_id: int, store: Store) -> pd.DataFrame:
    """The claims of a batch with their latest scores (plus model_version, thresholds_id,
    scored_at), ordered by row number."""
    latest = store.latest_scoring(batch_id)
    if latest is None:
        raise _not_scored(batch_id)
    scores = store.load_scores(batch_id, latest.scored_at)
    return _join_scores(store.load_claims(batch_id), scores)


# --------------------------------------------------------------------------- stages


def _history(store: Store, claims: pd.DataFrame, batch_id: int) -> pd.DataFrame | None:
    """Stored claims of the batch's clients from other batches (None without clients)."""
    if "client_id" not in claims.columns or not claims["client_id"].notna().any():
        return None
    return store.client_history(claims["client_id"], exclude_batch_id=batch_id)


def _predict(model: Any, claims: pd.DataFrame, history: pd.DataFrame | None) -> np.ndarray:
    probabilities = np.asarray(model.predict_proba(claims, history), dtype=float)
    if probabilities.shape != (len(claims),):
        raise WorkbenchError(
            f"The model returned {probabilities.size} probabilities for {len(claims)} claims."
        )
    invalid = int(np.isnan(probabilities).sum())
    if invalid:
        raise WorkbenchError(
            f"The model returned no probability for {invalid} claims: retrain or activate "
            "another version (`python -m core models`)."
        )
    return np.clip(probabilities, 0.0, 1.0)


def _thresholds_for(store: Store, model_version: str, cfg: Config) -> AppliedThresholds:
    record = store.active_thresholds(model_version, cfg.thresholds)
    assert record is not None  # a fallback was given
    return AppliedThresholds(record.low, record.high, record.id, record.source)


def _decide(
    claims: pd.DataFrame,
    probabilities: np.ndarray,
    thresholds: AppliedThresholds,
    store: Store,
    cfg: Config,
    batch_id: int,
    with_rules: bool,
    timer: _Timer,
) -> tuple[pd.DataFrame, RuleOutcome | None]:
    """The claims with probability, model decision, final decision and rule columns."""
    with timer.stage("decide"):
        model_codes = decide(probabilities, thresholds.low, thresholds.high)
    outcome = None
    with timer.stage("rules"):
        if with_rules:
            prior = None
            if "client_id" in claims.columns and claims["client_id"].notna().any():
                prior = store.auto_validation_counts(claims["client_id"], exclude_batch_id=batch_id)
            outcome = apply_rules(claims, model_codes, cfg, prior_validations=prior)
        final = outcome.decisions if outcome else model_codes
        empty = np.full(len(claims), "", dtype=object)
        frame = claims.assign(
            probability=probabilities,
            decision_model=model_codes,
            decision=final,
            rule_flags=outcome.codes if outcome else empty,
            rule_reason=outcome.reasons if outcome else empty,
        )
    return frame, outcome


def _join_scores(claims: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    if len(scores) != len(claims):
        raise StoreError(
            f"The stored scores ({len(scores)} rows) do not match the batch ({len(claims)} "
            "claims): score the batch again."
        )
    joined = claims.merge(scores, on="row_number", how="left", validate="one_to_one")
    for column in ("rule_flags", "rule_reason"):
        if column in joined.columns:
            joined[column] = joined[column].fillna("")
    return joined


def _not_scored(batch_id: int) -> WorkbenchError:
    return WorkbenchError(
        f"Le lot {batch_id} n'a pas encore été scoré : lancez le scoring d'abord. / "
        f"Batch {batch_id} has not been scored yet: score it first "
        f"(`python -m core score --input FILE --output RESULT.xlsx`)."
    )


# --------------------------------------------------------------------------- costs


def evaluate_decisions(
    frame: pd.DataFrame, cfg: Config, thresholds: AppliedThresholds
) -> Evaluation | None:
    """Expected (and, when every claim is labelled, realised) costs of ``frame.decision``.

    Unlike :func:`core.decisions.evaluate`, the decisions are taken as given, so claims
    moved to audit by a rule are costed as audits.
    """
    if frame.empty:
        return None
    costs = CostModel.from_config(cfg.costs)
    p = frame["probability"].to_numpy(dtype=float)
    amount = frame["amount"].to_numpy(dtype=float) if "amount" in frame.columns else None
    a, n_fallback = costs.resolve_amounts(amount, len(frame))
    y = _labels(frame)
    codes = frame["decision"].to_numpy()
    zones = {code: _zone(costs, code, codes == code, a, p, y) for code in CODES}
    return assemble_evaluation(thresholds.low, thresholds.high, zones, n_amount_fallback=n_fallback)


def _labels(frame: pd.DataFrame) -> np.ndarray | None:
    if "label" not in frame.columns or frame["label"].isna().any():
        return None
    return frame["label"].to_numpy(dtype=float)


def _zone(
    costs: CostModel, code: int, mask: np.ndarray, a: np.ndarray, p: np.ndarray, y: Any
) -> ZoneTotals:
    """Totals of one decision zone from its sums (see ``CostModel.zone_costs``)."""
    count, s_a, s_p, s_pa = int(mask.sum()), a[mask].sum(), p[mask].sum(), (p * a)[mask].sum()
    reject, audit, validate = costs.zone_costs(count, s_a, s_p, s_pa)
    own = {REJECT: reject, VALIDATE: validate}.get(code, audit)
    errors = {REJECT: s_p, VALIDATE: count - s_p}.get(code, 0.0)
    value = {REJECT: reject, VALIDATE: s_a - s_pa}.get(code, 0.0)
    zone = ZoneTotals(count, float(s_a), float(own), float(audit), float(errors), float(value))
    if y is None:
        return zone
    s_y, s_ya = y[mask].sum(), (y * a)[mask].sum()
    r_reject, r_audit, r_validate = costs.zone_costs(count, s_a, s_y, s_ya)
    r_own = {REJECT: r_reject, VALIDATE: r_validate}.get(code, r_audit)
    r_value = {REJECT: r_reject, VALIDATE: s_a - s_ya}.get(code, 0.0)
    return zone._replace(
        realised_cost=float(r_own),
        realised_audit_cost=float(r_audit),
        realised_error_value=float(r_value),
        justified=round(float(s_y)),
    )
