"""The comparison step of training: five plain models, single-threaded, the forest sized to
the data (its cost stops growing with the rows), each scored on the same validation and
test rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.decide.costs import CostModel
from core.model.compare import RF_ROWS_PER_TREE, compare_models, make_candidates


def _forest(candidates):
    return candidates["random_forest"].steps[-1][1]


def test_the_forest_is_single_threaded_and_draws_a_bounded_sample_per_tree():
    small = _forest(make_candidates(["a", "b"], seed=0, n_rows=5_000))
    large = _forest(make_candidates(["a", "b"], seed=0, n_rows=40_000))
    assert small.n_jobs == 1 and large.n_jobs == 1
    assert small.max_samples is None  # small data: classic bootstrap of every row
    assert large.max_samples * 40_000 == RF_ROWS_PER_TREE
    for name, model in make_candidates(["a", "b"], seed=0, n_rows=40_000).items():
        jobs = model.get_params().get("n_jobs", 1) if hasattr(model, "get_params") else 1
        assert jobs in (None, 1), name


def test_every_candidate_is_scored_on_the_same_rows():
    rng = np.random.default_rng(0)

    def part(n: int):
        x = pd.DataFrame({"amount": rng.gamma(2, 500, n), "family_code": rng.integers(0, 4, n)})
        p = 1 / (1 + np.exp(-(x["amount"] / 1000 - 1 + 0.3 * x["family_code"])))
        return x, (rng.random(n) < p).astype(int), x["amount"].to_numpy()

    data = {"train": part(1500), "valid": part(500), "test": part(500)}
    rows = compare_models(data, CostModel(), seed=0)
    assert [r["model"] for r in rows] == list(make_candidates(["amount", "family_code"]))
    assert all(0.5 < r["test_auc"] <= 1 for r in rows)
