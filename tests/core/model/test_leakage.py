"""Tests of the leakage audit (core/leakage.py) and how training enforces it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.config.schema import ColumnSpec
from core.config.settings import Config
from core.exceptions import LeakageError
from core.model.features import FeaturePipeline
from core.model.leakage import (
    LeakageReport,
    audit_training_data,
    column_auc,
    enforce,
    label_function_columns,
)
from core.model.training import train
from core.model.training_data import keyed_frame, labelled_rows
from core.synth.generator import generate_claims


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    raw, _ = generate_claims(2500, seed=11, year=2024)
    return keyed_frame(raw, load_config().schema)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    return frame["label"].to_numpy(dtype=float)


def _with_extra(cfg: Config, key: str, role: str) -> Config:
    kind = "number" if role == "extra_number" else "category"
    extra = ColumnSpec(role=role, name=key.title(), type=kind, key=key)
    schema = dataclasses.replace(cfg.schema, columns=(*cfg.schema.columns, extra))
    return dataclasses.replace(cfg, schema=schema)


def _leaky_columns(frame: pd.DataFrame) -> dict[str, tuple[str, pd.Series]]:
    y = _labels(frame)
    amount = frame["amount"].to_numpy()
    return {
        "copy": ("extra_number", pd.Series(y, index=frame.index)),
        "paid": ("extra_number", pd.Series(np.log1p(y * amount) * 2 + 1, index=frame.index)),
        "verdict": ("extra_category", pd.Series(np.where(y == 1, "Oui", "Non"), index=frame.index)),
    }


def test_clean_demo_data_passes(claims):
    cfg = load_config()
    pipe = FeaturePipeline.from_schema(cfg.schema)
    features = pipe.fit_transform(claims)
    raw = claims[[k for k in cfg.schema.keys if k in claims]]
    report = audit_training_data(raw, _labels(claims), features)
    assert report.ok, report.message()
    assert "amount" in report.columns_checked
    assert "rate_subcategory" in report.features_checked
    assert "label" not in report.columns_checked


@pytest.mark.parametrize("name", ["copy", "paid", "verdict"])
def test_each_leaked_column_is_found(claims, name):
    _role, values = _leaky_columns(claims)[name]
    frame = claims.assign(**{name: values})
    report = audit_training_data(frame, _labels(claims))
    assert name in report.columns, report.findings
    finding = next(f for f in report.findings if f.column == name)
    assert finding.source == "raw"


def test_a_reversed_copy_is_found_too(claims):
    frame = claims.assign(flipped=1 - _labels(claims))
    report = audit_training_data(frame, _labels(claims))
    aucs = [f.auc for f in report.findings if f.kind == "single_column_auc"]
    assert aucs and min(aucs) <= 0.05


def test_label_as_function_of_a_few_levels():
    y = np.array([1, 0, 1, 0, 1, 0] * 20, dtype=float)
    frame = pd.DataFrame(
        {
            "status": np.where(y == 1, "closed-paid", np.where(np.arange(120) % 3, "a", "b")),
            "mixed": ["x", "y", "y", "x", "z", "z"] * 20,
        }
    )
    assert label_function_columns(frame, y) == {"status": 3}


def test_an_id_column_is_not_a_leak(claims):
    assert column_auc(claims["id"], _labels(claims)) == pytest.approx(0.5, abs=0.05)


def test_validation_auc_too_good_is_a_finding():
    report = LeakageReport((), ("a",), ())
    assert report.with_validation_auc(0.87).ok
    flagged = report.with_validation_auc(0.995)
    assert [f.kind for f in flagged.findings] == ["validation_auc"]
    with pytest.raises(LeakageError, match="validation AUC"):
        enforce(flagged, allow_leakage=False)


@pytest.mark.parametrize("name", ["copy", "paid", "verdict"])
def test_training_stops_on_a_leaked_extra_column(claims, name):
    role, values = _leaky_columns(claims)[name]
    cfg = _with_extra(load_config(), name, role)
    with pytest.raises(LeakageError, match=name):
        train(claims.assign(**{name: values}), None, cfg, trials=1, compare=False)


def test_allow_leakage_trains_and_reports_the_findings(claims):
    role, values = _leaky_columns(claims)["copy"]
    cfg = _with_extra(load_config(), "copy", role)
    result = train(
        claims.assign(copy=values), None, cfg, trials=1, compare=False, allow_leakage=True
    )
    assert not result.leakage.ok and result.leakage.allowed
    assert "copy" in result.leakage.columns
    kinds = {f.kind for f in result.leakage.findings}
    assert {"single_column_auc", "label_function", "validation_auc"} <= kinds
    assert result.model.metadata["leakage"]["allowed"] is True
    assert result.metrics["auc"] > 0.99


def test_columns_outside_the_profile_are_not_audited(claims):
    """A column the profile does not map is never a feature, so it cannot leak."""
    frame = claims.assign(p_true=_labels(claims))
    result = train(frame, None, load_config(), trials=1, compare=False)
    assert result.leakage.ok
    assert "p_true" not in result.leakage.columns_checked
    assert len(labelled_rows(frame, load_config().schema)) == len(frame)
