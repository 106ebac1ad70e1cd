"""Training: split, leakage audit, model comparison, Optuna tuning, calibration, metrics.

:func:`train` is the one public entry point (data, split: :mod:`core.model.training_data`). Steps:

1. Rows with an unknown label (``<NA>``) or ``label_excluded`` are dropped.
2. Split. With a date column: time-based — test = the later period (``test_frame``, or the
   last 20 % of dates), validation = the last ~20 % of the training period by date (used
   for early stopping, calibration and the threshold choice). Without a date: stratified.
   Rows sharing a date stay on the same side of every cut.
3. Features fitted on the training part only (out-of-fold target encodings on its rows);
   the whole training frame (unlabelled rows too) is the client history.
4. Leakage audit of raw columns and features; blocks with LeakageError unless allowed.
5. Comparison of five candidate models (optional), Optuna tuning of XGBoost, leakage
   check of the validation AUC, calibration chosen by cross-fitting on validation, cost-
   optimal thresholds on validation.
6. Test metrics: AUC, log-loss, Brier, ECE, reliability curve, net gain at the thresholds
   minimising the expected cost on validation; also AUC with the test labels hidden from
   the client-history features (what scoring sees when earlier claims are unaudited).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from core.config.schema import SchemaConfig
from core.config.settings import Config
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap
from core.decide.thresholds import choose_cost_minimum
from core.model.baselines import baseline_rows
from core.model.calibration import (
    CalibrationChoice,
    cross_fitted,
    expected_calibration_error,
    reliability_curve,
)
from core.model.compare import compare_models, score_summary
from core.model.features import FeaturePipeline
from core.model.fitting import (
    FitOutcome,
    fit_by_cross_validation,
    fit_on_validation,
    pipeline_params,
)
from core.model.leakage import LeakageReport, audit_training_data, enforce
from core.model.metadata import training_metadata
from core.model.trained import TrainedModel
from core.model.training_data import (
    SplitParts,
    keyed_frame,
    label_values,
    labelled_rows,
    split_frame,
    split_parts,
)

__all__ = ["TrainingResult", "keyed_frame", "labelled_rows", "split_frame", "train"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class TrainingResult:
    """What :func:`train` produced."""

    model: TrainedModel
    comparison: pd.DataFrame
    metrics: dict
    leakage: LeakageReport
    split: str  # "time" | "stratified"
    n_train: int
    n_valid: int
    n_test: int
    seconds: float


@dataclass(frozen=True)
class _Matrices:
    pipeline: FeaturePipeline
    x: dict[str, pd.DataFrame]  # "fit", "valid", "test", "test_hidden"
    y: dict[str, np.ndarray]  # "fit", "valid", "test"
    amount: dict[str, np.ndarray | None]


def _amounts(frame: pd.DataFrame, schema: SchemaConfig) -> np.ndarray | None:
    spec = schema.by_role("amount")
    if spec is None or spec.key not in frame:
        return None
    values = pd.to_numeric(frame[spec.key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.clip(values, 0, None)


# --------------------------------------------------------------------------- train


def train(
    train_frame: pd.DataFrame,
    test_frame: pd.DataFrame | None,
    cfg: Config,
    *,
    trials: int = 50,
    allow_leakage: bool = False,
    compare: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
    training_sha256: str = "",
) -> TrainingResult:
    """Train, calibrate and evaluate a model on validated frames (see the module doc).

    Raises TrainingError when the data cannot support training and LeakageError when the
    audit finds a leak (unless ``allow_leakage``). ``progress(step, fraction)`` is called
    as the work advances.
    """
    start = time.perf_counter()
    report = progress or _no_progress
    report("split", 0.0)
    parts = split_parts(train_frame, test_frame, cfg.schema, seed)
    report("features", 0.03)
    mats = _build_matrices(parts, cfg, seed)
    report("leakage audit", 0.08)
    raw = _schema_columns(parts.fit, cfg.schema)
    leakage = enforce(audit_training_data(raw, mats.y["fit"], mats.x["fit"]), allow_leakage)
    costs = CostModel.from_config(cfg.costs)
    rows = _compare(mats, costs, seed, report) if compare else []
    n_labelled = len(parts.fit) + len(parts.valid)
    if n_labelled <= cfg.model.cv_max_rows:
        outcome = fit_by_cross_validation(
            parts, cfg, costs, lambda f: _amounts(f, cfg.schema), seed=seed, report=report
        )
    else:
        outcome = fit_on_validation(
            mats.x, mats.y, mats.amount["valid"], mats.pipeline, cfg, costs,
            trials=trials, seed=seed, report=report,
        )  # fmt: skip
    fitted = _calibrated(outcome, parts, cfg.schema, leakage, allow_leakage)
    report("baselines", 0.95)
    rows += _family_rows(outcome, mats) + _baselines(parts, mats, cfg.schema, seed)
    metrics = _test_metrics(mats, fitted, costs, cfg)
    seconds = time.perf_counter() - start
    model = fitted.model
    model.metadata = training_metadata(
        cfg, parts, mats, fitted, metrics, rows, training_sha256, seconds
    )
    model.reference = _reference(model, parts, cfg.schema, seed)
    model.evaluation = _evaluation_frame(mats, fitted)
    report("done", 1.0)
    log.info("trained in %.1fs: test AUC %.4f, ECE %.4f", seconds, metrics["auc"], metrics["ece"])
    return TrainingResult(
        model=model,
        comparison=pd.DataFrame(rows),
        metrics=metrics,
        leakage=fitted.leakage,
        split=parts.kind,
        n_train=len(parts.fit),
        n_valid=len(parts.valid),
        n_test=len(parts.test),
        seconds=seconds,
    )


def _no_progress(step: str, fraction: float) -> None:
    """Default progress callback: nothing to show."""


@dataclass(frozen=True)
class _Fitted:
    """The chosen, calibrated model and its scores on validation and test."""

    model: TrainedModel
    outcome: FitOutcome
    calibration: CalibrationChoice
    margins: dict[str, np.ndarray]  # "valid" (out-of-fold in CV), "test", "test_hidden"
    probs: dict[str, np.ndarray]  # calibrated ("valid": cross-fitted), same keys
    valid_auc: float
    leakage: LeakageReport


def _calibrated(
    outcome: FitOutcome,
    parts: SplitParts,
    schema: SchemaConfig,
    leakage: LeakageReport,
    allow_leakage: bool,
) -> _Fitted:
    """Check the chosen model's validation AUC for leakage; its calibrated probabilities."""
    model = outcome.model
    hidden = _hidden_test(parts, schema)
    margins = {
        "valid": outcome.valid_margin,
        "test": model.margin(parts.test, parts.history),
        "test_hidden": model.margin(hidden, _without_labels(parts, schema)),
    }
    valid_auc = float(roc_auc_score(outcome.y_valid, margins["valid"]))
    leakage = enforce(leakage.with_validation_auc(valid_auc), allow_leakage)
    probs = {k: model.calibrator.predict(m) for k, m in margins.items()}
    probs["valid"] = cross_fitted(
        margins["valid"], outcome.y_valid, outcome.calibration.method, seed=0
    )
    return _Fitted(model, outcome, outcome.calibration, margins, probs, valid_auc, leakage)


def _hidden_test(parts: SplitParts, schema: SchemaConfig) -> pd.DataFrame:
    label_key = schema.by_role("label").key  # type: ignore[union-attr]
    return parts.test.assign(**{label_key: pd.array([pd.NA] * len(parts.test), dtype="Int8")})


def _schema_columns(frame: pd.DataFrame, schema: SchemaConfig) -> pd.DataFrame:
    """Only the profile's columns: anything else in the frame is never a feature."""
    return frame[[k for k in schema.keys if k in frame.columns]]


def _build_matrices(parts: SplitParts, cfg: Config, seed: int) -> _Matrices:
    schema = cfg.schema
    pipeline = FeaturePipeline.from_schema(schema, **pipeline_params(cfg, seed))
    hidden = _hidden_test(parts, schema)
    x = {
        "fit": pipeline.fit_transform(parts.fit, history=parts.history),
        "valid": pipeline.transform(parts.valid, history=parts.history),
        "test": pipeline.transform(parts.test, history=parts.history),
        "test_hidden": pipeline.transform(hidden, history=_without_labels(parts, schema)),
    }
    y = {k: label_values(getattr(parts, k), schema) for k in ("fit", "valid", "test")}
    amount = {k: _amounts(getattr(parts, k), schema) for k in ("fit", "valid", "test")}
    return _Matrices(pipeline, x, y, amount)


def _without_labels(parts: SplitParts, schema: SchemaConfig) -> pd.DataFrame:
    """The history as scoring would see it: the test claims' labels not yet known."""
    label_key = schema.by_role("label").key  # type: ignore[union-attr]
    id_spec = schema.by_role("id")
    history = parts.history
    if id_spec is None or id_spec.key not in history or id_spec.key not in parts.test:
        return history  # without IDs, the test rows replace their copies (feature_history.py)
    in_test = history[id_spec.key].isin(set(parts.test[id_spec.key])).to_numpy()
    if not in_test.any():
        return history
    out = history.copy()
    out.loc[in_test, label_key] = pd.NA
    return out


def _compare(mats: _Matrices, costs: CostModel, seed: int, report: Progress) -> list[dict]:
    data = {k: (mats.x[k], mats.y[k], mats.amount[k]) for k in ("valid", "test")}
    data["train"] = (mats.x["fit"], mats.y["fit"], mats.amount["fit"])
    step = iter(np.linspace(0.1, 0.3, 6))
    return compare_models(
        data, costs, seed=seed, progress=lambda name: report(f"compare: {name}", next(step))
    )


def _family_rows(outcome: FitOutcome, mats: _Matrices) -> list[dict[str, Any]]:
    """One comparison row per registrable family: validation evidence, test AUC."""
    rows = []
    for score in outcome.scores:
        margin = outcome.test_margins[score.family]
        test_auc = float(roc_auc_score(mats.y["test"], margin))
        rows.append({**score.row(), "model": f"family_{score.family}", "test_auc": test_auc,
                     "selection": outcome.mode, "chosen": score is outcome.chosen})  # fmt: skip
    return rows


def _baselines(
    parts: SplitParts, mats: _Matrices, schema: SchemaConfig, seed: int
) -> list[dict[str, Any]]:
    train = pd.concat([parts.fit, parts.valid])
    y = np.concatenate([mats.y["fit"], mats.y["valid"]])
    return baseline_rows(train, y, parts.test, mats.y["test"], schema, seed)


def _evaluation_frame(mats: _Matrices, fitted: _Fitted) -> pd.DataFrame:
    """The test set's calibrated probabilities, labels and amounts: the labelled data the
    Thresholds page tunes on when no labelled batch is stored."""
    frame = pd.DataFrame({"probability": fitted.probs["test"], "label": mats.y["test"]})
    if mats.amount["test"] is not None:
        frame["amount"] = mats.amount["test"]
    return frame


def _test_metrics(
    mats: _Matrices, fitted: _Fitted, costs: CostModel, cfg: Config
) -> dict[str, Any]:
    """Test-set metrics of the calibrated model at the pair published with it.

    The pair is the safe pair of the chosen family on its validation (or out-of-fold)
    claims: the largest lower bound of the realised net gain (bootstrap), cross-fitted
    probabilities; (0, 1) — audit everything — when no pair beats auditing all with the
    configured confidence. The realised-cost and expected-cost minima are reported beside.
    """
    probs, y_t, a_t = fitted.probs, mats.y["test"], mats.amount["test"]
    y_v, a_v = fitted.outcome.y_valid, fitted.outcome.amount_valid
    pair, safe = fitted.outcome.chosen.pair, fitted.outcome.chosen.safe
    valid = CostSurface(probs["valid"], a_v, y_v, costs=costs)
    test = CostSurface(probs["test"], a_t, y_t, costs=costs)
    expected_choice = choose_cost_minimum(valid, grid=None, realised=False)
    realised_choice = choose_cost_minimum(valid, grid=101, realised=True)
    ev = test.evaluate(pair.low, pair.high)
    boot = GainBootstrap(
        probs["test"], y_t, a_t, costs=costs, thresholds=[0.0, pair.low, pair.high, 1.0],
        confidence=cfg.model.gain_confidence, resamples=cfg.model.bootstrap,
    )  # fmt: skip
    hidden = CostSurface(probs["test_hidden"], a_t, y_t, costs=costs)
    uncalibrated = 1 / (1 + np.exp(-fitted.margins["test"]))
    thresholds = {"low": pair.low, "high": pair.high, "source": "safe-gain"}
    thresholds |= {"valid_interval": pair.to_dict(), "beats_audit_all": safe}
    return {
        **score_summary(y_t, probs["test"]),
        "ece": expected_calibration_error(y_t, probs["test"]),
        "log_loss_uncalibrated": score_summary(y_t, uncalibrated)["log_loss"],
        "reliability_curve": reliability_curve(y_t, probs["test"]),
        "n": len(y_t),
        "positive_rate": float(y_t.mean()),
        "family": fitted.model.family,
        "selection": fitted.outcome.mode,
        "thresholds": thresholds,
        "threshold_basis": "largest lower bound of the realised net gain on validation",
        "net_gain": ev.realised_net_gain,
        "net_gain_interval": boot.interval(pair.low, pair.high).to_dict(),
        "valid_net_gain_lower": pair.lower,
        "cost": ev.realised_cost,
        "cost_audit_all": ev.realised_cost_audit_all,
        "automation_rate": ev.automation_rate,
        "net_gain_realised_basis": test.evaluate(
            realised_choice.low, realised_choice.high
        ).realised_net_gain,
        "thresholds_realised_basis": {"low": realised_choice.low, "high": realised_choice.high},
        "net_gain_expected_basis": test.evaluate(
            expected_choice.low, expected_choice.high
        ).realised_net_gain,
        "thresholds_expected_basis": {"low": expected_choice.low, "high": expected_choice.high},
        "auc_labels_hidden": score_summary(y_t, probs["test_hidden"])["auc"],
        "ece_labels_hidden": expected_calibration_error(y_t, probs["test_hidden"]),
        "net_gain_labels_hidden": hidden.evaluate(pair.low, pair.high).realised_net_gain,
        "valid_auc": fitted.valid_auc,
    }


def _reference(
    model: TrainedModel, parts: SplitParts, schema: SchemaConfig, seed: int, size: int = 5000
) -> pd.DataFrame:
    """Up to ``size`` labelled training rows (profile columns) + calibrated probabilities."""
    rows = pd.concat([parts.fit, parts.valid])
    if len(rows) > size:
        rows = rows.sample(n=size, random_state=seed).sort_index()
    sample = _schema_columns(rows, schema).reset_index(drop=True)
    sample["probability"] = model.predict_proba(rows, history=parts.history)
    return sample
