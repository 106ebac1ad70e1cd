"""Candidate models compared on the same features, and the Optuna tuning of XGBoost.

:func:`compare_models` fits logistic regression, random forest, HistGradientBoosting,
default (untuned) XGBoost and an MLP on the training features and reports, for each:
fit time, AUC and raw log-loss on validation and test; then, each model's probabilities
calibrated on validation like the kept model's, test log-loss, Brier score, ECE and the
realised net gain of the three-way decision at the model's *own* thresholds (minimising
the expected cost on validation, :func:`core.thresholds.choose_cost_minimum`).

:func:`tune_xgboost` searches XGBoost hyper-parameters with Optuna (TPE sampler, median
pruner). Each trial trains with early stopping on the validation log-loss and reports
the validation log-loss every 10 rounds; ``trial.should_prune()`` stops hopeless trials
early (``optuna-integration`` is not used: the callback is ten lines).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.thresholds import choose_cost_minimum
from core.model.calibration import choose_calibrator, expected_calibration_error, log_loss

__all__ = [
    "CANDIDATES",
    "OPENMP_THREADS",
    "TuningResult",
    "candidate_row",
    "compare_models",
    "make_candidates",
    "score_summary",
    "tune_xgboost",
]

log = logging.getLogger(__name__)

CANDIDATES = (
    "logistic_regression",
    "random_forest",
    "hist_gradient_boosting",
    "xgboost_default",
    "mlp",
)
RF_ROWS_PER_TREE = 8_000  # bootstrap sample per tree: the forest's cost stops growing with n
OPENMP_THREADS = 1  # XGBoost and HistGradientBoosting (OpenMP)
"""One OpenMP thread, measured: on 26k x 25 features the trees are small, and when the two
cores are shared with other work OpenMP's busy-waiting made a 2-thread Optuna search
~10x slower than a 1-thread one (204 s vs 18 s, identical result). See bench_training."""


def _dense_preprocessing(columns: list[str]) -> ColumnTransformer:
    """One-hot for ``*_code`` columns; median-impute + standardise the rest."""
    codes = [c for c in columns if c.endswith("_code")]
    rest = [c for c in columns if c not in codes]
    return ColumnTransformer(
        [
            ("codes", OneHotEncoder(handle_unknown="ignore"), codes),
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), rest),
        ]
    )


def make_candidates(columns: list[str], seed: int = 0, n_rows: int | None = None) -> dict[str, Any]:
    """The five comparison models (scikit-learn API), single-threaded and sized to the data.

    Single-threaded: the comparison runs beside other work on 2 cores, where a 2-thread
    random forest swung from 2.8 s to 34 s. Sized: each tree of the forest draws at most
    ``RF_ROWS_PER_TREE`` rows (all rows are still used across the trees).
    """
    per_tree = None if not n_rows or n_rows <= RF_ROWS_PER_TREE else RF_ROWS_PER_TREE / n_rows
    return {
        "logistic_regression": Pipeline(
            [("prep", _dense_preprocessing(columns)), ("lr", LogisticRegression(max_iter=2000))]
        ),
        "random_forest": make_pipeline(
            SimpleImputer(strategy="median"),
            RandomForestClassifier(
                n_estimators=100,
                min_samples_leaf=20,
                max_features=0.3,
                max_samples=per_tree,
                n_jobs=1,
                random_state=seed,
            ),
        ),
        "hist_gradient_boosting": HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=400, early_stopping=True, random_state=seed
        ),
        "xgboost_default": xgb.XGBClassifier(
            tree_method="hist", n_jobs=OPENMP_THREADS, random_state=seed
        ),
        "mlp": Pipeline(
            [
                ("prep", _dense_preprocessing(columns)),
                (
                    "mlp",
                    MLPClassifier(
                        hidden_layer_sizes=(32, 16),
                        alpha=1e-3,
                        batch_size=256,
                        max_iter=40,  # no early stopping: its accuracy criterion stalls
                        random_state=seed,  # on rare positives (CFPB: 5 %)
                    ),
                ),
            ]
        ),
    }


def score_summary(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, log-loss and Brier score (AUC is NaN with a single class)."""
    auc = float(roc_auc_score(y, p)) if len(np.unique(y)) > 1 else float("nan")
    return {"auc": auc, "log_loss": log_loss(y, p), "brier": float(brier_score_loss(y, p))}


def net_gain_at_own_thresholds(
    p_valid: np.ndarray,
    valid: tuple[np.ndarray, np.ndarray | None],
    p_test: np.ndarray,
    test: tuple[np.ndarray, np.ndarray | None],
    costs: CostModel,
) -> dict[str, float]:
    """Thresholds minimising the expected cost on validation (calibrated probabilities,
    exact split points); realised net gain on test at those thresholds."""
    (y_v, a_v), (y_t, a_t) = valid, test
    surface = CostSurface(p_valid, a_v, y_v, costs=costs)
    choice = choose_cost_minimum(surface, grid=None, realised=False)
    ev = CostSurface(p_test, a_t, y_t, costs=costs).evaluate(choice.low, choice.high)
    return {
        "low": choice.low,
        "high": choice.high,
        "test_net_gain": float(ev.realised_net_gain),
        "test_cost": float(ev.realised_cost),
        "test_automation_rate": float(ev.automation_rate),
    }


def compare_models(
    data: dict[str, tuple[pd.DataFrame, np.ndarray, np.ndarray | None]],
    costs: CostModel,
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Fit every candidate on ``data["train"]``; score on "valid" and "test".

    ``data`` maps "train" / "valid" / "test" to (features, labels, amounts or None).
    """
    (x_tr, y_tr, _), (x_v, y_v, a_v), (x_t, y_t, a_t) = (
        data[k] for k in ("train", "valid", "test")
    )
    rows = []
    for name, model in make_candidates(list(x_tr.columns), seed, len(x_tr)).items():
        if progress:
            progress(name)
        start = time.perf_counter()
        with warnings.catch_warnings(), threadpool_limits(limits=OPENMP_THREADS):
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_tr, y_tr)
        fit_seconds = time.perf_counter() - start
        p_v, p_t = model.predict_proba(x_v)[:, 1], model.predict_proba(x_t)[:, 1]
        rows.append(candidate_row(name, fit_seconds, (p_v, p_t), (y_v, a_v), (y_t, a_t), costs))
        log.info("compared %s: test AUC %.4f", name, rows[-1]["test_auc"])
    return rows


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def candidate_row(
    name: str,
    fit_seconds: float,
    probs: tuple[np.ndarray, np.ndarray],
    valid: tuple[np.ndarray, np.ndarray | None],
    test: tuple[np.ndarray, np.ndarray | None],
    costs: CostModel,
    *,
    calibration: str | None = None,
) -> dict[str, Any]:
    """One line of the comparison table.

    AUC and ``*_log_loss_raw`` are of the model's own probabilities. Then, like the kept
    model, the probabilities are calibrated on validation (unless ``calibration`` names
    the method already applied) before the test log-loss, Brier score, ECE and the net
    gain at the thresholds minimising the expected cost on validation.
    """
    (p_v, p_t), (y_v, a_v), (y_t, a_t) = probs, valid, test
    raw_v, raw_t = score_summary(y_v, p_v), score_summary(y_t, p_t)
    if calibration is None:
        choice = choose_calibrator(_logit(p_v), y_v)
        p_v, p_t = (choice.calibrator.predict(_logit(p)) for p in (p_v, p_t))
        calibration = choice.method
    test_scores = score_summary(y_t, p_t)
    return {
        "model": name,
        "fit_seconds": fit_seconds,
        "valid_auc": raw_v["auc"],
        "valid_log_loss_raw": raw_v["log_loss"],
        "test_auc": raw_t["auc"],
        "test_log_loss_raw": raw_t["log_loss"],
        "calibration": calibration,
        "test_log_loss": test_scores["log_loss"],
        "test_brier": test_scores["brier"],
        "test_ece": expected_calibration_error(y_t, p_t),
        **net_gain_at_own_thresholds(p_v, (y_v, a_v), p_t, (y_t, a_t), costs),
        "chosen": False,
    }


# --------------------------------------------------------------------------- tuning


@dataclass(frozen=True)
class TuningResult:
    """The best booster found (trimmed to its best iteration) and how it was found."""

    booster: xgb.Booster
    params: dict[str, Any]
    best_iteration: int
    best_valid_log_loss: float
    n_trials: int
    n_pruned: int
    seconds: float


# Deeper trees bought no accuracy on the demo data (test AUC 0.8595 at depth 2, 0.8554 at 8)
# but SHAP over 2,000 claims grows from 0.08 s to 5.4 s with 200 trees: depth is capped.
MAX_DEPTH = 6

BASE_PARAMS: dict[str, Any] = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "tree_method": "hist",
}
DEFAULT_TRIAL = {
    "max_depth": 4,
    "learning_rate": 0.08,
    "min_child_weight": 5.0,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "reg_alpha": 0.01,
}


def suggest_params(trial: optuna.Trial) -> dict[str, Any]:
    """The search space."""
    return {
        "max_depth": trial.suggest_int("max_depth", 2, MAX_DEPTH),
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 100.0, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 20.0, log=True),
        "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
    }


class _PruningCallback(xgb.callback.TrainingCallback):
    """Report the validation log-loss to Optuna every ``every`` rounds; stop when pruned."""

    def __init__(self, trial: optuna.Trial, every: int = 10) -> None:
        super().__init__()
        self.trial, self.every, self.pruned = trial, every, False

    def after_iteration(self, model: Any, epoch: int, evals_log: dict) -> bool:
        if (epoch + 1) % self.every:
            return False
        self.trial.report(float(evals_log["valid"]["logloss"][-1]), step=epoch + 1)
        self.pruned = self.trial.should_prune()
        return self.pruned


class _Objective:
    """One Optuna trial: train with early stopping and pruning; keep the best booster."""

    def __init__(
        self,
        dtrain: xgb.DMatrix,
        dvalid: xgb.DMatrix,
        fixed: dict[str, Any],
        rounds: int,
        patience: int,
    ) -> None:
        self.dtrain, self.dvalid, self.fixed = dtrain, dvalid, fixed
        self.max_rounds, self.patience = rounds, patience
        self.best: dict[str, Any] = {}

    def __call__(self, trial: optuna.Trial) -> float:
        params = {**BASE_PARAMS, **self.fixed, **suggest_params(trial)}
        callback = _PruningCallback(trial)
        booster = xgb.train(
            params,
            self.dtrain,
            num_boost_round=self.max_rounds,
            evals=[(self.dvalid, "valid")],
            early_stopping_rounds=self.patience,
            callbacks=[callback],
            verbose_eval=False,
        )
        if callback.pruned:
            raise optuna.TrialPruned()
        value = float(booster.best_score)
        if not self.best or value < self.best["value"]:
            self.best = {"value": value, "booster": booster, "params": params}
        return value


def tune_xgboost(
    dtrain: xgb.DMatrix,
    dvalid: xgb.DMatrix,
    *,
    trials: int = 50,
    seed: int = 0,
    max_rounds: int = 800,
    early_stopping: int = 40,
    prune: bool = True,
    nthread: int = OPENMP_THREADS,
    progress: Callable[[int, int], None] | None = None,
) -> TuningResult:
    """Optuna search minimising validation log-loss; returns the best booster found.

    The first trial is :data:`DEFAULT_TRIAL`, so even a tiny budget gives a sane model.
    ``prune=False`` runs every trial to early stopping (the benchmark's baseline).
    ``nthread``: XGBoost threads (see :data:`OPENMP_THREADS`).
    """
    start = time.perf_counter()
    fixed = {"seed": seed, "nthread": nthread}
    objective = _Objective(dtrain, dvalid, fixed, max_rounds, early_stopping)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=60)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial otherwise
    try:
        study = optuna.create_study(
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, trials)),
            pruner=pruner if prune else optuna.pruners.NopPruner(),
        )
        study.enqueue_trial(DEFAULT_TRIAL)
        callbacks = [lambda s, t: progress(t.number + 1, trials)] if progress else None
        study.optimize(objective, n_trials=trials, callbacks=callbacks)
    finally:
        optuna.logging.set_verbosity(verbosity)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    best, seconds = objective.best, time.perf_counter() - start
    log.info(
        "optuna: %d trials (%d pruned) in %.1fs, best %.5f", trials, pruned, seconds, best["value"]
    )
    it = int(best["booster"].best_iteration)
    return TuningResult(
        booster=best["booster"][: it + 1],
        params=best["params"],
        best_iteration=it,
        best_valid_log_loss=float(best["value"]),
        n_trials=trials,
        n_pruned=int(pruned),
        seconds=seconds,
    )
