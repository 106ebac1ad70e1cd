"""Tests of the model artefact (core/model.py): save / load round trip, no pickle."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.model.trained import FILES, TrainedModel
from core.model.training import train
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    schema = load_config().schema
    train_raw, _ = generate_claims(3000, seed=5, year=2024)
    new_raw, _ = generate_claims(500, seed=5, year=2025, drift=True, labelled=False)
    return keyed_frame(train_raw, schema), keyed_frame(new_raw, schema)


@pytest.fixture(scope="module")
def model(frames) -> TrainedModel:
    return train(frames[0], None, load_config(), trials=2, compare=False).model


def test_save_writes_the_documented_files_and_no_pickle(model, tmp_path: Path):
    written = model.save(tmp_path / "v1")
    names = [p.name for p in written]
    assert set(names) <= set(FILES) and "family.json" in names
    assert ("model.ubj" in names) == (model.family in ("xgboost", "blend"))
    assert ("linear.json" in names) == (model.family in ("linear", "blend"))
    for path in written:
        assert path.is_file() and path.stat().st_size > 0
        assert not path.read_bytes().startswith(b"\x80")  # pickle protocol marker
    meta = json.loads((tmp_path / "v1" / "metadata.json").read_text(encoding="utf-8"))
    for key in (
        "metrics",
        "comparison",
        "feature_table",
        "training_sha256",
        "libraries",
        "config_hash",
        "profile",
        "created_at",
        "params",
        "calibration",
        "ece",
        "reliability_curve",
        "leakage",
        "thresholds",
    ):
        assert key in meta, key
    assert meta["libraries"]["xgboost"]


def test_load_gives_identical_probabilities(model, frames, tmp_path: Path):
    model.save(tmp_path / "v1")
    loaded = TrainedModel.load(tmp_path / "v1")
    batch, history = frames[1], frames[0]
    np.testing.assert_array_equal(
        loaded.predict_proba(batch, history), model.predict_proba(batch, history)
    )
    np.testing.assert_array_equal(loaded.margin(batch), model.margin(batch))
    assert loaded.feature_names == model.feature_names
    assert loaded.calibrator == model.calibrator
    pd.testing.assert_frame_equal(loaded.reference, model.reference)


def test_predictions_are_probabilities_in_row_order(model, frames):
    batch = frames[1]
    p = model.predict_proba(batch)
    assert p.shape == (len(batch),)
    assert np.all((p > 0) & (p < 1))
    reversed_batch = batch.iloc[::-1]
    np.testing.assert_allclose(model.predict_proba(reversed_batch), p[::-1])
    assert model.predict_proba(batch.iloc[:0]).shape == (0,)


def test_transform_and_margin_agree_with_the_booster(model, frames):
    batch = frames[1]
    features = model.transform(batch)
    assert list(features.columns) == model.feature_names
    assert model.booster.feature_names == model.feature_names
    margin = model.margin(batch)
    np.testing.assert_allclose(model.calibrator.predict(margin), model.predict_proba(batch))


def test_reference_sample_holds_training_rows_and_probabilities(model):
    ref = model.reference
    assert ref is not None and 0 < len(ref) <= 5000
    assert {"amount", "family", "label", "probability"} <= set(ref.columns)
    assert ref["probability"].between(0, 1).all()


def test_test_set_predictions_travel_with_the_model(tmp_path):
    """The model keeps its test set's probabilities and labels for threshold tuning."""
    from core.config.loading import load_config
    from tests.helpers import train_tiny_model

    model = train_tiny_model(load_config(), n=900)[0]
    assert model.evaluation is not None
    assert {"probability", "label", "amount"} <= set(model.evaluation.columns)
    assert model.evaluation["probability"].between(0, 1).all()
    written = model.save(tmp_path / "m")
    assert (tmp_path / "m" / "evaluation.parquet") in written
    again = type(model).load(tmp_path / "m")
    pd.testing.assert_frame_equal(again.evaluation, model.evaluation)
