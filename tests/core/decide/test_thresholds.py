"""Threshold choosers: cost minimum, Yao closed form, audit capacity, error guarantee."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.thresholds import (
    ThresholdChoice,
    choose_capacity,
    choose_closed_form,
    choose_cost_minimum,
    choose_guarantee,
    choose_guarantee_per_side,
    clopper_pearson_upper,
    manual_choice,
)
from core.exceptions import WorkbenchError


def _calibrated(n: int, seed: int, *, amounts: bool = False, shape: float = 1.0):
    """Calibrated probabilities p ~ Beta(shape, shape) and labels y ~ Bernoulli(p)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(shape, shape, n)
    y = (rng.random(n) < p).astype(int)
    amount = rng.lognormal(7.5, 0.8, n) if amounts else None
    return p, amount, y


# ------------------------------------------------------------------------ closed form


def test_closed_form_choice_by_hand():
    choice = choose_closed_form(CostModel())
    assert (choice.low, choice.high) == (pytest.approx(0.3), pytest.approx(0.925))
    assert choice.source == "closed-form" and choice.feasible
    assert choice.details["alpha"] == pytest.approx(0.925)
    assert choice.details["beta"] == pytest.approx(0.3)
    assert choice.details["amount_fallback"]
    assert math.isnan(choice.expected_cost)  # no claims given: nothing to cost


def test_closed_form_uses_the_median_amount():
    costs = CostModel()  # Cwv = amount
    choice = choose_closed_form(costs, np.array([1000.0, 4000.0, 9000.0]))
    assert choice.details["representative_amount"] == 4000.0
    assert choice.high == pytest.approx((4000 - 150) / 4000)
    assert "median amount" in choice.note and not choice.details["amount_fallback"]


def test_closed_form_collapse_is_said():
    choice = choose_closed_form(CostModel(audit_cost=1000.0))
    assert choice.low == choice.high == pytest.approx(0.8)
    assert not choice.details["three_way"] and "two-way" in choice.note


def test_closed_form_is_near_minimal_on_calibrated_data():
    p, _, y = _calibrated(200_000, seed=1)
    surface = CostSurface(p, None, y, costs=CostModel())
    closed = choose_closed_form(surface.costs, surface=surface)
    grid = np.linspace(0, 1, 101)
    expected = surface.surface(grid, grid, metric="cost")
    realised = surface.surface(grid, grid, metric="cost", realised=True)
    # Pointwise Bayes-optimal: no grid pair beats it in expectation.
    assert closed.expected_cost <= np.nanmin(expected) * (1 + 1e-9)
    assert closed.realised_cost <= np.nanmin(realised) * 1.01


# ----------------------------------------------------------------------- cost minimum


def test_cost_minimum_is_the_best_grid_pair():
    p, amount, y = _calibrated(20_000, seed=2, amounts=True)
    surface = CostSurface(p, amount, y, costs=CostModel(wrongful_rejection_factor=0.1))
    grid = np.linspace(0, 1, 51)
    for realised in (True, False):
        choice = choose_cost_minimum(surface, grid=51, realised=realised)
        costs = surface.surface(grid, grid, metric="cost", realised=realised)
        got = choice.realised_cost if realised else choice.expected_cost
        assert got == pytest.approx(np.nanmin(costs))
        assert choice.details["basis"] == ("realised" if realised else "expected")
        assert choice.source == "cost-optimal" and choice.low <= choice.high


def test_exact_cost_minimum_beats_every_grid_pair():
    p, amount, y = _calibrated(5_000, seed=3, amounts=True)
    surface = CostSurface(p, amount, y, costs=CostModel())
    exact = choose_cost_minimum(surface, grid=None)
    on_grid = choose_cost_minimum(surface, grid=101)
    assert exact.realised_cost <= on_grid.realised_cost + 1e-6
    assert exact.details["best_net_gain"] == pytest.approx(exact.realised_net_gain)


def test_cost_minimum_without_labels_is_expected():
    p, amount, _ = _calibrated(2_000, seed=4, amounts=True)
    choice = choose_cost_minimum(CostSurface(p, amount, costs=CostModel()))
    assert choice.details["basis"] == "expected" and choice.realised_cost is None


# --------------------------------------------------------------------------- capacity


@pytest.mark.parametrize("cap", [0, 10, 150, 4000])
def test_capacity_respects_the_cap(cap):
    p, amount, _ = _calibrated(4_000, seed=5, amounts=True)
    surface = CostSurface(p, amount, costs=CostModel())
    choice = choose_capacity(surface, max_claims=cap)
    assert choice.evaluation.counts[0] <= cap
    assert choice.evaluation.counts[0] == choice.details["audited"]
    by_share = choose_capacity(surface, max_share=cap / 4_000)
    assert by_share.evaluation.counts[0] <= cap


def test_capacity_is_optimal_among_all_split_points():
    rng = np.random.default_rng(6)
    p = np.round(rng.random(60), 1)  # many ties: only some splits are reachable
    amount = rng.lognormal(7, 1, 60)
    surface = CostSurface(p, amount, costs=CostModel())
    candidates = np.concatenate(([0.0, 1.0], np.unique(p), (np.unique(p)[:-1] + 0.05)))
    for cap in (0, 3, 12):
        best = -np.inf
        for low in candidates:
            for high in candidates[candidates >= low]:
                ev = surface.evaluate(low, high)
                if ev.counts[0] <= cap:
                    best = max(best, ev.expected_net_gain)
        assert choose_capacity(surface, max_claims=cap).net_gain == pytest.approx(best)


def test_capacity_not_binding_matches_the_exact_optimum():
    p, amount, _ = _calibrated(3_000, seed=7, amounts=True)
    surface = CostSurface(p, amount, costs=CostModel())
    choice = choose_capacity(surface, max_share=1.0)
    assert not choice.details["binding"]
    exact = choose_cost_minimum(surface, grid=None, realised=False)
    assert choice.net_gain == pytest.approx(exact.net_gain)


def test_capacity_needs_a_limit():
    p, _, _ = _calibrated(10, seed=8)
    with pytest.raises(ValueError):
        choose_capacity(CostSurface(p, costs=CostModel()))


# -------------------------------------------------------------------------- guarantee


def test_clopper_pearson_upper_bound():
    # k = 0: the bound solves (1 - u)^n = alpha.
    assert clopper_pearson_upper(0, 50, 0.05) == pytest.approx(1 - 0.05 ** (1 / 50))
    # One-sided at 1 - alpha is the upper end of the two-sided exact interval at 1 - 2 alpha.
    ci = stats.binomtest(7, 120).proportion_ci(confidence_level=0.9, method="exact")
    assert clopper_pearson_upper(7, 120, 0.05) == pytest.approx(ci.high)
    assert clopper_pearson_upper([3, 0], [3, 0], 0.05).tolist() == [1.0, 1.0]


def test_per_side_guarantee_holds_on_fresh_calibrated_data():
    epsilon, delta = 0.05, 0.1
    fresh_p, _, fresh_y = _calibrated(200_000, seed=99, shape=0.5)
    held = 0
    for seed in range(20):
        p, _, y = _calibrated(5_000, seed=seed, shape=0.5)
        choice = choose_guarantee_per_side(p, y, epsilon=epsilon, delta=delta)
        assert choice.feasible and choice.low < choice.high < 1.0
        validated, rejected = fresh_p >= choice.high, fresh_p < choice.low
        wrong_validation = 1 - fresh_y[validated].mean()
        wrong_rejection = fresh_y[rejected].mean() if rejected.any() else 0.0
        held += wrong_validation <= epsilon and wrong_rejection <= epsilon
    assert held >= 18


def test_per_side_guarantee_bounds_are_bonferroni_corrected():
    p, _, y = _calibrated(5_000, seed=10, shape=0.5)
    choice = choose_guarantee_per_side(p, y, epsilon=0.05, delta=0.1, grid=51)
    d = choice.details
    assert d["m_high"] == 50 and d["confidence_per_bound"] == pytest.approx(1 - 0.1 / 50)
    bound = clopper_pearson_upper(d["validated_unjustified"], d["validated"], 0.1 / 50)
    assert d["validation_error_bound"] == pytest.approx(float(bound)) and bound <= 0.05


def test_guarantee_infeasible_on_tiny_samples():
    p, _, y = _calibrated(30, seed=11)
    choice = choose_guarantee(p, y, epsilon=0.02, delta=0.05)
    assert not choice.feasible
    assert (choice.low, choice.high) == (0.0, 1.0)
    assert "audit everything" in choice.note


def test_guarantee_needs_labels():
    with pytest.raises(WorkbenchError):
        choose_guarantee(np.array([0.5]), None, epsilon=0.1, delta=0.1)


def test_guarantee_with_surface_is_costed():
    p, amount, y = _calibrated(5_000, seed=12, amounts=True)
    surface = CostSurface(p, amount, y, costs=CostModel())
    choice = choose_guarantee(p, y, epsilon=0.05, delta=0.1, surface=surface)
    assert choice.evaluation is not None and choice.net_gain == choice.evaluation.expected_net_gain


# ------------------------------------------------------------------------ the result


def test_threshold_choice_validates_and_serialises():
    with pytest.raises(ValueError):
        ThresholdChoice(0.2, 0.8, 0.0, 0.0, "magic")
    with pytest.raises(ValueError):
        ThresholdChoice(0.9, 0.8, 0.0, 0.0, "manual")
    payload = json.loads(json.dumps(manual_choice(0.2, 0.8).to_dict()))
    assert payload["source"] == "manual" and payload["expected_cost"] is None
    p, amount, y = _calibrated(500, seed=13, amounts=True)
    costed = manual_choice(0.2, 0.8, CostSurface(p, amount, y, costs=CostModel()))
    assert json.loads(json.dumps(costed.to_dict()))["evaluation"]["n"] == 500
