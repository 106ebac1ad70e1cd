"""The MAPIE error guarantee: error among automatic decisions <= epsilon w.p. 1 - delta."""

from __future__ import annotations

import numpy as np

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.guarantee import candidate_pairs, choose_guarantee, choose_guarantee_per_side


def _calibrated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(0.5, 0.5, n)
    return p, (rng.random(n) < p).astype(float)


def _error_and_automation(p, y, low, high):
    auto = (p < low) | ((p >= high) & (high < 1))
    wrong = ((p < low) & (y == 1)) | ((p >= high) & (high < 1) & (y == 0))
    return (wrong.sum() / auto.sum() if auto.any() else 0.0), auto.mean()


def test_guarantee_holds_on_fresh_claims():
    epsilon, delta = 0.05, 0.1
    fresh_p, fresh_y = _calibrated(200_000, seed=99)
    held = 0
    for seed in range(20):
        p, y = _calibrated(4000, seed=seed)
        choice = choose_guarantee(p, y, epsilon=epsilon, delta=delta)
        assert choice.feasible and choice.source == "guarantee"
        error, _ = _error_and_automation(fresh_p, fresh_y, choice.low, choice.high)
        held += error <= epsilon
    assert held >= 18


def test_mapie_automates_at_least_as_much_as_the_per_side_chooser():
    p, y = _calibrated(5000, seed=7)
    fresh_p, fresh_y = _calibrated(100_000, seed=70)
    new = choose_guarantee(p, y, epsilon=0.05, delta=0.1)
    old = choose_guarantee_per_side(p, y, epsilon=0.05, delta=0.1)
    _, auto_new = _error_and_automation(fresh_p, fresh_y, new.low, new.high)
    _, auto_old = _error_and_automation(fresh_p, fresh_y, old.low, old.high)
    assert auto_new >= auto_old


def test_tiny_samples_audit_everything():
    p, y = _calibrated(30, seed=11)
    choice = choose_guarantee(p, y, epsilon=0.02, delta=0.05)
    assert not choice.feasible and (choice.low, choice.high) == (0.0, 1.0)
    assert "audit everything" in choice.note and choice.details["min_n_without_errors"] > 30


def test_candidate_pairs_sit_on_the_slider_grid_and_leave_out_audit_all():
    p, _ = _calibrated(1000, seed=1)
    pairs = candidate_pairs(p, 10, 101)
    assert np.all(pairs[:, 0] <= pairs[:, 1])
    assert np.allclose(pairs * 100, np.round(pairs * 100))
    assert not any((lo, hi) == (0.0, 1.0) for lo, hi in pairs)


def test_guarantee_with_surface_is_costed():
    p, y = _calibrated(3000, seed=12)
    surface = CostSurface(p, None, y, costs=CostModel())
    choice = choose_guarantee(p, y, epsilon=0.05, delta=0.1, surface=surface)
    assert choice.evaluation is not None
    assert choice.details["automatic"] == round(choice.evaluation.automation_rate * 3000)
