"""Plain baselines on the profile's raw columns: what a careful analyst would try first.

* ``baseline_onehot_logistic`` — every category one-hot encoded (unknown levels ignored),
  every number median-imputed and standardised, a default ``LogisticRegression``;
* ``baseline_onehot_xgboost`` — the same one-hot categories and raw numbers, a default
  ``XGBClassifier`` (one thread).

They are fitted on all the labelled training rows (the registered model's training and
validation rows together) and scored on the same test rows as the registered model: the
Model page and the acceptance script show them side by side.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from core.config.schema import SchemaConfig
from core.model.compare import score_summary

__all__ = ["BASELINES", "baseline_rows", "fit_baselines", "raw_columns"]

BASELINES = ("baseline_onehot_logistic", "baseline_onehot_xgboost")


def raw_columns(schema: SchemaConfig) -> tuple[list[str], list[str]]:
    """(category keys, number keys) of the profile (ids, dates and the label left out)."""
    cats = [c.key for c in schema.columns if c.type == "category"]
    nums = [c.key for c in schema.columns if c.type in ("number", "amount")]
    return cats, nums


def _raw(frame: pd.DataFrame, cats: list[str], nums: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for c in cats:
        col = frame[c] if c in frame else pd.Series("", index=frame.index)
        out[c] = col.astype(object).where(col.notna(), "").astype(str)
    for c in nums:
        col = frame[c] if c in frame else pd.Series(np.nan, index=frame.index)
        out[c] = pd.to_numeric(col, errors="coerce").astype(float)
    return out


def fit_baselines(
    train: pd.DataFrame, y: np.ndarray, schema: SchemaConfig, seed: int = 0
) -> dict[str, Pipeline]:
    """The two baselines fitted on ``train`` (validated frame rows, labels ``y``)."""
    cats, nums = raw_columns(schema)
    onehot = OneHotEncoder(handle_unknown="ignore")
    scaled = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    models = {
        BASELINES[0]: Pipeline([
            ("prep", ColumnTransformer([("c", onehot, cats), ("n", scaled, nums)])),
            ("lr", LogisticRegression(max_iter=3000)),
        ]),
        BASELINES[1]: Pipeline([
            ("prep", ColumnTransformer([("c", onehot, cats), ("n", "passthrough", nums)])),
            ("xgb", xgb.XGBClassifier(tree_method="hist", n_jobs=1, random_state=seed)),
        ]),
    }  # fmt: skip
    x = _raw(train, cats, nums)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for model in models.values():
            model.fit(x, y)
    return models


def baseline_rows(
    train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame, y_test: np.ndarray,
    schema: SchemaConfig, seed: int = 0,
) -> list[dict[str, object]]:  # fmt: skip
    """One comparison row per baseline: test AUC, log-loss and Brier of its probabilities."""
    cats, nums = raw_columns(schema)
    x_test = _raw(test, cats, nums)
    rows = []
    for name, model in fit_baselines(train, y, schema, seed).items():
        scores = score_summary(y_test, model.predict_proba(x_test)[:, 1])
        rows.append({"model": name, "test_auc": scores["auc"],
                     "test_log_loss_raw": scores["log_loss"], "baseline": True,
                     "chosen": False})  # fmt: skip
    return rows
