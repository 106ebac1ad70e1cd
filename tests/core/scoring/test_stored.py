"""A stored scoring read back for one claim: that claim and its client's claims of the batch,
by query, with the same values as the whole batch read."""

from __future__ import annotations

import pandas as pd
import pytest

from core.config.settings import Config
from core.exceptions import WorkbenchError
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.scoring.stored import load_claim_scoring, load_scoring
from core.store.database import Store
from tests.core.scoring.test_scoring import keyed_batch, save
from tests.helpers import ADMIN, train_tiny_model


@pytest.fixture(scope="module")
def tiny_model():
    from core.config.loading import load_config

    return train_tiny_model(load_config())[0]


@pytest.fixture
def scored(cfg: Config, tiny_model):
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(tiny_model, actor=ADMIN, activate=True)
        frame = keyed_batch(cfg, 300)
        frame["client_id"] = frame["client_id"].astype(str)
        frame.loc[[3, 40, 41, 250], "client_id"] = "CLI-TEST"  # one client, four claims
        batch_id = save(store, frame, "c" * 64)
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
        yield store, batch_id


def test_one_claims_scoring_holds_it_and_its_clients_claims_as_the_batch_read_does(cfg, scored):
    store, batch_id = scored
    whole = load_scoring(batch_id, store, cfg)
    row_number = int(whole.frame["row_number"].iloc[40])
    one = load_claim_scoring(batch_id, row_number, store, cfg)
    expected = whole.frame[whole.frame["client_id"] == "CLI-TEST"].reset_index(drop=True)
    assert len(one.frame) == 4
    pd.testing.assert_frame_equal(one.frame, expected, check_dtype=False)
    assert (one.model_version, one.thresholds) == (whole.model_version, whole.thresholds)
    assert pd.Timestamp(one.scored_at) == pd.Timestamp(whole.scored_at)
    assert one.evaluation is None  # no batch figures from four rows


def test_a_claim_without_a_client_is_read_alone(cfg, scored):
    store, batch_id = scored
    with store.cursor() as cur:
        cur.execute("UPDATE claims SET client_id = NULL WHERE batch_id = ? AND row_number = ?",
                    [batch_id, 10])  # fmt: skip
    one = load_claim_scoring(batch_id, 10, store, cfg)
    assert one.frame["row_number"].tolist() == [10]


def test_an_unscored_batch_says_so(cfg, scored):
    store, _ = scored
    other = save(store, keyed_batch(cfg, 20, id_start=5000), "d" * 64)
    with pytest.raises(WorkbenchError, match="pas encore été scoré"):
        load_claim_scoring(other, 2, store, cfg)
