"""One coherent workflow: batches and models of one profile, the pair each scoring applied,
one expected gain (rules included, costs published with the pair), re-decision after a
publication."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from core.config.loading import load_config
from core.config.profiles import same_profile, schema_fingerprint
from core.decide.costs import CostModel
from core.exceptions import ModelNotFoundError, WorkbenchError
from core.model.registry import Registry
from core.scoring.batch import redecide, score_batch
from core.scoring.pair_gain import evaluate_with_rules, ruled_claims
from core.scoring.republish import outdated_batches, redecide_with
from core.scoring.stored import load_scoring
from core.store.database import Store
from tests.core.scoring.test_scoring import keyed_batch, save, tiny_model  # noqa: F401
from tests.helpers import ADMIN


@pytest.fixture
def setup(cfg, tiny_model):  # noqa: F811
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        version = registry.register(tiny_model[0], actor=ADMIN, activate=True).version
        yield store, registry, version


def _save_as(store: Store, frame: pd.DataFrame, sha: str, profile: str) -> int:
    return store.save_batch(
        frame, file_name="lot.csv", sha256=sha, sheet=None, profile=profile, actor=ADMIN,
        report_json="{}",
    ).batch_id  # fmt: skip


# ------------------------------------------------------------------ profiles


def test_a_batch_of_another_profile_is_refused_not_scored_with_the_default_model(cfg, setup):
    store, registry, _ = setup
    batch_id = _save_as(store, keyed_batch(cfg, 50), "e" * 64, "cfpb")
    with pytest.raises(WorkbenchError, match="cfpb") as err:
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    assert "WORKBENCH_PROFILE=cfpb" in str(err.value)
    assert store.latest_scoring(batch_id) is None  # nothing stored


def test_a_profile_without_its_own_model_is_told_how_to_train_one(cfg, setup):
    store, registry, _ = setup
    cfpb = dataclasses.replace(load_config("cfpb"), paths=cfg.paths)
    batch_id = _save_as(store, keyed_batch(cfg, 50), "f" * 64, "cfpb")
    with pytest.raises(ModelNotFoundError, match="--profile cfpb"):
        score_batch(batch_id, store, registry, cfpb, actor=ADMIN)
    assert store.latest_scoring(batch_id) is None


def test_models_carry_the_schema_they_serve(cfg, setup):
    _, registry, version = setup
    cfpb = load_config("cfpb")
    assert registry.serves(version, cfg) and not registry.serves(version, cfpb)
    assert registry.active_for(cfg).version == version and registry.active_for(cfpb) is None
    assert registry.profile_of(version) == ("default", schema_fingerprint(cfg.schema))


def test_an_overlay_profile_with_the_same_schema_shares_the_data():
    default, cfpb = load_config(), load_config("cfpb")
    overlay = dataclasses.replace(default, profile="roles")  # e.g. sign-in settings only
    assert same_profile("default", overlay) and same_profile("roles", overlay)
    assert not same_profile("cfpb", overlay) and not same_profile("default", cfpb)
    assert not same_profile("unknown-profile", default)


# ------------------------------------------------------------------ the pair of each scoring


def test_a_manual_redecision_is_reopened_with_its_own_pair(cfg, setup):
    store, registry, _ = setup
    batch_id = save(store, keyed_batch(cfg, 120), "1" * 64)
    score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    redecide(batch_id, 0.12, 0.88, store, cfg, save=True, actor=ADMIN, reason="essai")
    stored = load_scoring(batch_id, store, cfg)
    assert (stored.thresholds.low, stored.thresholds.high) == (0.12, 0.88)
    assert stored.thresholds.source == "manual" and stored.thresholds.id is None
    info = store.latest_scorings()[batch_id]
    assert (info.low, info.high) == (0.12, 0.88)


def test_the_gain_is_counted_with_the_costs_published_with_the_pair(cfg, setup):
    store, registry, version = setup
    costs = dataclasses.asdict(CostModel(audit_cost=900.0))
    record = store.publish_thresholds(
        version, 0.3, 0.7, source="manual", actor=ADMIN, reason="coûts", costs=costs
    )
    batch_id = save(store, keyed_batch(cfg, 150), "2" * 64)
    result = score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    stored = load_scoring(batch_id, store, cfg)
    assert stored.thresholds.id == record.id and stored.thresholds.costs == costs
    n = 150
    assert stored.evaluation.expected_cost_audit_all == pytest.approx(900.0 * n)
    assert result.evaluation.expected_net_gain == pytest.approx(stored.evaluation.expected_net_gain)


# ------------------------------------------------------------------ one expected gain


def test_the_gain_of_any_pair_includes_the_rules_like_the_stored_scoring(cfg, setup):
    store, registry, version = setup
    store.publish_thresholds(version, 0.0, 0.0, source="manual", actor=ADMIN, reason="tout")
    frame = keyed_batch(cfg, 300)
    frame["client_id"] = frame["client_id"].iloc[:20].tolist() * 15  # the cap bites
    batch_id = save(store, frame, "3" * 64)
    score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    stored = load_scoring(batch_id, store, cfg)
    assert stored.n_moved > 0
    claims = ruled_claims(batch_id, store)
    ev = evaluate_with_rules(claims, 0.0, 0.0, cfg)
    assert ev.expected_net_gain == pytest.approx(stored.evaluation.expected_net_gain)
    assert ev.counts == stored.evaluation.counts
    # another pair: the same figure as re-deciding the batch with it
    again = redecide(batch_id, 0.2, 0.6, store, cfg)
    assert evaluate_with_rules(claims, 0.2, 0.6, cfg).expected_net_gain == pytest.approx(
        again.evaluation.expected_net_gain
    )


# ------------------------------------------------------------------ publish, then re-decide


def test_after_a_publication_the_batches_decided_otherwise_are_offered_and_redecided(cfg, setup):
    store, registry, version = setup
    first = store.publish_thresholds(version, 0.2, 0.8, source="manual", actor=ADMIN, reason="a")
    ids = [save(store, keyed_batch(cfg, 80, id_start=i * 100), str(i) * 64) for i in (4, 5)]
    for batch_id in ids:
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    assert outdated_batches(store, cfg, first) == []
    new = store.publish_thresholds(version, 0.4, 0.6, source="manual", actor=ADMIN, reason="b")
    stale = outdated_batches(store, cfg, new)
    assert sorted(o.batch.id for o in stale) == sorted(ids)
    assert all(o.scoring.thresholds_id == first.id for o in stale)
    results = redecide_with(new, [ids[0]], store, cfg, actor=ADMIN)
    assert results[0].thresholds.id == new.id
    reopened = load_scoring(ids[0], store, cfg)
    assert (reopened.thresholds.id, reopened.thresholds.low) == (new.id, 0.4)
    assert [o.batch.id for o in outdated_batches(store, cfg, new)] == [ids[1]]


def test_batches_of_another_profile_are_never_offered_for_redecision(cfg, setup):
    store, registry, version = setup
    record = store.publish_thresholds(version, 0.3, 0.7, source="manual", actor=ADMIN, reason="a")
    mine = save(store, keyed_batch(cfg, 30), "6" * 64)
    score_batch(mine, store, registry, cfg, actor=ADMIN)
    theirs = _save_as(store, keyed_batch(cfg, 30, id_start=500), "7" * 64, "cfpb")
    with store.transaction("a scoring left by another profile's model") as cur:  # as if scored
        cur.execute(
            "INSERT INTO scores (batch_id, row_number, model_version, probability, decision, "
            "decision_model, scored_at) SELECT ?, row_number, ?, 0.5, 0, 0, now() FROM claims "
            "WHERE batch_id = ?",
            [theirs, version, theirs],
        )
    new = store.publish_thresholds(version, 0.4, 0.6, source="manual", actor=ADMIN, reason="b")
    assert [o.batch.id for o in outdated_batches(store, cfg, new)] == [mine]
    assert record.id != new.id
