"""Tests of the feature pipeline (core/features.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.model.features import FeaturePipeline
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def claims(cfg) -> pd.DataFrame:
    raw, _ = generate_claims(3000, seed=7, year=2024)
    return keyed_frame(raw, cfg.schema)


@pytest.fixture(scope="module")
def fitted(cfg, claims) -> FeaturePipeline:
    return FeaturePipeline.from_schema(cfg.schema).fit(claims)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """A small keyed frame; label as the nullable Int8 of validated batches."""
    frame = pd.DataFrame(rows)
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"])
    if "label" in frame:
        frame["label"] = frame["label"].astype("Int8")
    return frame


def _hierarchy_frame() -> pd.DataFrame:
    """Family F: category C1 (sub S1 x 60, 50 % justified; sub RARE x 10, all justified),
    category C2 (sub S2 x 60, 0 % justified)."""
    rows = [
        {"family": "F", "category": "C1", "subcategory": "S1", "label": i % 2} for i in range(60)
    ]
    rows += [{"family": "F", "category": "C1", "subcategory": "RARE", "label": 1}] * 10
    rows += [{"family": "F", "category": "C2", "subcategory": "S2", "label": 0}] * 60
    return _frame(rows)


def _hierarchy_pipeline(**params) -> FeaturePipeline:
    columns = {r: r for r in ("family", "category", "subcategory", "label")}
    return FeaturePipeline(columns, **params)


def test_out_of_fold_encoding_differs_from_in_sample(fitted, claims):
    oof = FeaturePipeline.from_schema(load_config().schema).fit_transform(claims)
    in_sample = fitted.transform(claims)
    assert not np.allclose(oof["rate_subcategory"], in_sample["rate_subcategory"])
    # Non-target features are the same either way.
    pd.testing.assert_series_equal(oof["log_amount"], in_sample["log_amount"])
    # Out of fold, the encodings stay close to the in-sample ones on average.
    assert abs(oof["rate_subcategory"].mean() - in_sample["rate_subcategory"].mean()) < 0.02


def test_out_of_fold_never_uses_the_rows_own_label():
    frame = _hierarchy_frame()
    pipe = _hierarchy_pipeline(smoothing=0.0, min_count=1, n_folds=len(frame))
    oof = pipe.fit_transform(frame)
    s1 = (frame["subcategory"] == "S1").to_numpy()
    # Leave-one-out on S1 (30 of 60 justified): a justified row sees 29/59, the others 30/59.
    justified = frame["label"].to_numpy(dtype=float) == 1
    assert np.allclose(oof.loc[s1 & justified, "rate_subcategory"], 29 / 59)
    assert np.allclose(oof.loc[s1 & ~justified, "rate_subcategory"], 30 / 59)


def test_rare_level_backs_off_to_its_parent():
    frame = _hierarchy_frame()
    pipe = _hierarchy_pipeline(smoothing=20.0, min_count=30).fit(frame)
    out = pipe.transform(frame)
    rare = (frame["subcategory"] == "RARE").to_numpy()
    # RARE has 10 cases (< 30): its rate is its category's, not its own 100 %.
    assert np.allclose(out.loc[rare, "rate_subcategory"], out.loc[rare, "rate_category"])
    assert "F\x1fC1\x1fRARE" not in pipe.rates_["subcategory"]
    # S1 has 60 cases: smoothed between its own rate (0.5) and C1's.
    c1 = pipe.rates_["category"]["F\x1fC1"]
    expected = (30 + 20.0 * c1) / (60 + 20.0)
    assert pipe.rates_["subcategory"]["F\x1fC1\x1fS1"] == pytest.approx(expected)


def test_unknown_levels_fall_back_to_parent_then_global():
    pipe = _hierarchy_pipeline().fit(_hierarchy_frame())
    new = _frame(
        [
            {"family": "F", "category": "C2", "subcategory": "NEW"},
            {"family": "F", "category": "NEWCAT", "subcategory": "S1"},
            {"family": "NEWFAM", "category": "C1", "subcategory": "S1"},
            {"family": None, "category": None, "subcategory": None},
        ]
    )
    out = pipe.transform(new)
    assert out.loc[0, "rate_subcategory"] == pytest.approx(pipe.rates_["category"]["F\x1fC2"])
    # Same names under another parent are other levels: S1 under NEWCAT is unknown.
    assert out.loc[1, "rate_subcategory"] == pytest.approx(pipe.rates_["family"]["F"])
    assert out.loc[2, "rate_subcategory"] == pytest.approx(pipe.global_rate_)
    assert out.loc[3, "rate_family"] == pytest.approx(pipe.global_rate_)
    assert (out.loc[:, "freq_subcategory"] == 0).all()


def test_unknown_segment_gets_the_unknown_code_and_global_rate(fitted, claims):
    frame = claims.head(3).copy()
    frame["segment"] = ["Inconnu", None, claims["segment"].iloc[0]]
    out = fitted.transform(frame)
    assert out["segment_code"].tolist()[:2] == [0.0, 0.0]
    assert out["segment_code"].iloc[2] >= 1
    assert out["rate_segment"].iloc[0] == pytest.approx(fitted.global_rate_)


def _history_claims() -> pd.DataFrame:
    return _frame(
        [
            {"id": "A", "client_id": "c1", "date": "2024-03-01", "label": 1},
            {"id": "B", "client_id": "c1", "date": "2024-03-01", "label": 1},
            {"id": "C", "client_id": "c1", "date": "2024-03-05", "label": 0},
            {"id": "D", "client_id": "c1", "date": "2024-04-01", "label": 1},
            {"id": "E", "client_id": "c2", "date": "2024-03-01", "label": 1},
        ]
    )


def _history_pipeline(with_id: bool = True) -> FeaturePipeline:
    roles = ["client_id", "date", "label", *(["id"] if with_id else [])]
    return FeaturePipeline({r: r for r in roles}).fit(_history_claims())


def test_client_history_counts_strictly_earlier_claims_only():
    frame = _history_claims()
    out = _history_pipeline().transform(frame)
    # Same date: the lower ID comes first, and a claim never counts itself.
    assert out["prior_claims_year"].tolist() == [0, 1, 2, 3, 0]
    assert out["prior_justified_year"].tolist() == [0, 1, 2, 2, 0]
    assert out["days_since_prior_claim"].tolist()[1:4] == [0, 4, 27]
    # The input order does not matter.
    shuffled = frame.sample(frac=1.0, random_state=3)
    again = _history_pipeline().transform(shuffled)
    pd.testing.assert_frame_equal(again.sort_index(), out)


def test_client_history_without_ids_ignores_same_day_claims():
    frame = _history_claims().drop(columns="id")
    out = _history_pipeline(with_id=False).transform(frame)
    assert out["prior_claims_year"].tolist() == [0, 0, 2, 3, 0]
    assert out["prior_justified_year"].tolist() == [0, 0, 2, 2, 0]
    assert out["days_since_prior_claim"].iloc[2] == 4


def test_client_history_uses_stored_history_without_double_counting():
    pipe = _history_pipeline()
    history = _frame(
        [
            {"id": "OLD", "client_id": "c1", "date": "2023-12-30", "label": 1},
            {"id": "A", "client_id": "c1", "date": "2024-03-01", "label": 1},  # same claim
        ]
    )
    batch = _history_claims().iloc[[0, 1]].assign(label=pd.array([pd.NA, pd.NA], dtype="Int8"))
    out = pipe.transform(batch, history=history)
    assert out["prior_claims_total"].tolist() == [1, 2]  # OLD (+ A for B), A not twice
    assert out["prior_claims_year"].tolist() == [0, 1]  # 2023 is another calendar year
    assert out["prior_justified_year"].tolist() == [0, 0]  # A's label is unknown here


def test_client_history_without_ids_drops_stored_copies_of_the_batch():
    pipe = _history_pipeline(with_id=False)
    stored = _history_claims().drop(columns="id")  # the batch, already stored with labels
    batch = stored.assign(label=pd.array([pd.NA] * len(stored), dtype="Int8"))
    out = pipe.transform(batch, history=stored)
    assert out["prior_claims_year"].tolist() == [0, 0, 2, 3, 0]  # each claim counted once
    assert out["prior_justified_year"].tolist() == [0, 0, 0, 0, 0]  # the batch's labels


def test_features_of_absent_roles_are_not_built():
    cfg = load_config("cfpb")
    frame = _frame(
        [
            {
                "id": str(i),
                "date": "2014-10-01",
                "family": "Mortgage" if i % 2 else "Credit card",
                "category": "Issue",
                "subcategory": None,
                "sub_product": "x",
                "state": "CA",
                "channel": "Web",
                "company": "Bank",
                "label": i % 3 == 0,
            }
            for i in range(100)
        ]
    )
    pipe = FeaturePipeline.from_schema(cfg.schema).fit(frame)
    names = pipe.feature_names
    for absent in ("amount", "pnb", "prior_claims", "delay", "tenure", "segment"):
        assert not any(absent in n for n in names), absent
    for extra in ("sub_product", "state", "channel", "company"):
        assert f"rate_{extra}" in names and f"freq_{extra}" in names
    assert set(pipe.feature_table()["name"]) == set(names)


def test_feature_table_documents_every_feature(fitted):
    table = fitted.feature_table()
    assert table["name"].tolist() == fitted.feature_names
    assert table["description"].str.len().min() > 10
    assert table["sources"].str.len().min() > 0
    assert "prior_claims_year" in fitted.feature_names
    assert "amount_dev_subcategory" in fitted.feature_names


def test_json_round_trip_gives_identical_transform(fitted, claims):
    text = json.dumps(fitted.to_dict())
    again = FeaturePipeline.from_dict(json.loads(text))
    pd.testing.assert_frame_equal(again.transform(claims), fitted.transform(claims))
    assert again.feature_table().equals(fitted.feature_table())
