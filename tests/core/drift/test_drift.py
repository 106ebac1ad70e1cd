"""Drift: the demo 2025 shift, false alerts on same-distribution batches, storage, alerts."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.drift import DriftConfig
from core.config.loading import config_from_dict, load_config
from core.config.settings import Config
from core.drift.compute import build_snapshot, compute_drift
from core.drift.report import HISTORY_COLUMNS, DriftReport, alert_level, load_snapshot, render_html
from core.drift.service import drift_of_batch, previous_batch_reference
from core.drift.storage import (
    drift_history,
    latest_batch_id,
    load_drift_report,
    load_drift_reports,
    save_drift_report,
    save_snapshot,
)
from core.exceptions import ConfigError, DriftError, WorkbenchError
from core.ingest.pipeline import validate_file
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, CFPB_FILE

FEATURES = {
    "amount",
    "family",
    "category",
    "subcategory",
    "delay",
    "segment",
    "market",
    "tenure",
    "pnb",
}
REFERENCE_SEED = 11
# Importing Evidently imports litestar, which warns about its own deprecations.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litestar.*")


def keyed(frame: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """French headers -> keys, as the validation does."""
    return frame.rename(columns={c.name: c.key for c in cfg.schema.columns})


@pytest.fixture(scope="module")
def base_cfg() -> Config:
    return load_config()


@pytest.fixture(scope="module")
def reference(base_cfg: Config) -> pd.DataFrame:
    """5,000 claims of 2024, as the model's reference sample holds them."""
    return keyed(generate_claims(5000, seed=REFERENCE_SEED, year=2024)[0], base_cfg)


@pytest.fixture(scope="module")
def batch_2025(base_cfg: Config, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The demo 2025 batch (8,000 drifted claims) read and validated like an upload."""
    path = tmp_path_factory.mktemp("drift") / "claims_2025.xlsx"
    write_claims_xlsx(generate_claims(8000, seed=42, year=2025, drift=True)[0], path)
    batch = validate_file(path.read_bytes(), base_cfg, file_name=path.name)
    assert batch.report.ok
    return batch.frame


@pytest.fixture(scope="module")
def report_2025(batch_2025: pd.DataFrame, reference: pd.DataFrame, base_cfg: Config):
    return compute_drift(batch_2025, reference, base_cfg, batch_id=1, reference_name="model:t")


# --------------------------------------------------------------------------- detection


def test_demo_2025_batch_alerts_and_names_amount_and_segment(report_2025: DriftReport) -> None:
    assert report_2025.alert_level in ("orange", "red")
    assert {"amount", "segment"} <= set(report_2025.drifted_columns)
    drifted = [c for c in report_2025.features if c.drifted]
    assert all(c.score >= c.threshold for c in drifted)
    assert report_2025.share_drifted == pytest.approx(len(drifted) / len(FEATURES))


def test_monitors_the_feature_columns_only(report_2025: DriftReport) -> None:
    assert {c.column for c in report_2025.features} == FEATURES
    assert report_2025.outputs == ()  # no probability in the frames
    labels = {c.label for c in report_2025.columns}
    assert "Segment" in labels and any(label.startswith("Montant demandé") for label in labels)


@pytest.mark.slow
def test_same_distribution_batches_give_at_most_one_false_alert_at_any_size(
    reference: pd.DataFrame, base_cfg: Config
) -> None:
    """20 batches of 200 and 20 of 2,000 drawn like the reference: at most 1 alert in all."""
    alerts, sized = [], 0
    for size, seeds in ((200, range(1000, 1020)), (2000, range(2000, 2020))):
        for seed in seeds:
            batch = keyed(generate_claims(size, seed=seed, year=2024)[0], base_cfg)
            report = compute_drift(batch, reference, base_cfg, batch_id=seed)
            sized += sum(c.sized_by_noise for c in report.columns)
            if report.alert_level != "green":
                alerts.append((size, seed, report.drifted_columns))
    logging.getLogger(__name__).info("false alerts: %s", alerts)
    assert len(alerts) <= 1, alerts
    assert sized > 0  # the small batches' own noise set their thresholds


def test_a_fixed_threshold_alerts_on_small_ordinary_batches(
    reference: pd.DataFrame, base_cfg: Config
) -> None:
    """The control: without sizing, batches of 200 drawn like the reference do alert."""
    fixed = dataclasses.replace(base_cfg, drift=dataclasses.replace(base_cfg.drift, sized=False))
    alerts = 0
    for seed in range(1000, 1020):
        batch = keyed(generate_claims(200, seed=seed, year=2024)[0], base_cfg)
        alerts += compute_drift(batch, reference, fixed).alert_level != "green"
    assert alerts > 1


@pytest.mark.parametrize("n_shifted", [0, 1, 2, 3, 4])
def test_alert_level_follows_the_number_of_drifted_features(
    n_shifted: int, reference: pd.DataFrame, base_cfg: Config
) -> None:
    batch = keyed(generate_claims(2000, seed=7, year=2024)[0], base_cfg)
    shifts = {"delay": 3.0, "tenure": 4.0, "pnb": 20.0, "amount": 10.0}
    for key, factor in list(shifts.items())[:n_shifted]:
        batch[key] = batch[key] * factor
    report = compute_drift(batch, reference, base_cfg)
    assert len(report.drifted_columns) == n_shifted
    assert report.alert_level == ["green", "orange", "orange", "red", "red"][n_shifted]


def test_alert_level_thresholds() -> None:
    assert [alert_level(n) for n in range(5)] == ["green", "orange", "orange", "red", "red"]
    assert alert_level(1, orange_from=2, red_from=4) == "green"
    assert alert_level(4, orange_from=2, red_from=4) == "red"


def test_probability_and_decision_mix_are_reported_but_not_alerted(
    reference: pd.DataFrame, base_cfg: Config
) -> None:
    rng = np.random.default_rng(0)
    batch = keyed(generate_claims(2000, seed=8, year=2024)[0], base_cfg)
    batch["probability"] = rng.beta(5, 2, len(batch))  # far more validations
    ref = reference.assign(probability=rng.beta(2, 5, len(reference)))
    report = compute_drift(batch, ref, base_cfg, thresholds=(0.2, 0.8))
    assert {c.column: c.drifted for c in report.outputs} == {
        "probability": True,
        "decision_mix": True,
    }
    assert report.alert_level == "green"
    assert report.drifted_columns == ()


# --------------------------------------------------------------------------- edge cases


def test_too_few_rows_is_a_clear_error(reference: pd.DataFrame, base_cfg: Config) -> None:
    with pytest.raises(WorkbenchError, match=r"12 .*minimum 30"):
        compute_drift(reference.head(12), reference, base_cfg)
    with pytest.raises(DriftError, match="reference"):
        compute_drift(reference, reference.head(5), base_cfg)


def test_missing_columns_are_reported_not_fatal(reference: pd.DataFrame, base_cfg: Config) -> None:
    batch = keyed(generate_claims(1000, seed=9, year=2024)[0], base_cfg)
    batch = batch.drop(columns=["segment", "pnb"]).assign(market=None)
    report = compute_drift(batch, reference, base_cfg)
    assert set(report.missing_columns) == {"segment", "pnb", "market"}
    assert {c.column for c in report.features} == FEATURES - {"segment", "pnb", "market"}
    assert report.to_summary()["missing_columns"] == list(report.missing_columns)


def test_nothing_in_common_is_a_clear_error(reference: pd.DataFrame, base_cfg: Config) -> None:
    batch = pd.DataFrame({"id": [f"x{i}" for i in range(100)]})
    with pytest.raises(DriftError, match="No monitored column"):
        compute_drift(batch, reference, base_cfg)


def test_explicit_columns(reference: pd.DataFrame, base_cfg: Config) -> None:
    cfg = dataclasses.replace(base_cfg, drift=DriftConfig(columns=("amount", "segment")))
    report = compute_drift(reference.sample(1000, random_state=1), reference, cfg)
    assert [c.column for c in report.columns] == ["amount", "segment"]
    bad = dataclasses.replace(base_cfg, drift=DriftConfig(columns=("id",)))
    with pytest.raises(ConfigError, match="'id' is not a feature column"):
        compute_drift(reference, reference, bad)


# --------------------------------------------------------------------------- configuration


def test_default_config_reads_the_drift_section(base_cfg: Config) -> None:
    drift = base_cfg.drift
    assert (drift.orange_from, drift.red_from, drift.min_rows) == (1, 3, 30)
    assert drift.per_column["amount"].log and drift.per_column["amount"].relative_to
    assert drift.settings("segment", "categorical") == (
        "jensenshannon",
        drift.per_column["segment"].threshold,
        drift.per_column["segment"],
    )
    assert isinstance(hash(base_cfg), int)  # the frozen config stays hashable


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"per_column": {"amount": {"threshold": "high"}}}, "per_column.amount.threshold"),
        ({"per_column": {"amount": {"treshold": 0.1}}}, "per_column.amount.treshold: unknown"),
        ({"per_column": {"amount": {"method": "ks"}}}, "p-value: give its threshold"),
        ({"categorical_method": "wasserstein"}, "does not apply to categorical"),
        ({"numeric_threshold": 0}, "numeric_threshold must be a number > 0"),
        ({"orange_from": 3, "red_from": 2}, "orange_from <= red_from"),
        ({"typo": 1}, "drift.typo: unknown key"),
    ],
)
def test_bad_drift_config_names_the_key(section: dict, message: str, base_cfg: Config) -> None:
    raw = {"schema": {"columns": [{"role": "amount", "name": "M", "type": "amount"}]}}
    raw["schema"]["columns"][0]["required"] = True
    with pytest.raises(ConfigError, match=message):
        config_from_dict({**raw, "drift": section})


# --------------------------------------------------------------------------- storage


def test_report_survives_closing_and_reopening_the_store(
    tmp_path: Path,
    report_2025: DriftReport,
    batch_2025: pd.DataFrame,
    reference: pd.DataFrame,
    base_cfg: Config,
) -> None:
    path = tmp_path / "workbench.duckdb"
    with Store(path) as store:
        report_id = save_drift_report(store, report_2025, actor=ADMIN)
    with Store(path) as store:  # "after an app restart"
        [loaded] = load_drift_reports(store)
        with store.cursor() as cur:
            raw = cur.execute("SELECT drifted_columns, alert_level FROM drift_reports").fetchone()
        assert raw == (list(report_2025.drifted_columns), report_2025.alert_level)
        # the full Evidently report is built when first opened, then kept
        save_snapshot(store, report_id, build_snapshot(batch_2025, reference, base_cfg, loaded))
    with Store(path) as store:
        loaded = load_drift_report(store, report_id)
    assert loaded.report_id == report_id
    assert loaded.to_summary() == report_2025.to_summary()
    snapshot = load_snapshot(loaded)
    assert snapshot.dumps()  # a real Snapshot, loaded with Snapshot.loads
    html = render_html(loaded)
    assert len(html) > 10_000 and "Montant demand" in html  # JSON-escaped in the page


def test_report_html_keeps_hostile_category_values_inside_its_data(
    reference: pd.DataFrame, base_cfg: Config
) -> None:
    """Evidently writes the data as JSON in a <script>: a value holding "</script>" must
    neither end that element nor add a script of its own, and the data keeps the value."""
    hostile = '<a href="https://evil.example">x</a> </script><script>window.PWN=1</script>'
    clean = reference.head(600).copy()
    batch = clean.copy()
    batch.loc[batch.index[:40], "category"] = hostile

    def page(frame: pd.DataFrame) -> str:
        report = compute_drift(frame, reference, base_cfg, batch_id=1, reference_name="model:t")
        snapshot = build_snapshot(frame, reference, base_cfg, report)
        return render_html(dataclasses.replace(report, snapshot_json=snapshot))

    html = page(batch)
    assert "window.PWN" in html  # the value is in the report's data ...
    assert "</script><script>window" not in html and '<a href="https://evil' not in html
    assert "\\u0026lt;a href=" in html  # a category Plotly draws as text: "&lt;a href="
    assert html.count("</script>") == page(clean).count("</script>")  # ... and only there


def test_load_newest_first_by_batch_and_without_snapshot(
    tmp_path: Path, report_2025: DriftReport
) -> None:
    with Store(tmp_path / "w.duckdb") as store:
        first = save_drift_report(store, report_2025, actor=ADMIN)
        later = dataclasses.replace(report_2025, batch_id=2, created_at=report_2025.created_at)
        second = save_drift_report(store, later, actor=ADMIN)
        assert [r.report_id for r in load_drift_reports(store)] == [second, first]
        assert [r.report_id for r in load_drift_reports(store, batch_id=1)] == [first]
        [light] = load_drift_reports(store, batch_id=2, include_snapshot=False)
        with pytest.raises(DriftError, match="not built yet"):
            render_html(light)
        assert load_drift_report(store, second).snapshot_json == ""  # built when opened
        history = drift_history(store)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert len(history) == 2 * len(report_2025.columns)
    amount = history[history["column"] == "amount"]
    assert amount["drifted"].all() and amount["batch_id"].tolist() == [1, 2]


def _store_batch(store: Store, cfg: Config, frame: pd.DataFrame, name: str) -> int:
    batch = validate_file(frame.to_csv(index=False, sep=";").encode(), cfg, file_name=name)
    saved = store.save_batch(
        batch.frame,
        file_name=name,
        sha256=name,
        sheet=None,
        profile=cfg.profile,
        actor=ADMIN,
        report_json="[]",
    )
    return saved.batch_id


def test_batch_against_the_model_and_the_previous_batch(
    tmp_path: Path, reference: pd.DataFrame, base_cfg: Config
) -> None:
    with Store(tmp_path / "w.duckdb") as store:
        first = _store_batch(store, base_cfg, generate_claims(2000, seed=3, year=2024)[0], "a")
        second = _store_batch(
            store, base_cfg, generate_claims(3000, seed=4, year=2025, drift=True)[0], "b"
        )
        assert latest_batch_id(store) == second
        vs_model = drift_of_batch(store, base_cfg, second, reference, "model:t", actor=ADMIN)
        previous, name = previous_batch_reference(store, second)
        vs_previous = drift_of_batch(store, base_cfg, second, previous, name, actor=ADMIN)
        with pytest.raises(DriftError, match="first"):
            previous_batch_reference(store, first)
        stored = load_drift_reports(store, batch_id=second, include_snapshot=False)
    assert name == f"batch:{first}" and len(previous) == 2000
    assert {"amount", "segment"} <= set(vs_model.drifted_columns)
    assert vs_previous.reference == name
    assert [r.report_id for r in stored] == [vs_previous.report_id, vs_model.report_id]


@pytest.mark.skipif(not CFPB_FILE.is_file(), reason="CFPB extract not available")
def test_cfpb_profile_raises_no_alert_on_same_distribution_splits():
    """Through the profile alone: high-cardinality columns do not alarm on sampling noise."""
    cfg = load_config("cfpb")
    frame = validate_file(CFPB_FILE.read_bytes(), cfg, file_name=CFPB_FILE.name).frame
    ordered = frame.sort_values("date")
    for seed in range(3):
        idx = np.random.default_rng(seed).permutation(len(frame))
        report = compute_drift(frame.iloc[idx[5000:7000]], frame.iloc[idx[:5000]], cfg)
        assert report.alert_level == "green", (seed, report.drifted_columns)
    late = compute_drift(ordered.iloc[-1700:], ordered.iloc[:5000], cfg)  # Oct vs late Nov
    assert late.alert_level != "green"
