"""A challenger trained with the labels gathered in 2025 beats the 2024-only model on the
most recent 2025 claims, compared on the same claims; promotion is an admin's recorded act."""

from __future__ import annotations

import pandas as pd
import pytest

from core.exceptions import PermissionDeniedError, TrainingError
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.training import train
from core.model.training_data import keyed_frame
from core.monitor.challenger import gathered_labels, train_challenger
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR


@pytest.mark.slow
def test_a_challenger_with_2025_labels_beats_the_2024_model_on_recent_claims(cfg, tmp_path):
    raw_2024, _ = generate_claims(3000, seed=24, year=2024)
    original = keyed_frame(raw_2024, cfg.schema)
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    active = train(original, None, cfg, trials=3, compare=False).model
    first = registry.register(active, actor=ADMIN, activate=True).version
    raw_2025, _ = generate_claims(4000, seed=25, year=2025, drift=True, id_start=50_000)
    write_claims_xlsx(raw_2025.drop(columns="Fondée"), tmp_path / "lot_2025.xlsx")
    batch = ingest(tmp_path / "lot_2025.xlsx", cfg, store, actor=AUDITOR).batch_id
    score_batch(batch, store, registry, cfg, actor=AUDITOR, queue_drift=False)
    keyed = keyed_frame(raw_2025, cfg.schema)
    where = store.claims_by_id(keyed["id"].tolist())
    outcomes = keyed[["id", "label"]].merge(where, left_on="id", right_on="claim_id")
    store.save_labels(outcomes, source="file", actor=ADMIN, reason="issues 2025")
    assert len(gathered_labels(store)) == 4000

    with pytest.raises(PermissionDeniedError):
        train_challenger(original, store, registry, cfg, actor=AUDITOR, trials=3, compare=False)
    result = train_challenger(original, store, registry, cfg, actor=ADMIN, trials=3, compare=False)
    c = result.comparison
    assert c.n_claims == 1200 and result.n_labels_added == 2800
    assert (c.active.version, c.challenger.version) == (first, result.version.version)
    assert c.challenger.auc > c.active.auc and c.challenger_better, c
    assert registry.active().version == first  # a candidate: nothing changes by itself
    registry.activate(result.version.version, actor=ADMIN, reason="promotion du challenger")
    with store.cursor() as cur:
        row = cur.execute(
            "SELECT actor, reason, before, after FROM audit_log WHERE action = 'model.activated' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchall()[0]
    assert row[0] == ADMIN.id and row[1] == "promotion du challenger" and first in row[2]


def test_too_few_labels_say_so(cfg):
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    with pytest.raises(TrainingError, match="at least 50"):
        train_challenger(pd.DataFrame(), store, registry, cfg, actor=ADMIN)
