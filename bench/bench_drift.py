"""Drift: time of ``compute_drift`` and what it flags, next to Evidently's p-value tests.

Lines printed (one JSON object each):

* ``evidently_import`` — importing Evidently in a fresh interpreter (paid once per process,
  by the first drift computation).
* ``drift_8k_vs_5k`` — the demo 2025 batch (8,000 drifted claims) against a 5,000-row 2024
  reference: time, alert level, drifted columns with their scores.
* ``drift_50k_same_distribution`` — a 50,000-claim batch drawn from the 2024 distribution
  against the reference: our per-column distances against the naive way measured in the same
  run, Evidently's ``DataDriftPreset`` with p-value tests (KS for numbers, chi-square for
  categories); ``flagged`` / ``naive_flagged`` list the columns each calls drifted. Evidently's
  automatic choice (distances at default thresholds, no transforms) is listed as ``auto``.
* ``drift_50k_2025`` — the same comparison on a 50,000-claim drifted batch.
* ``false_alerts_20x200`` / ``false_alerts_20x2000`` — 20 batches of 200 / 2,000 claims of the
  2024 distribution (20 seeds): how many raise an orange or red alert, with the thresholds
  sized to the batch.
* ``snapshot_roundtrip`` — the full Evidently report, built when a user first opens it
  (``build_snapshot``): build time, ``Snapshot.dumps`` size, store + reload (new connection) +
  ``Snapshot.loads`` + HTML rendering.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from bench.common import row, timed
from core.config.drift import is_drifted
from core.config.loading import PROJECT_ROOT, load_config
from core.config.settings import Config
from core.drift.compute import build_snapshot, compute_drift
from core.drift.report import DriftReport, render_html
from core.drift.storage import load_drift_reports, save_drift_report
from core.store.database import Store
from core.synth.generator import generate_claims
from tests.helpers import ADMIN

REFERENCE_ROWS = 5_000
BIG = 50_000


def run() -> list[dict]:
    cfg = load_config()
    reference = _keyed(generate_claims(REFERENCE_ROWS, seed=11, year=2024)[0], cfg)
    rows = [_import_time()]
    drifted = _keyed(generate_claims(8_000, seed=42, year=2025, drift=True)[0], cfg)
    seconds, report = timed(lambda: compute_drift(drifted, reference, cfg), repeat=3)
    rows.append(row("drift_8k_vs_5k", seconds, **_outcome(report)))
    for name, year in (("drift_50k_same_distribution", 2024), ("drift_50k_2025", 2025)):
        batch = _keyed(generate_claims(BIG, seed=3, year=year, drift=year == 2025)[0], cfg)
        rows.append(_versus_naive(name, batch, reference, cfg))
    rows.append(_false_alerts(reference, cfg, 200))
    rows.append(_false_alerts(reference, cfg, 2_000))
    rows.append(_roundtrip(report, drifted, reference, cfg))
    return rows


def _keyed(frame: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    return frame.rename(columns={c.name: c.key for c in cfg.schema.columns})


def _import_time() -> dict:
    code = "import evidently.presets, evidently.metrics"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)
    return row("evidently_import", time.perf_counter() - start)


def _outcome(report: DriftReport) -> dict[str, Any]:
    return {
        "alert": report.alert_level,
        "drifted": {c.column: round(c.score, 4) for c in report.features if c.drifted},
        "scores": {c.column: round(c.score, 4) for c in report.columns},
    }


def _naive(batch: pd.DataFrame, reference: pd.DataFrame, cfg: Config, **methods: str) -> dict:
    """Evidently's DataDriftPreset on the raw columns: {column: (method, score, drifted)}."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    numeric = [c.key for c in cfg.schema.columns if c.type in ("amount", "number")]
    categorical = [c.key for c in cfg.schema.columns if c.type == "category"]
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    columns = numeric + categorical
    snapshot = Report([DataDriftPreset(columns=columns, **methods)]).run(
        Dataset.from_pandas(batch[columns], data_definition=definition),
        Dataset.from_pandas(reference[columns], data_definition=definition),
    )
    out = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if str(config.get("type", "")).endswith("ValueDrift"):
            score = float(metric["value"])
            method, threshold = config["method"], config["threshold"]
            out[config["column"]] = (method, score, is_drifted(method, score, threshold))
    return out


def _versus_naive(name: str, batch: pd.DataFrame, reference: pd.DataFrame, cfg: Config) -> dict:
    seconds, report = timed(lambda: compute_drift(batch, reference, cfg), repeat=2)
    pvalues = {"num_method": "ks", "cat_method": "chisquare"}
    naive_seconds, naive = timed(lambda: _naive(batch, reference, cfg, **pvalues), repeat=2)
    auto = _naive(batch, reference, cfg)
    return row(
        name,
        seconds,
        naive_seconds,
        rows=len(batch),
        alert=report.alert_level,
        flagged=list(report.drifted_columns),
        naive_flagged=[k for k, (_, _, drifted) in naive.items() if drifted],
        naive_pvalues={k: float(f"{score:.3g}") for k, (_, score, _) in naive.items()},
        auto_flagged=[k for k, (_, _, drifted) in auto.items() if drifted],
        scores={c.column: round(c.score, 4) for c in report.columns},
    )


def _false_alerts(reference: pd.DataFrame, cfg: Config, size: int) -> dict:
    start, alerts, worst = time.perf_counter(), [], {}
    for seed in range(1000, 1020):
        batch = _keyed(generate_claims(size, seed=seed, year=2024)[0], cfg)
        report = compute_drift(batch, reference, cfg, batch_id=seed)
        if report.alert_level != "green":
            alerts.append({"seed": seed, "columns": list(report.drifted_columns)})
        for c in report.features:  # highest score of each column, against its threshold
            worst[c.column] = max(worst.get(c.column, 0.0), round(c.score, 4))
    seconds = time.perf_counter() - start
    thresholds = {c.column: c.threshold for c in report.features}
    return row(
        f"false_alerts_20x{size}",
        seconds,
        false_alerts=len(alerts),
        alerts=alerts,
        max_score_vs_threshold={k: [v, thresholds[k]] for k, v in worst.items()},
    )


def _roundtrip(
    report: DriftReport, batch: pd.DataFrame, reference: pd.DataFrame, cfg: Config
) -> dict:
    built_at = time.perf_counter()
    report = replace(report, snapshot_json=build_snapshot(batch, reference, cfg, report))
    built = time.perf_counter() - built_at
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "drift.duckdb"
        start = time.perf_counter()
        with Store(path) as store:
            save_drift_report(store, report, actor=ADMIN)
        saved = time.perf_counter() - start
        with Store(path) as store:
            [loaded] = load_drift_reports(store)
        loaded_at = time.perf_counter()
        html = render_html(loaded)
        rendered = time.perf_counter() - loaded_at
    return row(
        "snapshot_roundtrip",
        time.perf_counter() - start,
        build_seconds=round(built, 3),
        snapshot_kb=round(len(report.snapshot_json) / 1024),
        save_seconds=round(saved, 4),
        loads_and_html_seconds=round(rendered, 4),
        html_kb=round(len(html) / 1024),
    )


if __name__ == "__main__":
    for line in run():
        print(json.dumps(line, ensure_ascii=False), flush=True)
