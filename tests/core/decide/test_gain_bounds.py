"""The net gain's confidence interval and the safe pair (lower bound, not point estimate)."""

from __future__ import annotations

import numpy as np
import pytest

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap, choose_safe_gain, quantile_grid
from core.exceptions import WorkbenchError


def _claims(n: int, seed: int, signal: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(0.6, 0.6, n)
    truth = signal * p + (1 - signal) * 0.5  # signal 0: the probabilities say nothing
    y = (rng.random(n) < truth).astype(float)
    return p, y, rng.lognormal(7, 1, n)


def test_point_estimate_is_the_realised_net_gain_and_inside_the_interval():
    p, y, a = _claims(3000, seed=1)
    boot = GainBootstrap(p, y, a, costs=CostModel(), confidence=0.9, resamples=200)
    surface = CostSurface(p, a, y, costs=CostModel())
    for low, high in ((0.2, 0.8), (0.0, 1.0), (0.35, 0.35), (0.0, 0.9)):
        got = boot.interval(low, high)
        assert got.net_gain == pytest.approx(surface.evaluate(low, high).realised_net_gain)
        assert got.lower <= got.net_gain <= got.upper
    assert boot.interval(0.0, 1.0).net_gain == 0.0 and boot.interval(0.0, 1.0).lower == 0.0


def test_interval_narrows_with_more_claims():
    widths = []
    for n in (400, 8000):
        p, y, a = _claims(n, seed=2)
        got = GainBootstrap(p, y, a, costs=CostModel(), resamples=200).interval(0.2, 0.8)
        widths.append((got.upper - got.lower) / n)
    assert widths[1] < widths[0] / 2


def test_interval_covers_the_expected_gain_of_a_fixed_pair():
    """Two-sided 80 % interval (one-sided 90 % each end): covers the gain per claim expected
    on the population (estimated on 200,000 claims) most of the time."""
    big_p, big_y, big_a = _claims(200_000, seed=500)
    expected = CostSurface(big_p, big_a, big_y, costs=CostModel()).evaluate(0.2, 0.8)
    per_claim = expected.realised_net_gain / 200_000
    covered = 0
    for seed in range(20):
        p, y, a = _claims(1000, seed=seed)
        got = GainBootstrap(p, y, a, costs=CostModel(), resamples=200, seed=seed)
        got = got.interval(0.2, 0.8)
        covered += got.lower <= per_claim * 1000 <= got.upper
    assert covered >= 13


def test_safe_pair_never_loses_money_on_fresh_claims():
    """The pair maximising the lower bound realises a gain >= 0 on new claims."""
    for seed in range(8):
        p, y, a = _claims(600, seed=seed)
        surface = CostSurface(p, a, y, costs=CostModel())
        choice = choose_safe_gain(surface, p, y, a, confidence=0.9, resamples=200, seed=seed)
        fp, fy, fa = _claims(5000, seed=1000 + seed)
        fresh = CostSurface(fp, fa, fy, costs=CostModel()).evaluate(choice.low, choice.high)
        assert fresh.realised_net_gain >= 0


def test_no_signal_means_audit_everything_and_says_why():
    p, y, a = _claims(300, seed=3, signal=0.0)
    surface = CostSurface(p, a, y, costs=CostModel())
    choice = choose_safe_gain(surface, p, y, a, confidence=0.9, resamples=200)
    assert (choice.low, choice.high) == (0.0, 1.0) and not choice.feasible
    assert "audit everything" in choice.note
    assert choice.source == "safe-gain"


def test_safe_pair_differs_from_the_point_maximum_when_it_is_noisy():
    p, y, a = _claims(600, seed=4)
    boot = GainBootstrap(p, y, a, costs=CostModel(), thresholds=quantile_grid(p), resamples=200)
    best, safe = boot.safest()
    assert safe and best.lower > 0
    bounds = boot.lower_bounds()
    assert np.nanmax(bounds) == pytest.approx(best.lower)


def test_needs_labels():
    with pytest.raises(WorkbenchError):
        GainBootstrap(np.array([0.2, 0.7]), None, costs=CostModel())
