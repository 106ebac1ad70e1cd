"""Registrable families (XGBoost, linear, blend): exact explanations, storage without pickle,
evidence-based choice, time-ordered folds, rare levels kept by the encodings."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.decide.gain_bounds import GainInterval
from core.explain.explainer import explain_claim, shap_values
from core.model.calibration import CalibrationChoice, Calibrator
from core.model.families import time_blocks
from core.model.features import FeaturePipeline
from core.model.linear import LinearModel
from core.model.selection import CandidateScore, choose
from core.model.target_encoding import eb_smoothing
from core.model.trained import TrainedModel
from core.model.training import train
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims

CFG = load_config()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    raw, _ = generate_claims(1500, seed=11, year=2024)
    return keyed_frame(raw, CFG.schema)


@pytest.fixture(scope="module")
def result(frame):
    return train(frame, None, CFG, trials=1, compare=False)


def _family(model: TrainedModel, family: str) -> TrainedModel:
    """The same fitted parts, assembled as another family (both parts are always fitted)."""
    return dataclasses.replace(model, booster=model.booster, linear=model.linear, weight=0.5) \
        if family == "blend" else model  # fmt: skip


def test_linear_contributions_are_exact_and_json_round_trips(frame):
    pipe = FeaturePipeline.from_schema(CFG.schema)
    x = pipe.fit_transform(frame, history=frame)
    y = frame["label"].to_numpy(float)
    linear = LinearModel.fit(x, y, 0.3)
    phi = linear.contributions(x, list(x.columns))
    np.testing.assert_allclose(phi.sum(axis=1), linear.margin(x), atol=1e-9)
    assert not any(n.endswith("_code") for n in linear.feature_names)
    again = LinearModel.from_dict(linear.to_dict())
    np.testing.assert_array_equal(again.margin(x), linear.margin(x))


@pytest.mark.parametrize("family", ["xgboost", "linear", "blend"])
def test_every_family_is_saved_without_pickle_and_explained_exactly(
    result, frame, family, tmp_path: Path
):
    base = result.model
    pipe = base.features
    x = pipe.transform(frame.head(300), history=frame)
    booster = None
    if family != "linear":
        import xgboost as xgb

        booster = xgb.train({"max_depth": 3, "nthread": 1}, xgb.DMatrix(x, frame["label"]
                            .head(300).to_numpy(float)), 20)  # fmt: skip
    linear = LinearModel.fit(x, frame["label"].head(300).to_numpy(float)) \
        if family != "xgboost" else None  # fmt: skip
    model = TrainedModel(pipe, booster, Calibrator("sigmoid", a=0.9, b=0.1), linear=linear,
                         weight=0.4)  # fmt: skip
    assert model.family == family
    written = model.save(tmp_path / family)
    assert all(not p.read_bytes().startswith(b"\x80") for p in written)
    loaded = TrainedModel.load(tmp_path / family)
    assert loaded.family == family
    np.testing.assert_allclose(loaded.margin_of_features(x), model.margin_of_features(x))
    contribs, margins = shap_values(loaded, x)
    np.testing.assert_allclose(contribs.sum(axis=1), margins, rtol=1e-4, atol=1e-3)
    one = explain_claim(loaded, frame.iloc[[5]], frame, currency="DH")
    total = one.base_probability + sum(c.probability for c in one.contributions)
    assert total == pytest.approx(one.probability, abs=1e-6)


def test_training_registers_a_family_with_its_safe_pair(result):
    meta = result.model.metadata
    assert meta["family"] in ("xgboost", "linear", "blend")
    pair = meta["metrics"]["thresholds"]
    assert pair["source"] == "safe-gain" and 0 <= pair["low"] <= pair["high"] <= 1
    interval = pair["valid_interval"]
    assert interval["lower"] <= interval["net_gain"] <= interval["upper"]
    assert (interval["lower"] > 0) == pair["beats_audit_all"]


def _score(family: str, gain: float, loss: float) -> CandidateScore:
    pair = GainInterval(0.2, 0.8, gain, gain - 10, gain + 10, 0.9, 100, 50)
    return CandidateScore(family, 0.8, loss, CalibrationChoice(Calibrator()), pair, True, 1000.0)


def test_choice_is_the_lowest_log_loss_within_the_gain_tolerance():
    scores = [_score("xgboost", 500, 0.30), _score("linear", 495, 0.25), _score("blend", 400, 0.1)]
    assert choose(scores, tolerance=0.01).family == "linear"  # 495 within 10 of 500
    assert choose(scores, tolerance=0.0).family == "xgboost"
    assert choose(scores, tolerance=0.2).family == "blend"


def test_time_blocks_keep_the_past_before_the_future(frame):
    blocks = time_blocks(frame["date"], len(frame), 4)
    assert len(blocks) == 5 and sum(len(b) for b in blocks) == len(frame)
    dates = pd.to_datetime(frame["date"]).to_numpy()
    for early, late in itertools.pairwise(blocks):
        assert dates[early].max() < dates[late].min()


def test_empirical_bayes_smoothing_follows_the_spread_of_the_levels():
    counts = np.array([200.0, 200.0, 200.0, 200.0])
    parent = np.full(4, 0.5)
    spread = eb_smoothing(np.array([20.0, 60.0, 140.0, 180.0]), counts, parent)
    flat = eb_smoothing(np.array([100.0, 101.0, 99.0, 100.0]), counts, parent)
    assert spread < 5 and flat == 500.0


def test_a_rare_but_telling_level_keeps_its_own_rate():
    rng = np.random.default_rng(0)
    n = 2000
    sub = np.where(np.arange(n) < 22, "rare", rng.choice(["x", "y", "z"], n))
    y = np.where(sub == "rare", rng.random(n) < 0.8, rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({"family": "F", "subcategory": sub, "label": y})
    columns = {"family": "family", "subcategory": "subcategory", "label": "label"}
    old = FeaturePipeline(columns, min_count=30, smoothing=20.0).fit(frame)
    new = FeaturePipeline(columns).fit(frame)
    rare = frame[frame["subcategory"] == "rare"].head(1)
    assert old.transform(rare)["rate_subcategory"].iloc[0] == pytest.approx(y.mean(), abs=0.01)
    assert new.transform(rare)["rate_subcategory"].iloc[0] > y.mean() + 0.08
    onehots = [s for s in new.feature_specs_ if s["name"].startswith("is_subcategory")]
    assert any("rare" in s["description"] for s in onehots)
