"""Tests of training (core/training.py, core/model_compare.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.config.loading import load_config
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.thresholds import choose_cost_minimum
from core.exceptions import TrainingError
from core.ingest.pipeline import validate_file
from core.model.baselines import BASELINES
from core.model.compare import CANDIDATES
from core.model.training import TrainingResult, train
from core.model.training_data import keyed_frame, labelled_rows, split_frame
from core.synth.generator import generate_claims
from tests.helpers import CFPB_FILE


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    raw, _ = generate_claims(3000, seed=3, year=2024)
    return keyed_frame(raw, load_config().schema)


def test_small_sample_runs_end_to_end_with_comparison(claims):
    steps: list[tuple[str, float]] = []
    result = train(
        claims,
        None,
        load_config(),
        trials=3,
        compare=True,
        progress=lambda step, fraction: steps.append((step, fraction)),
        training_sha256="abc",
    )
    assert isinstance(result, TrainingResult)
    assert result.split == "time"
    assert result.n_train + result.n_valid + result.n_test == len(claims)
    families = {f"family_{f}" for f in ("xgboost", "linear", "blend")}
    expected = set(CANDIDATES) | families | set(BASELINES)
    assert expected == set(result.comparison["model"])
    compared = result.comparison[result.comparison["model"].isin(CANDIDATES)]
    for column in ("test_auc", "test_log_loss", "test_net_gain", "fit_seconds", "low", "high"):
        assert compared[column].notna().all(), column
    assert result.comparison["test_auc"].notna().all()
    chosen = result.comparison[result.comparison["chosen"].astype(bool)]
    assert list(chosen["model"]) == [f"family_{result.model.family}"]
    for key in ("auc", "log_loss", "brier", "ece", "reliability_curve", "net_gain", "thresholds"):
        assert key in result.metrics, key
    assert 0.7 < result.metrics["auc"] < 0.95
    assert result.leakage.ok
    meta = result.model.metadata
    assert meta["training_sha256"] == "abc"
    assert meta["selection"] == "time-cv" and meta["tuning"] is None  # a small labelled set
    assert len(meta["comparison"]) == len(result.comparison)
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_time_split_puts_later_dates_in_test(claims):
    early, late, kind = split_frame(claims, load_config().schema)
    assert kind == "time"
    assert early["date"].max() < late["date"].min()
    assert len(late) == pytest.approx(0.2 * len(claims), rel=0.1)


def test_stratified_split_without_a_date(claims):
    cfg = load_config()
    schema = dataclasses.replace(
        cfg.schema, columns=tuple(c for c in cfg.schema.columns if c.role != "date")
    )
    frame = claims.drop(columns="date")
    _early, late, kind = split_frame(frame, schema, seed=1)
    assert kind == "stratified"
    assert late["label"].mean() == pytest.approx(frame["label"].mean(), abs=0.01)
    result = train(frame, None, dataclasses.replace(cfg, schema=schema), trials=1, compare=False)
    assert result.split == "stratified"
    assert not any(name.startswith("prior_") for name in result.model.feature_names)


def test_unlabelled_and_excluded_rows_are_not_trained_on(claims):
    frame = claims.copy()
    frame.loc[frame.index[:300], "label"] = pd.NA
    frame.loc[frame.index[300:400], "label_excluded"] = True
    kept = labelled_rows(frame, load_config().schema)
    assert len(kept) == len(frame) - 400
    result = train(frame, None, load_config(), trials=1, compare=False)
    assert result.n_train + result.n_valid + result.n_test == len(frame) - 400


def test_too_little_data_is_a_training_error(claims):
    with pytest.raises(TrainingError, match="Not enough"):
        train(claims.head(30), None, load_config(), trials=1, compare=False)


@pytest.mark.skipif(not CFPB_FILE.is_file(), reason="CFPB extract not available")
def test_cfpb_profile_through_ingest():
    cfg = load_config("cfpb")
    frame = validate_file(CFPB_FILE.read_bytes(), cfg, file_name=CFPB_FILE.name).frame
    result = train(frame, None, cfg, trials=5, compare=True)
    assert result.split == "time"
    names = result.model.feature_names
    assert not any(k in n for n in names for k in ("amount", "pnb", "prior_"))
    assert {"rate_company", "freq_state"} <= set(names)
    # An honest, modest score; near-perfect would mean a leak.
    assert 0.6 < result.metrics["auc"] < 0.95
    assert result.leakage.ok


@pytest.mark.slow
def test_demo_quality(demo_dir: Path):
    """Demo data: close to the true probabilities on AUC, calibrated, and cost-efficient."""
    cfg = load_config()
    frames = [
        validate_file((demo_dir / f"{s}.csv").read_bytes(), cfg, file_name=f"{s}.csv").frame
        for s in ("claims_2024", "claims_2025")
    ]
    truth = pd.read_csv(demo_dir / "claims_2025.truth.csv", dtype={"ID Réclamation": str})
    p_true = frames[1]["id"].map(truth.set_index("ID Réclamation")["p_true"]).to_numpy()
    result = train(frames[0], frames[1], cfg, trials=15, compare=False)
    y = frames[1]["label"].to_numpy(dtype=int)
    assert roc_auc_score(y, p_true) - result.metrics["auc"] <= 0.015
    assert result.metrics["ece"] <= 0.03
    surface = CostSurface(p_true, frames[1]["amount"], y, costs=CostModel.from_config(cfg.costs))
    best_true = choose_cost_minimum(surface, grid=None).realised_net_gain
    assert result.metrics["net_gain"] >= 0.9 * best_true
    assert np.isfinite(result.metrics["log_loss"])
