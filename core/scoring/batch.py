"""Score a stored batch: probabilities -> three-way decisions -> business rules -> store.

:func:`score_batch` loads the batch's claims and the earlier stored claims of the same
clients (the client-history features), predicts with a registered model, decides with the
active thresholds of that model (else the configuration's), applies the rules against the
automatic validations already stored, and stores every score in one bulk insert. Each
stage is timed.

:func:`redecide` recomputes the decisions for another threshold pair from the STORED
probabilities, without loading the model: what a threshold slider needs. :func:`load_scores`
(:mod:`core.scoring.stored`) returns the claims of a batch with their latest scores.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.config.identity import Actor, require
from core.config.profiles import same_profile
from core.config.settings import Config
from core.decide.decisions import check_thresholds, decide
from core.decide.quality import draw_quality_sample
from core.decide.rules import RuleOutcome, apply_rules
from core.exceptions import ModelNotFoundError, WorkbenchError
from core.model.registry import HOW_TO_TRAIN, Registry
from core.scoring.evaluation import evaluate_decisions
from core.scoring.results import AppliedThresholds, ScoringResult
from core.scoring.stored import join_scores, not_scored_error
from core.store.database import Store
from core.store.scores import ScoringInfo

logger = logging.getLogger(__name__)

DRIFT_JOB = "drift"  # the job queued with each scoring: the batch's drift report

SCORE_COLUMNS = ("probability", "decision_model", "decision", "rule_flags", "rule_reason")
_T = TypeVar("_T")


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
    actor: Actor,
    apply_rules: bool = True,
    version: str | None = None,
    queue_drift: bool = True,
) -> ScoringResult:
    """Score a stored batch with ``version`` (default: the active model) and store the scores.

    Predicting needs no lock. Then one serialised unit (:meth:`Store.exclusive`) reads the
    thresholds in force and the automatic validations already stored for the batch's
    clients, decides, applies the rules and writes the scores — with the batch's drift job
    when ``queue_drift`` — so concurrent scorings can never exceed the yearly cap together.
    """
    timer = _Timer()
    version = _check_profile(batch_id, store, registry, cfg, version)
    claims = timer.run("load_claims", lambda: store.load_claims(batch_id))
    history = timer.run("history", lambda: _history(store, claims, batch_id))
    model = timer.run("load_model", lambda: registry.load(version))
    model_version = str(model.metadata.get("version", version))
    probabilities = timer.run("predict", lambda: _predict(model, claims, history))
    jobs = [(DRIFT_JOB, {"batch_id": batch_id, "version": model_version})] if queue_drift else []
    with store.exclusive(f"decide and store batch {batch_id}"):
        thresholds = timer.run("decide", lambda: _thresholds_for(store, model_version, cfg))
        frame, outcome = _decide(
            claims, probabilities, thresholds, store, cfg, batch_id, apply_rules, timer
        )
        info = timer.run(
            "store",
            lambda: store.save_scores(
                batch_id,
                frame,
                model_version=model_version,
                thresholds_id=thresholds.id,
                actor=actor,
                detail={
                    "low": thresholds.low,
                    "high": thresholds.high,
                    "rules": apply_rules,
                    "qc_sample": int(frame["qc_sample"].sum()),
                    "qc_seed": str(frame.attrs["qc_seed"]),
                },
                jobs=jobs,
                pair=(thresholds.low, thresholds.high),
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
        job_ids=info.job_ids,
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
    actor: Actor | None = None,
    reason: str = "",
) -> ScoringResult:
    """Decisions of a scored batch for (low, high), from its stored probabilities.

    The model is not loaded. With ``save=True`` the new decisions are stored as a new
    scoring of the batch (same model version, ``thresholds_id`` of the published pair),
    recorded as a re-decision by ``actor``, in the same serialised unit as the rules' reads.
    """
    low, high = check_thresholds(low, high)
    if save and actor is None:
        raise WorkbenchError("A re-decision that is stored needs the identity of who asked.")
    if save and thresholds_id is None:
        require(actor, "decisions.override")  # applying a pair nobody published
    timer = _Timer()
    latest, claims, probabilities = _stored_probabilities(batch_id, store, timer)
    if thresholds_id is None:
        thresholds = AppliedThresholds(low, high, None, "manual")
    else:
        record = store.get_thresholds(thresholds_id)
        thresholds = AppliedThresholds(low, high, thresholds_id, record.source, record.costs)
    unit = store.exclusive(f"re-decide batch {batch_id}") if save else contextlib.nullcontext()
    scored_at = None
    with unit:
        frame, outcome = _decide(
            claims, probabilities, thresholds, store, cfg, batch_id, apply_rules, timer
        )
        if save:
            assert actor is not None
            info = timer.run(
                "store",
                lambda: store.save_scores(
                    batch_id,
                    frame,
                    model_version=latest.model_version,
                    thresholds_id=thresholds_id,
                    actor=actor,
                    action="batch.redecided",
                    detail={
                        "low": low,
                        "high": high,
                        "reason": reason,
                        "rules": apply_rules,
                        "qc_sample": int(frame["qc_sample"].sum()),
                        "qc_seed": str(frame.attrs["qc_seed"]),
                    },
                    pair=(low, high),
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
        raise not_scored_error(batch_id)
    stored = timer.run("load_scores", lambda: store.load_scores(batch_id, latest.scored_at))
    claims = timer.run("load_claims", lambda: store.load_claims(batch_id))
    claims = join_scores(claims, stored[["row_number", "probability"]])
    return latest, claims, claims.pop("probability").to_numpy(dtype=float)


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
    return AppliedThresholds(record.low, record.high, record.id, record.source, record.costs)


def _check_profile(
    batch_id: int, store: Store, registry: Registry, cfg: Config, version: str | None
) -> str:
    """The version to score with (default: the active one), once the batch and the model
    are both of the profile ``cfg`` serves; else an error saying what to do."""
    batch = store.get_batch(batch_id)
    if not same_profile(batch.profile, cfg):
        raise WorkbenchError(
            f"Le lot {batch_id} appartient au profil « {batch.profile} », pas au profil "
            f"« {cfg.profile} » servi ici : ouvrez-le avec ce profil (WORKBENCH_PROFILE="
            f"{batch.profile} ou --profile {batch.profile}). / Batch {batch_id} belongs to "
            f"profile {batch.profile!r}, not to the profile {cfg.profile!r} served here: open "
            f"it with its profile (WORKBENCH_PROFILE={batch.profile} or --profile "
            f"{batch.profile})."
        )
    if version is None:
        active = registry.active()
        if active is None:
            raise ModelNotFoundError(f"Aucun modèle actif. / No active model. {HOW_TO_TRAIN}")
        version = active.version
    if not registry.serves(version, cfg):
        trained_for = registry.profile_of(version)[0] or "?"
        raise ModelNotFoundError(
            f"Aucun modèle du profil « {cfg.profile} » : le modèle {version} a été entraîné "
            f"pour le profil « {trained_for} » et ne score pas ces lots. Entraînez et activez "
            f"un modèle de ce profil : `python -m core train --profile {cfg.profile} --train "
            f"A --test B --activate`. / No model of profile {cfg.profile!r}: model {version} "
            f"was trained for profile {trained_for!r} and does not score these batches. Train "
            f"and activate one: `python -m core train --profile {cfg.profile} --train A "
            "--test B --activate`."
        )
    return version


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
        qc, seed = draw_quality_sample(final, cfg.monitor.qc_share)
        frame = claims.assign(
            probability=probabilities,
            decision_model=model_codes,
            decision=final,
            rule_flags=outcome.codes if outcome else empty,
            rule_reason=outcome.reasons if outcome else empty,
            qc_sample=qc,
        )
        frame.attrs["qc_seed"] = seed  # recorded with the scores in the audit trail
    return frame, outcome
