"""Tests of core.scoring with a tiny model trained once per module (trials=2, no comparison)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.config.settings import Config
from core.decide.decisions import decide
from core.decide.rules import MAX_AUTO_VALIDATIONS
from core.exceptions import WorkbenchError
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.trained import TrainedModel
from core.model.training_data import keyed_frame
from core.scoring.batch import redecide, score_batch
from core.scoring.results import ScoringResult
from core.scoring.stored import load_scores
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, train_tiny_model


def keyed_batch(cfg: Config, n: int, *, year: int = 2025, id_start: int = 1) -> pd.DataFrame:
    raw, _ = generate_claims(n, seed=5, year=year, drift=True, id_start=id_start)
    return keyed_frame(raw, cfg.schema)


def save(store: Store, frame: pd.DataFrame, sha: str) -> int:
    saved = store.save_batch(
        frame,
        file_name=f"{sha[:3]}.xlsx",
        sha256=sha,
        sheet=None,
        profile="default",
        actor=ADMIN,
        report_json="{}",
    )
    return saved.batch_id


@pytest.fixture(scope="module")
def tiny_model() -> tuple[TrainedModel, pd.DataFrame]:
    return train_tiny_model(load_config())


@pytest.fixture
def setup(cfg: Config, tiny_model, tmp_path: Path):
    """(store, registry, version) with the tiny model registered and active."""
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        version = registry.register(tiny_model[0], actor=ADMIN, activate=True).version
        yield store, registry, version


def count(store: Store, sql: str, params: list | None = None) -> int:
    with store.cursor() as cur:
        return cur.execute(sql, params or []).fetchone()[0]


def test_scores_are_stored_with_the_model_version_and_thresholds_id(cfg, setup):
    store, registry, version = setup
    published = store.publish_thresholds(
        version, 0.2, 0.7, source="manual", actor=ADMIN, reason="test"
    )
    batch_id = save(store, keyed_batch(cfg, 400), "a" * 64)
    result = score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    assert isinstance(result, ScoringResult)
    assert (result.model_version, result.thresholds.id) == (version, published.id)
    assert (result.thresholds.low, result.thresholds.high) == (0.2, 0.7)
    stored = count(
        store,
        "SELECT count(*) FROM scores WHERE batch_id = ? AND model_version = ? "
        "AND thresholds_id = ?",
        [batch_id, version, published.id],
    )
    assert stored == 400 == len(result.frame)
    expected = decide(result.frame["probability"], 0.2, 0.7)
    np.testing.assert_array_equal(result.frame["decision_model"], expected)
    moved = result.frame["decision"].to_numpy() != expected
    assert np.all(result.frame["decision"].to_numpy()[moved] == 0)
    assert sum(result.counts.values()) == 400
    assert result.evaluation is not None and result.evaluation.n == 400
    assert result.evaluation.counts == result.counts
    assert {"load_claims", "history", "load_model", "predict", "rules", "store"} <= set(
        result.seconds
    )
    assert store.get_batch(batch_id).status == "scored"


def test_without_published_thresholds_the_configuration_applies(cfg, setup, tiny_model):
    store, registry, _ = setup
    bare = copy.copy(tiny_model[0])  # a model trained without a threshold choice
    bare.metadata = {**bare.metadata, "metrics": {"auc": 0.8}}
    version = registry.register(bare, actor=ADMIN).version  # a candidate, without a pair
    batch_id = save(store, keyed_batch(cfg, 100), "b" * 64)
    result = score_batch(
        batch_id, store, registry, cfg, apply_rules=False, actor=ADMIN, version=version
    )
    assert result.thresholds.id is None and result.thresholds.source == "config"
    assert (result.thresholds.low, result.thresholds.high) == (
        cfg.thresholds.low,
        cfg.thresholds.high,
    )
    assert result.rules is None
    assert (result.frame["decision"] == result.frame["decision_model"]).all()
    assert count(store, "SELECT count(*) FROM scores WHERE thresholds_id IS NULL") == 100


def test_quota_uses_the_automatic_validations_of_an_earlier_batch(cfg, setup):
    store, registry, version = setup
    store.publish_thresholds(
        version, 0.0, 0.0, source="manual", actor=ADMIN, reason="test"
    )  # all validated
    first = keyed_batch(cfg, 200)
    first_id = save(store, first, "c" * 64)
    score_batch(first_id, store, registry, cfg, actor=ADMIN)
    later = keyed_batch(cfg, 200, id_start=1000).assign(date=pd.Timestamp("2025-12-31"))
    later["client_id"] = first["client_id"].to_numpy()  # the same clients, later that year
    result = score_batch(save(store, later, "d" * 64), store, registry, cfg, actor=ADMIN)
    frame = result.frame
    assert (frame["decision_model"] == 1).all()
    quota = frame["rule_flags"] == MAX_AUTO_VALIDATIONS
    assert quota.sum() > 0 and (frame.loc[quota, "decision"] == 0).all()
    assert frame.loc[quota, "rule_reason"].str.contains("déjà en 2025").all()


def test_redecide_works_from_stored_probabilities_without_the_model(cfg, setup, monkeypatch):
    store, registry, _ = setup
    batch_id = save(store, keyed_batch(cfg, 300), "e" * 64)
    scored = score_batch(batch_id, store, registry, cfg, apply_rules=False, actor=ADMIN)

    def refuse(*args, **kwargs):
        raise AssertionError("redecide must not load the model")

    monkeypatch.setattr(Registry, "load", refuse)
    monkeypatch.setattr(TrainedModel, "load", refuse)
    again = redecide(batch_id, 0.3, 0.6, store, cfg, apply_rules=False)
    np.testing.assert_allclose(again.frame["probability"], scored.frame["probability"])
    np.testing.assert_array_equal(
        again.frame["decision"], decide(scored.frame["probability"], 0.3, 0.6)
    )
    assert again.scored_at is None and again.model_version == scored.model_version
    assert (
        count(store, "SELECT count(DISTINCT scored_at) FROM scores WHERE batch_id = ?", [batch_id])
        == 1
    )
    saved = redecide(batch_id, 0.3, 0.6, store, cfg, save=True, actor=ADMIN)
    latest = load_scores(batch_id, store)
    assert saved.scored_at == latest["scored_at"].iloc[0]
    np.testing.assert_array_equal(latest["decision"], saved.frame["decision"])
    assert "client_id" in latest.columns and len(latest) == 300


def test_redecide_or_load_of_an_unscored_batch_says_what_to_do(cfg, setup):
    store, _, _ = setup
    batch_id = save(store, keyed_batch(cfg, 10), "f" * 64)
    with pytest.raises(WorkbenchError, match="not been scored"):
        redecide(batch_id, 0.2, 0.8, store, cfg)
    with pytest.raises(WorkbenchError, match="not been scored"):
        load_scores(batch_id, store)


def test_history_holds_the_clients_claims_of_other_batches(cfg, setup):
    store, _, _ = setup
    earlier = keyed_batch(cfg, 50, year=2024)
    earlier_id = save(store, earlier, "1" * 64)
    current = keyed_batch(cfg, 20).assign(client_id=earlier["client_id"].iloc[:20].to_numpy())
    current_id = save(store, current, "2" * 64)
    history = store.client_history(current["client_id"], exclude_batch_id=current_id)
    assert set(history["batch_id"]) == {earlier_id}
    assert set(history["client_id"]) == set(current["client_id"])
    assert {"id", "date", "label", "amount"} <= set(history.columns)


def test_the_same_file_scored_twice_does_not_duplicate_claims(cfg, setup, tmp_path):
    store, registry, _ = setup
    raw, _ = generate_claims(150, seed=9, year=2025, drift=True, labelled=False)
    path = tmp_path / "lot.xlsx"
    write_claims_xlsx(raw, path)
    ids = []
    for _ in range(2):
        result = ingest(path, cfg, store, actor=ADMIN)
        ids.append(result.batch_id)
        score_batch(result.batch_id, store, registry, cfg, actor=ADMIN)
    assert ids[0] == ids[1]
    assert count(store, "SELECT count(*) FROM claims") == 150
    assert count(store, "SELECT count(*) FROM scores") == 300  # two scorings are kept
    assert len(load_scores(ids[0], store)) == 150


def test_latest_scorings_matches_latest_scoring_of_each_batch(cfg, setup):
    store, registry, _ = setup
    first = save(store, keyed_batch(cfg, 120), "d" * 64)
    second = save(store, keyed_batch(cfg, 80, id_start=9000), "e" * 64)
    never = save(store, keyed_batch(cfg, 30, id_start=9500), "f" * 64)
    score_batch(first, store, registry, cfg, actor=ADMIN)
    score_batch(second, store, registry, cfg, actor=ADMIN)
    redecide(
        first, 0.1, 0.9, store, cfg, save=True, actor=ADMIN
    )  # a second, later scoring of `first`
    everything = store.latest_scorings()
    assert set(everything) == {first, second} and never not in everything
    for batch_id in (first, second):
        assert everything[batch_id] == store.latest_scoring(batch_id)


def test_an_auditor_may_store_decisions_only_with_the_published_pair(cfg, setup):
    from core.exceptions import PermissionDeniedError
    from tests.helpers import AUDITOR

    store, registry, version = setup
    batch_id = save(store, keyed_batch(cfg, 120), "e" * 64)
    score_batch(batch_id, store, registry, cfg, actor=AUDITOR)
    published = store.active_thresholds(version)
    with pytest.raises(PermissionDeniedError, match="paire non publiée"):
        redecide(batch_id, 0.05, 0.95, store, cfg, save=True, actor=AUDITOR)
    again = redecide(
        batch_id, published.low, published.high, store, cfg, save=True,
        thresholds_id=published.id, actor=AUDITOR,
    )  # fmt: skip
    assert again.scored_at is not None
    assert redecide(batch_id, 0.05, 0.95, store, cfg, save=True, actor=ADMIN).scored_at
