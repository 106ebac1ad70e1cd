"""Benchmark of training on the demo data: Optuna tuning and the feature transform.

Run with ``python -m bench.bench_training`` from the project root; prints one JSON line per
measurement (``{"bench", "seconds", "naive_seconds", "ratio", ...}``, ratio = naive / fast).

* ``optuna_50_trials_33k`` — 50 Optuna trials (TPE + median pruning, early stopping) on the
  33,000 claims of 2024 split as :func:`core.training.train` does (train / validation by
  date). Naive reference: the same 50-trial search without pruning (every trial runs to
  early stopping). Target: <= 90 s on 2 cores.
* ``optuna_50_trials_33k_2threads`` — the same search with two XGBoost threads (the
  default is one): on a machine whose two cores are busy with other work, OpenMP's
  busy-waiting makes two threads several times slower than one; compare the two lines.
* ``xgboost_default_fit_33k`` — context: one untuned ``XGBClassifier()`` fit on the same
  rows, with the validation AUC of both (what the search buys).
* ``train_cli_50_trials`` — ``python -m core train --train claims_2024.xlsx --test
  claims_2025.xlsx --trials 50`` as a user runs it (new process, fresh folder): the whole
  command against its own tuning time (read from the model's metadata). Target: <= 1.5x.
  ``comparison_seconds`` sums the fit times of the five comparison models.
* ``features_transform_50k`` — transform of 50,000 claims (client history over the 2024
  claims plus the batch). Naive reference: ``transform`` called one claim at a time (how
  a naive scoring loop would do it), timed on a sample of rows and extrapolated.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from bench.common import row, timed
from core.config.loading import load_config
from core.model.compare import tune_xgboost
from core.model.features import FeaturePipeline
from core.model.training_data import keyed_frame, labelled_rows, split_frame
from core.synth.generator import generate_claims

TRIALS = 50
NAIVE_SAMPLE = 200


def _data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any]:
    cfg = load_config()
    raw, _ = generate_claims(33_000, seed=42, year=2024)
    frame = keyed_frame(raw, cfg.schema)
    fit, valid, _ = split_frame(labelled_rows(frame, cfg.schema), cfg.schema)
    return frame, fit, valid, cfg


def _bench_optuna(frame: pd.DataFrame, fit: pd.DataFrame, valid: pd.DataFrame, cfg) -> list[dict]:
    pipe = FeaturePipeline.from_schema(cfg.schema)
    x_fit, x_valid = pipe.fit_transform(fit, history=frame), pipe.transform(valid, history=frame)
    y_fit, y_valid = fit["label"].to_numpy(float), valid["label"].to_numpy(float)
    dtrain = xgb.QuantileDMatrix(x_fit, y_fit, nthread=1)
    dvalid = xgb.QuantileDMatrix(x_valid, y_valid, ref=dtrain)
    tuned = tune_xgboost(dtrain, dvalid, trials=TRIALS)  # 1 OpenMP thread (the default)
    naive = tune_xgboost(dtrain, dvalid, trials=TRIALS, prune=False)
    two_threads = tune_xgboost(dtrain, dvalid, trials=TRIALS, nthread=2)
    start = time.perf_counter()
    default = xgb.XGBClassifier(tree_method="hist", n_jobs=2).fit(x_fit, y_fit)
    default_seconds = time.perf_counter() - start
    auc = roc_auc_score(y_valid, tuned.booster.predict(xgb.DMatrix(x_valid)))
    return [
        row(
            "optuna_50_trials_33k",
            tuned.seconds,
            naive.seconds,
            trials=TRIALS,
            pruned=tuned.n_pruned,
            rows_train=len(fit),
            rows_valid=len(valid),
            valid_log_loss=round(tuned.best_valid_log_loss, 5),
            naive_valid_log_loss=round(naive.best_valid_log_loss, 5),
            valid_auc=round(float(auc), 4),
            naive_method="same 50-trial Optuna search without pruning",
            target_seconds=90,
            nthread=1,
        ),
        row(
            "optuna_50_trials_33k_2threads",
            two_threads.seconds,
            trials=TRIALS,
            pruned=two_threads.n_pruned,
            valid_log_loss=round(two_threads.best_valid_log_loss, 5),
            note="same search with nthread=2: slower when the two cores are shared",
        ),
        row(
            "xgboost_default_fit_33k",
            default_seconds,
            valid_auc=round(float(roc_auc_score(y_valid, default.predict_proba(x_valid)[:, 1])), 4),
            tuned_valid_auc=round(float(auc), 4),
            note="context: one untuned XGBClassifier() fit, no search",
        ),
    ]


def _bench_transform(frame: pd.DataFrame, cfg) -> dict:
    pipe = FeaturePipeline.from_schema(cfg.schema).fit(labelled_rows(frame, cfg.schema))
    raw, _ = generate_claims(50_000, seed=7, year=2025, drift=True, labelled=False)
    batch = keyed_frame(raw, cfg.schema)
    seconds, _ = timed(lambda: pipe.transform(batch, history=frame), repeat=3)
    sample = np.random.default_rng(0).choice(len(batch), NAIVE_SAMPLE, replace=False)
    start = time.perf_counter()
    for i in sample:
        pipe.transform(batch.iloc[[i]], history=frame)
    naive = (time.perf_counter() - start) / NAIVE_SAMPLE * len(batch)
    return row(
        "features_transform_50k",
        seconds,
        naive,
        rows=len(batch),
        history_rows=len(frame),
        features=len(pipe.feature_names),
        naive_method=f"transform() one claim at a time, {NAIVE_SAMPLE} claims extrapolated",
        target_seconds=1.0,
    )


def _bench_train_cli() -> dict:
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from core.config.loading import PROJECT_ROOT

    demo = PROJECT_ROOT / "data" / "demo"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WORKBENCH_DATA_DIR": tmp, "WORKBENCH_MODELS_DIR": f"{tmp}/models"}
        command = [sys.executable, "-m", "core", "train", "--train", str(demo / "claims_2024.xlsx"),
                   "--test", str(demo / "claims_2025.xlsx"), "--trials", str(TRIALS)]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"core train failed: {done.stderr.strip()[-500:]}")
        meta = json.loads(next(Path(tmp, "models").glob("*/metadata.json")).read_text())
    tuning = float(meta["tuning"]["seconds"])
    fits = [r.get("fit_seconds") or 0.0 for r in meta.get("comparison", [])]
    return row(
        "train_cli_50_trials",
        seconds,
        tuning_seconds=round(tuning, 2),
        ratio_to_tuning=round(seconds / tuning, 2),
        training_seconds=round(float(meta["training_seconds"]), 2),
        comparison_seconds=round(sum(fits), 2),
        within_target=seconds <= 1.5 * tuning,
        what="python -m core train --trials 50 on the demo data (new process)",
        target="<= 1.5 x its tuning time",
    )


def run() -> list[dict]:
    frame, fit, valid, cfg = _data()
    return [
        *_bench_optuna(frame, fit, valid, cfg),
        _bench_transform(frame, cfg),
        _bench_train_cli(),
    ]


if __name__ == "__main__":
    for line in run():
        print(json.dumps(line, ensure_ascii=False), flush=True)
