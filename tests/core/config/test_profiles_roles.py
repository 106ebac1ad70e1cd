"""A profile's own label lists, one column serving several roles, a tenure unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.config.loading import load_config
from core.exceptions import ConfigError, TrainingError
from core.ingest.pipeline import validate_file
from core.model.features import FeaturePipeline
from core.model.training import train

COLUMNS = """schema:
  columns:
    - {role: id, name: Ref, type: id}
    - {role: client_id, name: Ref, type: id}
    - {role: family, name: Product, type: category, required: true}
    - {role: tenure, name: Months, type: number, unit: months}
    - {role: label, name: Resolved, type: label}
"""


def _profile(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "yn.yaml"
    path.write_text(COLUMNS + extra, encoding="utf-8")
    return path


def _file(tmp_path: Path, n: int = 120) -> Path:
    frame = pd.DataFrame({
        "Ref": [f"R{i:03d}" for i in range(n)],
        "Product": ["A", "B", "C"] * (n // 3),
        "Months": [6, 24, 120] * (n // 3),
        "Resolved": ["Y", "N", "N"] * (n // 3),
    })  # fmt: skip
    path = tmp_path / "claims.csv"
    frame.to_csv(path, index=False)
    return path


def test_own_label_column_does_not_inherit_the_default_lists(tmp_path):
    cfg = load_config(str(_profile(tmp_path)))
    assert not cfg.schema.label.declared
    assert cfg.schema.label.positive == () and cfg.schema.label.negative == ()


def test_y_n_label_with_default_lists_is_flagged_at_ingest_and_refused_by_training(tmp_path):
    cfg = load_config(str(_profile(tmp_path)))
    batch = validate_file(_file(tmp_path), cfg)
    assert batch.report.ok  # the batch can still be scored
    assert [i.code for i in batch.report.warnings] == ["undeclared_label"]
    summary = batch.report.label_summary
    assert {v.value: v.meaning for v in summary.values} == {"Y": "unmapped", "N": "unmapped"}
    assert summary.count("unmapped") == 120 and summary.positive_rate is None
    assert batch.frame["label"].isna().all()
    with pytest.raises(TrainingError, match=r"schema\.label\.positive"):
        train(batch.frame, None, cfg, trials=1, compare=False)


def test_lists_given_by_the_profile_are_its_own_and_rates_reported(tmp_path):
    extra = "  label:\n    positive: [n]\n    negative: [y]\n"
    cfg = load_config(str(_profile(tmp_path, extra)))
    assert cfg.schema.label.declared and cfg.schema.label.negative == ("y",)
    summary = validate_file(_file(tmp_path), cfg).report.label_summary
    assert summary.count("positive") == 80 and summary.positive_rate == pytest.approx(80 / 120)
    lines = summary.lines("en")
    assert any("« N » x 80 -> justified (1)" in line for line in lines)


def test_one_column_serves_id_and_client_id_without_a_missing_warning(tmp_path):
    cfg = load_config(str(_profile(tmp_path, "  label: {positive: [y], negative: [n]}\n")))
    batch = validate_file(_file(tmp_path), cfg)
    assert not [i for i in batch.report.issues if i.code == "missing_expected_column"]
    assert batch.report.shared_columns == {"Ref": ("id", "client_id")}
    assert (batch.frame["id"] == batch.frame["client_id"]).all()
    assert batch.frame["client_id"].notna().all()
    assert "serves several roles" in " ".join(batch.report.notes("en"))


def test_tenure_in_months_is_converted_to_years(tmp_path):
    cfg = load_config(str(_profile(tmp_path, "  label: {positive: [y], negative: [n]}\n")))
    frame = validate_file(_file(tmp_path), cfg).frame
    pipe = FeaturePipeline.from_schema(cfg.schema)
    features = pipe.fit(frame).transform(frame)
    assert features["tenure"].tolist()[:3] == pytest.approx([0.5, 2.0, 10.0])


def test_label_cannot_share_its_column_and_units_are_for_tenure(tmp_path):
    bad = COLUMNS.replace("{role: family, name: Product", "{role: family, name: Resolved")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError, match="label"):
        load_config(str(path))
    path.write_text(COLUMNS.replace("type: id}\n    - {role: client", "type: id, unit: days}\n"
                                    "    - {role: client"), encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match="unit"):
        load_config(str(path))
