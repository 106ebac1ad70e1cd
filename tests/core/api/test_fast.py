"""The single-claim path gives the vectorised path's features and probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.api.fast import RowScorer
from core.api.service import checked_row_scorer
from core.config.loading import load_config
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims


def _claims(n: int, seed: int, id_start: int) -> pd.DataFrame:
    raw, _ = generate_claims(n, seed=seed, year=2025, id_start=id_start)
    return keyed_frame(raw, load_config().schema)


def test_every_feature_and_probability_match_with_and_without_history(tiny_model):
    scorer = RowScorer(tiny_model)
    history = _claims(600, seed=3, id_start=1)
    history["label_excluded"] = np.arange(len(history)) % 4 == 0  # excluded from training
    history["label"] = history["label"].astype("Int8").mask(np.arange(len(history)) % 5 == 0)
    claims = _claims(40, seed=3, id_start=9001)
    frame = claims.copy()
    frame["client_id"] = history["client_id"].iloc[::15].to_numpy()[: len(frame)]  # known clients
    frame.loc[::7, "pnb"] = np.nan  # missing values take the vectorised path's defaults
    frame.loc[::5, "subcategory"] = "Jamais vue"  # unknown level: back-off to the parent
    frame.loc[::6, "delay"] = np.nan
    assert scorer.check(frame, history) is None
    assert scorer.check(frame, None) is None
    # The history really counted: some claims have earlier claims of their client.
    features = np.array([scorer.features(r, history) for r in frame.to_dict("records")])
    prior = features[:, scorer.names.index("prior_claims_year")]
    assert (prior > 0).sum() >= 5
    justified = features[:, scorer.names.index("prior_justified_year")]
    assert (justified > 0).sum() >= 2


def test_same_day_claims_count_by_id_and_the_claim_itself_never(tiny_model):
    scorer = RowScorer(tiny_model)
    claim = _claims(1, seed=4, id_start=500).iloc[[0]]
    day = claim["date"].iloc[0]
    history = pd.concat([claim] * 3, ignore_index=True).assign(
        id=["REC-0", claim["id"].iloc[0], "REC-Z"], date=[day, day, day - pd.Timedelta(days=3)]
    )
    assert scorer.check(claim, history) is None
    row = claim.iloc[0].to_dict()
    features = dict(zip(scorer.names, scorer.features(row, history), strict=True))
    assert features["prior_claims_total"] == 2  # REC-0 (lower ID, same day) and the older one
    assert features["days_since_prior_claim"] == 0


def test_a_difference_is_caught_and_the_vectorised_path_kept(tiny_model, monkeypatch):
    claims = _claims(5, seed=5, id_start=1)
    scorer = RowScorer(tiny_model)
    real = RowScorer.features

    def off_by_a_little(self, row, history):
        out = real(self, row, history)
        out[0] += 1e-6
        return out

    monkeypatch.setattr(RowScorer, "features", off_by_a_little)
    assert "differ" in str(scorer.check(claims, None))
    assert checked_row_scorer(tiny_model) is None
    monkeypatch.setattr(RowScorer, "features", real)
    assert checked_row_scorer(tiny_model) is not None


def test_the_rules_for_one_claim_are_apply_rules_for_a_one_claim_frame():
    from core.api.fast import rules_for_one
    from core.decide.rules import apply_rules

    cfg = load_config()
    rng = np.random.default_rng(0)
    prior = pd.DataFrame(
        {"client_id": ["C1", "C1", "C2"], "year": [2025, 2024, 2025], "n": [1, 3, 0]}
    )
    moved = set()
    for _ in range(300):
        row = {
            "client_id": rng.choice(["C1", "C2", "C3", None]),
            "date": rng.choice([pd.Timestamp("2025-05-02"), pd.Timestamp("2024-01-09"), pd.NaT]),
            "amount": rng.choice([100.0, 5000.0, np.nan]),
            "pnb": rng.choice([1000.0, np.nan]),
            "row_number": 1,
        }
        decision = int(rng.choice([-1, 0, 1]))
        frame = pd.DataFrame([row])
        full = apply_rules(frame, [decision], cfg, prior_validations=prior)
        one = rules_for_one(row, decision, cfg, prior)
        got = (one.decision, one.code, one.reason_fr, one.reason_en)
        want = (int(full.decisions[0]), full.codes[0], full.reasons[0], full.reasons_en[0])
        assert got == want, (row, decision)
        moved.add(one.code)
    assert moved == {"", "amount_above_pnb", "max_auto_validations"}


def test_the_stores_rows_and_a_history_frame_give_the_same_features(tiny_model):
    """:class:`ClientClaims` (the single-claim unit's read) against the frame, many claims."""
    from core.store.api_unit import ClientClaims

    scorer = RowScorer(tiny_model)
    history = _claims(800, seed=6, id_start=1)
    history["label_excluded"] = np.arange(len(history)) % 4 == 0
    history["label"] = history["label"].astype("Int8").mask(np.arange(len(history)) % 5 == 0)
    history.loc[::11, "date"] = pd.NaT
    claims = _claims(300, seed=6, id_start=9001)
    claims["client_id"] = history["client_id"].sample(300, replace=True, random_state=1).to_numpy()
    claims.loc[::9, "id"] = history["id"].iloc[:34].to_numpy()  # an ID already stored
    counted = 0
    for row in claims.to_dict("records"):
        mine = history[history["client_id"] == row["client_id"]]
        rows = ClientClaims(
            ids=tuple(mine["id"]),
            dates=mine["date"].to_numpy("datetime64[ns]"),
            labels=tuple(None if pd.isna(v) else int(v) for v in mine["label"]),
            excluded=tuple(mine["label_excluded"]),
            validated=np.zeros(len(mine), dtype=bool),
        )
        want = scorer.features(row, history)
        np.testing.assert_array_equal(scorer.features(row, rows), want)
        counted += want[scorer.names.index("prior_claims_total")] > 0
    assert counted >= 100
