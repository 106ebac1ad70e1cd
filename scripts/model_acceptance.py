"""Issue 10's acceptance measurements, one JSON line each: ``python scripts/model_acceptance.py``.

* ``demo`` — train on the demo 2024 claims, test on 2025 (the generator's own files, seed
  42): AUC gap to the generator's truth, ECE, the realised net gain at the published pair
  against the truth's best pair (the truth's expected-cost minimum on the same claims);
* ``cfpb`` — the public CFPB extract through its profile alone (time split);
* ``cfpb_1000`` — the first 1,000 labelled CFPB claims in date order;
* ``demo_1000`` — 1,000 demo claims (47 sub-categories: most have fewer than 30 cases);

each with the registered model's test AUC beside a one-hot logistic regression and a plain
one-hot XGBoost trained on the same rows, the realised net gain at the published pair on
the test rows with the interval the Thresholds page shows, and the error guarantee at
alpha 5 %, delta 10 %: MAPIE's chooser against the former per-side Clopper-Pearson one,
both calibrated on the first half of the test period (by date) and measured on the second;

* ``label_polarity`` — a profile mapping a Y/N label column without its own lists: flagged
  at ingest (values shown unmapped) and refused by training.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config.loading import load_config
from core.config.settings import Config
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap
from core.decide.guarantee import choose_guarantee, choose_guarantee_per_side
from core.decide.thresholds import choose_cost_minimum
from core.exceptions import TrainingError
from core.ingest.pipeline import validate_file
from core.model.training import TrainingResult, train
from core.model.training_data import keyed_frame, labelled_rows
from core.synth.generator import generate_claims

CFPB_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cfpb_complaints_2014.csv"
ALPHA, DELTA, TRIALS = 0.05, 0.10, 20


def _emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False, default=float), flush=True)


def _r(x: float | None, d: int = 4) -> float | None:
    return None if x is None else round(float(x), d)


def _guarantee(result: TrainingResult, test: pd.DataFrame, cfg: Config) -> dict:
    """Both choosers calibrated on the first half of the test period, measured on the rest."""
    ev = result.model.evaluation
    date = cfg.schema.by_role("date")
    order = np.argsort(pd.to_datetime(test[date.key]).to_numpy(), kind="stable")
    half = len(order) // 2
    cal, held = order[:half], order[half:]
    p, y = ev["probability"].to_numpy(), ev["label"].to_numpy()
    out = {}
    for name, chooser in (("mapie", choose_guarantee), ("per_side", choose_guarantee_per_side)):
        choice = chooser(p[cal], y[cal], epsilon=ALPHA, delta=DELTA)
        ph, yh = p[held], y[held]
        validate = (ph >= choice.high) & (choice.high < 1.0)
        auto = validate | (ph < choice.low)
        wrong = (validate & (yh == 0)) | ((ph < choice.low) & (yh == 1))
        out[name] = {
            "low": _r(choice.low), "high": _r(choice.high),
            "automation": _r(auto.mean()), "error_among_automatic": _r(
                wrong.sum() / auto.sum() if auto.any() else 0.0),
            "n_calibration": int(half), "n_measured": len(held),
        }  # fmt: skip
    return out


def _report(name: str, result: TrainingResult, test: pd.DataFrame, cfg: Config, **extra) -> None:
    comp = result.comparison.set_index("model")
    m = result.metrics
    base_lr = comp.loc["baseline_onehot_logistic", "test_auc"]
    base_xgb = comp.loc["baseline_onehot_xgboost", "test_auc"]
    interval = m["net_gain_interval"]
    _emit({
        "check": name, "rows": {"train": result.n_train, "valid": result.n_valid,
                                "test": result.n_test},
        "selection": m["selection"], "family": m["family"], "test_auc": _r(m["auc"]),
        "baseline_onehot_logistic_auc": _r(base_lr), "baseline_onehot_xgboost_auc": _r(base_xgb),
        "auc_criterion_met": bool(m["auc"] >= max(base_lr, base_xgb)),
        "families_test_auc": {k.removeprefix("family_"): _r(v) for k, v in
                              comp["test_auc"].items() if k.startswith("family_")},
        "ece": _r(m["ece"]), "pair": [_r(m["thresholds"]["low"]), _r(m["thresholds"]["high"])],
        "valid_gain_lower_bound": _r(m["valid_net_gain_lower"], 0),
        "test_net_gain": _r(m["net_gain"], 0),
        "test_gain_interval_90": [_r(interval["lower"], 0), _r(interval["upper"], 0)],
        "test_net_gain_at_least_audit_all": bool(m["net_gain"] >= 0),
        "automation_rate": _r(m["automation_rate"]), "cost_audit_all": _r(m["cost_audit_all"], 0),
        "guarantee_alpha5_delta10": _guarantee(result, test, cfg),
        "seconds": _r(result.seconds, 1), **extra,
    })  # fmt: skip


def demo() -> None:
    cfg = load_config()
    train_raw, _ = generate_claims(33_000, seed=42, year=2024)
    test_raw, p_true = generate_claims(8_000, seed=42, year=2025, drift=True)
    train_frame, test = keyed_frame(train_raw, cfg.schema), keyed_frame(test_raw, cfg.schema)
    result = train(train_frame, test, cfg, trials=TRIALS)
    y = test["label"].to_numpy(float)
    costs = CostModel.from_config(cfg.costs)
    amount = test["amount"].to_numpy(float)
    truth = CostSurface(p_true, amount, y, costs=costs)
    truth_pair = choose_cost_minimum(truth, grid=None, realised=False)
    truth_gain = truth.evaluate(truth_pair.low, truth_pair.high).realised_net_gain
    truth_auc = roc_auc_score(y, p_true)
    m = result.metrics
    _report(
        "demo", result, test, cfg, truth_auc=_r(truth_auc),
        auc_gap_to_truth=_r(truth_auc - m["auc"]), truth_pair_net_gain=_r(truth_gain, 0),
        net_gain_share_of_truth=_r(m["net_gain"] / truth_gain),
        criteria={"auc_gap<=0.015": bool(truth_auc - m["auc"] <= 0.015),
                  "ece<=0.03": bool(m["ece"] <= 0.03),
                  "gain>=90%truth": bool(m["net_gain"] >= 0.9 * truth_gain)},
    )  # fmt: skip


def demo_small() -> None:
    cfg = load_config()
    raw, _ = generate_claims(1_000, seed=7, year=2024)
    frame = keyed_frame(raw, cfg.schema)
    counts = frame["subcategory"].value_counts()
    result = train(frame, None, cfg, trials=TRIALS)
    test = _test_rows(frame, result, cfg)
    _report("demo_1000", result, test, cfg, subcategories=len(counts),
            subcategories_under_30_cases=int((counts < 30).sum()))  # fmt: skip


def _test_rows(frame: pd.DataFrame, result: TrainingResult, cfg: Config) -> pd.DataFrame:
    """The test part of an internal split: the latest ``n_test`` labelled rows by date."""
    rows = labelled_rows(frame, cfg.schema)
    date = cfg.schema.by_role("date").key
    return rows.sort_values(date, kind="stable").iloc[-result.n_test :]


def cfpb(limit: int | None = None) -> None:
    cfg = load_config("cfpb")
    frame = validate_file(CFPB_FILE, cfg).frame
    if limit is not None:
        frame = labelled_rows(frame, cfg.schema).sort_values(["date", "id"]).iloc[:limit]
    result = train(frame, None, cfg, trials=TRIALS)
    name = "cfpb" if limit is None else f"cfpb_{limit}"
    _report(name, result, _test_rows(frame, result, cfg), cfg)


def label_polarity() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = pd.DataFrame({
            "Ref": [f"R{i}" for i in range(200)],
            "Product": ["A", "B"] * 100,
            "Resolved": ["Y", "N", "N", "N"] * 50,
        })  # fmt: skip
        path = Path(tmp) / "claims.csv"
        data.to_csv(path, index=False)
        profile = Path(tmp) / "yn.yaml"
        profile.write_text(
            "schema:\n  columns:\n"
            "    - {role: id, name: Ref, type: id}\n"
            "    - {role: family, name: Product, type: category, required: true}\n"
            "    - {role: label, name: Resolved, type: label}\n",
            encoding="utf-8",
        )
        cfg = load_config(str(profile))
        batch = validate_file(path, cfg)
        try:
            train(batch.frame, None, cfg, trials=1, compare=False)
            refused = ""
        except TrainingError as exc:
            refused = str(exc)
    _emit({"check": "label_polarity", "declared": cfg.schema.label.declared,
           "ingest_notes": batch.report.notes("en"),
           "ingest_warnings": [i.message_en for i in batch.report.warnings],
           "train_refused": bool(refused), "train_message": refused})  # fmt: skip


def interval_demo() -> None:
    """What the Thresholds page computes per slider move (GainBootstrap.interval)."""
    rng = np.random.default_rng(0)
    p = rng.beta(0.6, 0.6, 100_000)
    y = (rng.random(p.size) < p).astype(float)
    start = time.perf_counter()
    boot = GainBootstrap(p, y, rng.lognormal(7, 1, p.size), costs=CostModel(), resamples=200)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    for low in np.linspace(0, 0.5, 50):
        boot.interval(low, 0.9)
    _emit({"check": "gain_interval_speed_100k", "fit_seconds": _r(fit, 3),
           "per_query_ms": _r((time.perf_counter() - start) / 50 * 1000, 3)})  # fmt: skip


CHECKS = {
    "demo": demo,
    "cfpb": cfpb,
    "cfpb_1000": lambda: cfpb(1000),
    "demo_1000": demo_small,
    "label_polarity": label_polarity,
    "interval": interval_demo,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(CHECKS):
        CHECKS[name]()
