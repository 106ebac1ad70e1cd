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

import datetime as dt
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from core.config.schema import SchemaConfig
from core.config.settings import Config
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.thresholds import choose_cost_minimum
from core.model.calibration import (
    CalibrationChoice,
    Calibrator,
    choose_calibrator,
    expected_calibration_error,
    reliability_curve,
)
from core.model.compare import (
    OPENMP_THREADS,
    TuningResult,
    candidate_row,
    compare_models,
    score_summary,
    tune_xgboost,
)
from core.model.features import FeaturePipeline
from core.model.leakage import LeakageReport, audit_training_data, enforce
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
    mats = _build_matrices(parts, cfg.schema, seed)
    report("leakage audit", 0.08)
    raw = _schema_columns(parts.fit, cfg.schema)
    leakage = enforce(audit_training_data(raw, mats.y["fit"], mats.x["fit"]), allow_leakage)
    costs = CostModel.from_config(cfg.costs)
    rows = _compare(mats, costs, seed, report) if compare else []
    fitted = _fit_and_calibrate(mats, trials, seed, report, leakage, allow_leakage)
    rows.append(_tuned_row(fitted, mats, costs))
    metrics = _test_metrics(mats, fitted, costs)
    seconds = time.perf_counter() - start
    model = fitted.model
    model.metadata = _metadata(cfg, parts, mats, fitted, metrics, rows, training_sha256, seconds)
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
    """The tuned, calibrated model and its scores on validation and test."""

    model: TrainedModel
    tuning: TuningResult
    calibration: CalibrationChoice
    margins: dict[str, np.ndarray]  # "valid", "test", "test_hidden"
    probs: dict[str, np.ndarray]  # calibrated, same keys
    valid_auc: float
    leakage: LeakageReport


def _fit_and_calibrate(
    mats: _Matrices,
    trials: int,
    seed: int,
    report: Progress,
    leakage: LeakageReport,
    allow_leakage: bool,
) -> _Fitted:
    """Tune XGBoost, check its validation AUC for leakage, calibrate on validation."""
    tuning = _tune(mats, trials, seed, report)
    model = TrainedModel(mats.pipeline, tuning.booster, Calibrator("identity"))
    margins = {k: model.margin_of_features(mats.x[k]) for k in ("valid", "test", "test_hidden")}
    valid_auc = float(roc_auc_score(mats.y["valid"], margins["valid"]))
    leakage = enforce(leakage.with_validation_auc(valid_auc), allow_leakage)
    report("calibration", 0.95)
    calibration = choose_calibrator(margins["valid"], mats.y["valid"], seed=seed)
    model.calibrator = calibration.calibrator
    probs = {k: model.calibrator.predict(m) for k, m in margins.items()}
    return _Fitted(model, tuning, calibration, margins, probs, valid_auc, leakage)


def _schema_columns(frame: pd.DataFrame, schema: SchemaConfig) -> pd.DataFrame:
    """Only the profile's columns: anything else in the frame is never a feature."""
    return frame[[k for k in schema.keys if k in frame.columns]]


def _build_matrices(parts: SplitParts, schema: SchemaConfig, seed: int) -> _Matrices:
    pipeline = FeaturePipeline.from_schema(schema, seed=seed)
    label_key = schema.by_role("label").key  # type: ignore[union-attr]
    hidden = parts.test.assign(**{label_key: pd.array([pd.NA] * len(parts.test), dtype="Int8")})
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


def _tune(mats: _Matrices, trials: int, seed: int, report: Progress) -> TuningResult:
    report("tuning", 0.3)
    dtrain = xgb.QuantileDMatrix(mats.x["fit"], mats.y["fit"], nthread=OPENMP_THREADS)
    dvalid = xgb.QuantileDMatrix(mats.x["valid"], mats.y["valid"], ref=dtrain)
    return tune_xgboost(
        dtrain,
        dvalid,
        trials=max(1, trials),
        seed=seed,
        progress=lambda done, total: report(
            f"tuning: trial {done}/{total}", 0.3 + 0.65 * done / total
        ),
    )


def _tuned_row(fitted: _Fitted, mats: _Matrices, costs: CostModel) -> dict[str, Any]:
    """The kept model's line of the comparison table (already calibrated)."""
    raw = {k: 1 / (1 + np.exp(-fitted.margins[k])) for k in ("valid", "test")}
    row = candidate_row(
        "xgboost_tuned",
        fitted.tuning.seconds,
        (fitted.probs["valid"], fitted.probs["test"]),
        (mats.y["valid"], mats.amount["valid"]),
        (mats.y["test"], mats.amount["test"]),
        costs,
        calibration=fitted.calibration.method,
    )
    for part in ("valid", "test"):  # raw = before calibration, as for the other models
        row[f"{part}_log_loss_raw"] = score_summary(mats.y[part], raw[part])["log_loss"]
    return {**row, "chosen": True}


def _evaluation_frame(mats: _Matrices, fitted: _Fitted) -> pd.DataFrame:
    """The test set's calibrated probabilities, labels and amounts: the labelled data the
    Thresholds page tunes on when no labelled batch is stored."""
    frame = pd.DataFrame({"probability": fitted.probs["test"], "label": mats.y["test"]})
    if mats.amount["test"] is not None:
        frame["amount"] = mats.amount["test"]
    return frame


def _test_metrics(mats: _Matrices, fitted: _Fitted, costs: CostModel) -> dict[str, Any]:
    """Test-set metrics of the calibrated model at the thresholds chosen on validation.

    The thresholds minimise the *expected* cost on the validation claims (calibrated
    probabilities, their amounts, every split point). The realised-cost minimum is noisy:
    one wrongful validation costs the whole amount, so a few large claims move it (on the
    demo data it lost 5-15 % of the net gain on test); it is reported beside it.
    """
    probs, y_t, a_t = fitted.probs, mats.y["test"], mats.amount["test"]
    valid = CostSurface(probs["valid"], mats.amount["valid"], mats.y["valid"], costs=costs)
    test = CostSurface(probs["test"], a_t, y_t, costs=costs)
    choice = choose_cost_minimum(valid, grid=None, realised=False)
    realised_choice = choose_cost_minimum(valid, grid=101, realised=True)
    ev = test.evaluate(choice.low, choice.high)
    hidden = CostSurface(probs["test_hidden"], a_t, y_t, costs=costs)
    uncalibrated = 1 / (1 + np.exp(-fitted.margins["test"]))
    return {
        **score_summary(y_t, probs["test"]),
        "ece": expected_calibration_error(y_t, probs["test"]),
        "log_loss_uncalibrated": score_summary(y_t, uncalibrated)["log_loss"],
        "reliability_curve": reliability_curve(y_t, probs["test"]),
        "n": len(y_t),
        "positive_rate": float(y_t.mean()),
        "thresholds": {"low": choice.low, "high": choice.high, "source": choice.source},
        "threshold_basis": "expected cost on validation",
        "net_gain": ev.realised_net_gain,
        "cost": ev.realised_cost,
        "cost_audit_all": ev.realised_cost_audit_all,
        "automation_rate": ev.automation_rate,
        "net_gain_realised_basis": test.evaluate(
            realised_choice.low, realised_choice.high
        ).realised_net_gain,
        "thresholds_realised_basis": {"low": realised_choice.low, "high": realised_choice.high},
        "auc_labels_hidden": score_summary(y_t, probs["test_hidden"])["auc"],
        "ece_labels_hidden": expected_calibration_error(y_t, probs["test_hidden"]),
        "net_gain_labels_hidden": hidden.evaluate(choice.low, choice.high).realised_net_gain,
        "valid_auc": fitted.valid_auc,
    }


def _date_range(frame: pd.DataFrame, schema: SchemaConfig) -> list[str] | None:
    spec = schema.by_role("date")
    if spec is None or spec.key not in frame or not frame[spec.key].notna().any():
        return None
    dates = pd.to_datetime(frame[spec.key], errors="coerce")
    return [dates.min().date().isoformat(), dates.max().date().isoformat()]


def _metadata(
    cfg: Config,
    parts: SplitParts,
    mats: _Matrices,
    fitted: _Fitted,
    metrics: dict[str, Any],
    comparison: list[dict[str, Any]],
    training_sha256: str,
    seconds: float,
) -> dict[str, Any]:
    """Everything the registry and the UI show about the model (JSON-ready)."""
    tuning, calibration = fitted.tuning, fitted.calibration
    libs = ("xgboost", "optuna", "scikit-learn", "pandas", "numpy", "shap", "pyarrow")
    return {
        "format_version": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "profile": cfg.profile,
        "config_hash": cfg.source_hash,
        "training_sha256": training_sha256,
        "libraries": {"python": platform.python_version(), **{n: _version(n) for n in libs}},
        "split": parts.kind,
        "rows": {"train": len(parts.fit), "valid": len(parts.valid), "test": len(parts.test)},
        "date_ranges": {
            k: _date_range(getattr(parts, k), cfg.schema) for k in ("fit", "valid", "test")
        },
        "train_positive_rate": float(mats.y["fit"].mean()),
        "params": tuning.params,
        "best_iteration": tuning.best_iteration,
        "tuning": {
            "trials": tuning.n_trials,
            "pruned": tuning.n_pruned,
            "seconds": tuning.seconds,
            "best_valid_log_loss": tuning.best_valid_log_loss,
        },
        "calibration": {"method": calibration.method, "cross_fitted": calibration.scores},
        "ece": metrics["ece"],
        "reliability_curve": metrics["reliability_curve"],
        "thresholds": metrics["thresholds"],
        "metrics": metrics,
        "comparison": comparison,
        "feature_table": mats.pipeline.feature_table().to_dict(orient="records"),
        "leakage": fitted.leakage.to_dict(),
        "training_seconds": seconds,
    }


def _version(name: str) -> str | None:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return None


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
