"""Leakage audit: columns or features that give the label away.

Checked on the training rows, before any tuning time is spent:

* **single-column AUC** — each raw column (numbers and dates as they are, missing values
  ranked lowest; text through an out-of-fold target encoding, so an ID column scores
  0.5, not 1) and each model feature alone: AUC >= 0.95 or <= 0.05 is a finding. This
  catches an exact copy of the label, ``1 - label``, ``label * amount`` and any monotone
  transform of them, and a text copy ("Oui"/"Non");
* **label function** — a column with few levels (2..20) where every level holds a single
  label value, i.e. the label is a deterministic function of the column;
* **validation AUC** — after training, a validation AUC >= 0.99 is a finding too: no
  honest claims model is that good.

A :class:`LeakageReport` with findings blocks training (and so registration) with
:class:`~core.exceptions.LeakageError` unless ``allow_leakage=True``; the report is kept
in the model's metadata either way.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from core.exceptions import LeakageError

__all__ = [
    "LeakageFinding",
    "LeakageReport",
    "audit_training_data",
    "column_auc",
    "enforce",
    "label_function_columns",
]

log = logging.getLogger(__name__)

AUC_LIMIT = 0.95
VALIDATION_AUC_LIMIT = 0.99
MAX_LEVELS = 20
SKIPPED = ("label", "label_excluded", "row_number")


@dataclass(frozen=True)
class LeakageFinding:
    """One suspicious column, feature or model score."""

    column: str
    kind: str  # "single_column_auc" | "label_function" | "validation_auc"
    source: str  # "raw" (batch column) | "feature" (model feature) | "model"
    auc: float | None
    detail: str


@dataclass(frozen=True)
class LeakageReport:
    """Outcome of the audit; ``ok`` when nothing was found."""

    findings: tuple[LeakageFinding, ...]
    columns_checked: tuple[str, ...]
    features_checked: tuple[str, ...]
    auc_limit: float = AUC_LIMIT
    validation_auc: float | None = None
    allowed: bool = False  # True when training went on with allow_leakage=True

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def columns(self) -> list[str]:
        """Names of the columns / features with findings (each once, in order)."""
        return list(dict.fromkeys(f.column for f in self.findings))

    def with_validation_auc(self, auc: float, limit: float = VALIDATION_AUC_LIMIT) -> LeakageReport:
        """This report plus the validation-AUC check."""
        findings = self.findings
        if auc >= limit:
            detail = f"validation AUC {auc:.4f} >= {limit}: too good to be honest"
            findings += (LeakageFinding("<model>", "validation_auc", "model", auc, detail),)
        return dataclasses.replace(self, findings=findings, validation_auc=float(auc))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "allowed": self.allowed,
            "auc_limit": self.auc_limit,
            "validation_auc": self.validation_auc,
            "columns_checked": list(self.columns_checked),
            "features_checked": list(self.features_checked),
            "findings": [dataclasses.asdict(f) for f in self.findings],
        }

    def message(self) -> str:
        lines = [f"- {f.column} ({f.source}): {f.detail}" for f in self.findings]
        return "\n".join(lines)


def enforce(report: LeakageReport, allow_leakage: bool) -> LeakageReport:
    """Raise LeakageError when the report has findings, unless leakage is allowed."""
    if report.ok:
        return report
    if not allow_leakage:
        raise LeakageError(
            "Training stopped: the leakage audit found columns that give the label away.\n"
            f"{report.message()}\n"
            "Remove these columns from the profile (or the file), or retrain with "
            "allow_leakage=True if you are certain they are known when a claim arrives."
        )
    log.warning("leakage allowed by the user: %s", report.columns)
    return dataclasses.replace(report, allowed=True)


def audit_training_data(
    frame: pd.DataFrame,
    y: np.ndarray,
    features: pd.DataFrame | None = None,
    *,
    skip: Iterable[str] = SKIPPED,
    auc_limit: float = AUC_LIMIT,
    seed: int = 0,
) -> LeakageReport:
    """Audit raw columns of ``frame`` and the model ``features`` against labels ``y``."""
    y = np.asarray(y, dtype=float)
    skipped = set(skip)
    columns = tuple(c for c in frame.columns if c not in skipped)
    findings: list[LeakageFinding] = []
    for source, table, names in (
        ("raw", frame, columns),
        ("feature", features, tuple(features.columns) if features is not None else ()),
    ):
        for name in names:
            auc = column_auc(table[name], y, seed=seed)
            if auc is not None and max(auc, 1 - auc) >= auc_limit:
                detail = f"alone reaches AUC {auc:.4f} (limit {auc_limit} / {1 - auc_limit:.2f})"
                findings.append(LeakageFinding(str(name), "single_column_auc", source, auc, detail))
    for name, levels in label_function_columns(frame[list(columns)], y).items():
        detail = f"the label is a deterministic function of its {levels} values"
        findings.append(LeakageFinding(str(name), "label_function", "raw", None, detail))
    report = LeakageReport(
        tuple(findings),
        columns,
        tuple(features.columns) if features is not None else (),
        auc_limit,
    )
    log.info("leakage audit: %d findings on %d columns", len(findings), len(columns))
    return report


def column_auc(values: pd.Series, y: np.ndarray, *, seed: int = 0) -> float | None:
    """AUC of one column alone (None when it is constant or the labels are one class)."""
    if len(np.unique(y)) < 2:
        return None
    score = _as_score(values, y, seed)
    if score is None or np.nanmin(score) == np.nanmax(score):
        return None
    return float(roc_auc_score(y, score))


def _as_score(values: pd.Series, y: np.ndarray, seed: int) -> np.ndarray | None:
    """Numbers, booleans and dates as numbers (missing lowest); text out-of-fold encoded."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.to_numpy(dtype="datetime64[ns]")
        numeric = pd.Series(np.where(np.isnat(stamps), np.nan, stamps.astype("int64")))
    elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numeric = pd.to_numeric(values, errors="coerce").astype(float)
    else:
        return _oof_rate(values, y, seed)
    arr = numeric.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(arr).all():
        return None
    return np.where(np.isnan(arr), np.nanmin(arr) - 1.0, arr)


def _oof_rate(values: pd.Series, y: np.ndarray, seed: int, n_folds: int = 5) -> np.ndarray:
    """Out-of-fold label rate of each text level (unseen levels: the fold's mean)."""
    text = values.where(values.notna(), "").astype(str).to_numpy()
    folds = np.random.default_rng(seed).permutation(len(text)) % n_folds
    out = np.empty(len(text))
    for k in range(n_folds):
        held = folds == k
        rates = pd.Series(y[~held]).groupby(text[~held]).mean()
        out[held] = pd.Series(text[held]).map(rates).fillna(y[~held].mean()).to_numpy(float)
    return out


def label_function_columns(
    frame: pd.DataFrame, y: np.ndarray, *, max_levels: int = MAX_LEVELS
) -> dict[str, int]:
    """Columns with 2..max_levels values where each value holds one label only."""
    out: dict[str, int] = {}
    if len(np.unique(y)) < 2:
        return out
    for name in frame.columns:
        col = frame[name]
        if col.nunique(dropna=False) > max_levels:
            continue
        text = col.where(col.notna(), "<missing>").astype(str).to_numpy()
        stats = pd.Series(y).groupby(text).agg(["min", "max"])
        if 2 <= len(stats) <= max_levels and (stats["min"] == stats["max"]).all():
            out[str(name)] = len(stats)
    return out
