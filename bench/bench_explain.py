"""SHAP explanations: one claim, 2,000 claims, and how tree depth trades accuracy for time.

Lines printed (one JSON object each):

* ``explain_one_claim`` — :func:`core.explain.explain_claim` on one demo claim with its
  client history (features, XGBoost TreeSHAP, grouping, probability path, sentences),
  median of 50, against the naive way: the same steps with the ``shap`` package's
  ``TreeExplainer`` (built once, reused) instead of ``pred_contribs``. ``shap_step_*``
  isolate the SHAP call alone; ``max_abs_diff`` checks both give the same values.
* ``explain_global_2000`` — :func:`core.explain.explain_sample` on 2,000 claims (target
  <= 5 s) against ``TreeExplainer.shap_values`` on the same 2,000 rows.
* ``explain_depth`` (one line per depth 2, 4, 6, 8) — XGBoost with the default trial's
  settings but the depth, trained on the demo 2024 claims (33,000), tested on the demo
  2025 claims (8,000, drifted). With early stopping on validation (as the workbench
  trains): trees kept, test AUC, full explanation time for one claim (median of 30) and
  for 2,000 claims. With exactly 200 trees (depth alone varies): test AUC and the SHAP
  call alone for one claim and for 2,000.

The main model is the workbench's own training (3 Optuna trials, no comparison) on the
demo 2024 claims; its training time is not measured here.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from bench.common import row
from core.config.loading import load_config
from core.config.schema import SchemaConfig
from core.explain import explainer as explain
from core.model.calibration import Calibrator
from core.model.compare import BASE_PARAMS, DEFAULT_TRIAL
from core.model.features import FeaturePipeline
from core.model.trained import TrainedModel
from core.model.training import train
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims

DEPTHS = (2, 4, 6, 8)
GLOBAL_N = 2000


def run() -> list[dict]:
    cfg = load_config()
    train_frame = keyed_frame(generate_claims(33_000, seed=42, year=2024)[0], cfg.schema)
    test_frame = keyed_frame(generate_claims(8_000, seed=42, year=2025, drift=True)[0], cfg.schema)
    history = pd.concat([train_frame, test_frame], ignore_index=True)
    model = train(train_frame, None, cfg, trials=3, compare=False).model
    claim = test_frame.iloc[[1234]]
    sample = test_frame.sample(n=GLOBAL_N, random_state=0)
    rows = [_one_claim(model, claim, history), _global(model, sample, history)]
    rows += [_depth_row(d, cfg.schema, train_frame, test_frame, history) for d in DEPTHS]
    return rows


def _median(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: first-call costs are not what an auditor waits for on every claim
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _client_history(claim: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """What the page passes: the client's other claims only."""
    return history[history["client_id"] == claim["client_id"].iloc[0]]


def _naive_explain(model: TrainedModel, explainer: Any, row: pd.DataFrame, hist: Any) -> Any:
    """explain_claim's steps with the shap package computing the SHAP values."""
    features = model.transform(row, hist)[model.feature_names]
    phi = np.asarray(explainer.shap_values(features))[0]
    base = float(np.ravel(explainer.expected_value)[0])
    groups = explain.feature_grouping(model.features)
    return explain.probability_path(model.calibrator, base, phi @ groups.weights)


def _one_claim(model: TrainedModel, claim: pd.DataFrame, history: pd.DataFrame) -> dict:
    import shap

    hist = _client_history(claim, history)
    ours = _median(lambda: explain.explain_claim(model, claim, hist, currency="DH"), 50)
    started = time.perf_counter()
    explainer = shap.TreeExplainer(model.booster)
    build = time.perf_counter() - started
    naive = _median(lambda: _naive_explain(model, explainer, claim, hist), 50)
    features = model.transform(claim, hist)
    ours_step = _median(lambda: explain.shap_values(model, features), 50)
    naive_step = _median(lambda: explainer.shap_values(features[model.feature_names]), 50)
    mine = explain.shap_values(model, features)[0][0, :-1]
    theirs = np.asarray(explainer.shap_values(features[model.feature_names]))[0]
    return row(
        "explain_one_claim",
        ours,
        naive,
        ms=round(1000 * ours, 2),
        naive_ms=round(1000 * naive, 2),
        shap_step_ms=round(1000 * ours_step, 3),
        naive_shap_step_ms=round(1000 * naive_step, 3),
        naive_build_ms=round(1000 * build, 1),
        max_abs_diff=float(np.max(np.abs(mine - theirs))),
        trees=model.booster.num_boosted_rounds(),
        max_depth=model.metadata.get("params", {}).get("max_depth"),
        target="<= 50 ms",
    )


def _global(model: TrainedModel, sample: pd.DataFrame, history: pd.DataFrame) -> dict:
    """Same work both ways (features, SHAP, grouping); the SHAP call alone reported too."""
    import shap

    seconds = _median(lambda: explain.explain_sample(model, sample, history), 3)
    explainer = shap.TreeExplainer(model.booster)
    groups = explain.feature_grouping(model.features)

    def naive() -> Any:
        features = model.transform(sample, history)[model.feature_names]
        return np.asarray(explainer.shap_values(features)) @ groups.weights

    naive_seconds = _median(naive, 3)
    features = model.transform(sample, history)
    step = _median(lambda: explain.shap_values(model, features), 3)
    naive_step = _median(lambda: explainer.shap_values(features[model.feature_names]), 3)
    return row(
        "explain_global_2000",
        seconds,
        naive_seconds,
        n=len(sample),
        shap_step_s=round(step, 3),
        naive_shap_step_s=round(naive_step, 3),
        target="<= 5 s",
    )


def _depth_row(
    depth: int,
    schema: SchemaConfig,
    train_frame: pd.DataFrame,
    test_frame: pd.DataFrame,
    history: pd.DataFrame,
) -> dict:
    """Early stopping (the workbench's way) and a fixed 200 trees (depth alone varies)."""
    stopped, auc = _depth_model(depth, schema, train_frame, test_frame, history, early=True)
    fixed, fixed_auc = _depth_model(depth, schema, train_frame, test_frame, history, early=False)
    claim = test_frame.iloc[[1234]]
    hist = _client_history(claim, history)
    sample = test_frame.sample(n=GLOBAL_N, random_state=0)
    one = _median(lambda: explain.explain_claim(stopped, claim, hist, currency="DH"), 30)
    many = _median(lambda: explain.explain_sample(stopped, sample, history), 1)
    x_one, x_many = fixed.transform(claim, hist), fixed.transform(sample, history)
    shap_one = _median(lambda: explain.shap_values(fixed, x_one), 50)
    shap_many = _median(lambda: explain.shap_values(fixed, x_many), 3)
    return row(
        "explain_depth",
        one,
        max_depth=depth,
        trees=stopped.booster.num_boosted_rounds(),
        test_auc=round(auc, 4),
        one_claim_ms=round(1000 * one, 2),
        global_2000_s=round(many, 3),
        fixed_200_test_auc=round(fixed_auc, 4),
        fixed_200_shap_one_ms=round(1000 * shap_one, 3),
        fixed_200_shap_2000_s=round(shap_many, 3),
    )


def _depth_model(
    depth: int,
    schema: SchemaConfig,
    train_frame: pd.DataFrame,
    test_frame: pd.DataFrame,
    history: pd.DataFrame,
    *,
    early: bool,
) -> tuple[TrainedModel, float]:
    """XGBoost at ``depth`` (else the default trial's settings): early stopping on the last
    20 % of the training dates, or exactly 200 trees; AUC on the 2025 claims."""
    cut = train_frame["date"].quantile(0.8)
    fit, valid = train_frame[train_frame["date"] < cut], train_frame[train_frame["date"] >= cut]
    pipeline = FeaturePipeline.from_schema(schema)
    x_fit = pipeline.fit_transform(fit, history=train_frame)
    x_valid = pipeline.transform(valid, history=train_frame)
    x_test = pipeline.transform(test_frame, history=history)
    nthread = 1  # as the workbench trains (core.model_compare.OPENMP_THREADS)
    params = {**BASE_PARAMS, **DEFAULT_TRIAL, "max_depth": depth, "seed": 0, "nthread": nthread}
    booster = xgb.train(
        params,
        xgb.DMatrix(x_fit, label=fit["label"].astype(float), nthread=nthread),
        num_boost_round=800 if early else 200,
        evals=[(xgb.DMatrix(x_valid, label=valid["label"].astype(float)), "valid")],
        early_stopping_rounds=40 if early else None,
        verbose_eval=False,
    )
    if early:
        booster = booster[: booster.best_iteration + 1]
    model = TrainedModel(pipeline, booster, Calibrator("identity"))
    auc = roc_auc_score(test_frame["label"].astype(int), model.margin_of_features(x_test))
    return model, float(auc)


if __name__ == "__main__":
    for line in run():
        print(json.dumps(line, ensure_ascii=False), flush=True)
