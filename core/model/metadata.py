"""The training metadata saved with a model (``metadata.json``): JSON-ready, shown by the UI."""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata as importlib_metadata
from typing import Any

import pandas as pd

from core.config.profiles import schema_fingerprint
from core.config.schema import SchemaConfig
from core.config.settings import Config
from core.model.training_data import SplitParts

__all__ = ["training_metadata"]


def _date_range(frame: pd.DataFrame, schema: SchemaConfig) -> list[str] | None:
    spec = schema.by_role("date")
    if spec is None or spec.key not in frame or not frame[spec.key].notna().any():
        return None
    dates = pd.to_datetime(frame[spec.key], errors="coerce")
    return [dates.min().date().isoformat(), dates.max().date().isoformat()]


def training_metadata(
    cfg: Config,
    parts: SplitParts,
    mats: Any,
    fitted: Any,
    metrics: dict[str, Any],
    comparison: list[dict[str, Any]],
    training_sha256: str,
    seconds: float,
) -> dict[str, Any]:
    """Everything the registry and the UI show about the model (JSON-ready)."""
    tuning, calibration = fitted.outcome.tuning, fitted.calibration
    libs = ("xgboost", "optuna", "scikit-learn", "mapie", "pandas", "numpy", "shap", "pyarrow")
    return {
        "format_version": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "profile": cfg.profile,
        "schema_sha256": schema_fingerprint(cfg.schema),  # which profiles' batches it scores
        "config_hash": cfg.source_hash,
        "training_sha256": training_sha256,
        "libraries": {"python": platform.python_version(), **{n: _version(n) for n in libs}},
        "split": parts.kind,
        "rows": {"train": len(parts.fit), "valid": len(parts.valid), "test": len(parts.test)},
        "date_ranges": {
            k: _date_range(getattr(parts, k), cfg.schema) for k in ("fit", "valid", "test")
        },
        "train_positive_rate": float(mats.y["fit"].mean()),
        "family": fitted.model.family,
        "selection": fitted.outcome.mode,
        "params": fitted.outcome.params,
        "tuning": None
        if tuning is None
        else {
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
    """The installed version of ``name`` (XGBoost's CPU build is the ``xgboost-cpu``
    distribution of the same ``xgboost`` module)."""
    for distribution in (name, f"{name}-cpu") if name == "xgboost" else (name,):
        try:
            return importlib_metadata.version(distribution)
        except importlib_metadata.PackageNotFoundError:
            continue
    return None
