"""Three-way decision, evaluation and the vectorised cost surface against naive loops."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.decide.costs import CostModel
from core.decide.decisions import DECISION_CODES, CostSurface, decide, evaluate
from core.exceptions import InvalidThresholdsError, WorkbenchError

COSTS = CostModel(
    audit_cost=120.0,
    wrongful_validation_factor=0.9,
    wrongful_validation_fixed=25.0,
    wrongful_rejection_fixed=400.0,
    wrongful_rejection_factor=0.15,
    auditor_error_rate=0.07,
)


def _data(n: int, seed: int = 0, ties: bool = False):
    rng = np.random.default_rng(seed)
    p = rng.beta(1.2, 1.2, n)
    if ties:
        p = np.round(p, 2)
    y = (rng.random(n) < p).astype(int)
    amount = rng.lognormal(7.5, 1.0, n)
    return p, amount, y


def _naive(p, low, high, costs, amount, y):
    """Per-claim Python loop straight from the issue's formulas."""
    out = {
        "counts": {-1: 0, 0: 0, 1: 0},
        "exp": 0.0,
        "exp_all": 0.0,
        "real": 0.0,
        "real_all": 0.0,
        "exp_wv": 0.0,
        "exp_wv_amount": 0.0,
        "exp_wr": 0.0,
        "exp_wr_cost": 0.0,
    }
    e = costs.auditor_error_rate
    for pi, ai, yi in zip(p, amount, y, strict=True):
        cwv = costs.wrongful_validation_fixed + costs.wrongful_validation_factor * ai
        cwr = costs.wrongful_rejection_fixed + costs.wrongful_rejection_factor * ai
        audit_exp = costs.audit_cost + e * (pi * cwr + (1 - pi) * cwv)
        audit_real = costs.audit_cost + e * (yi * cwr + (1 - yi) * cwv)
        code = -1 if pi < low else (1 if pi >= high and high < 1 else 0)
        out["counts"][code] += 1
        out["exp_all"] += audit_exp
        out["real_all"] += audit_real
        if code == -1:
            out["exp"] += pi * cwr
            out["real"] += yi * cwr
            out["exp_wr"] += pi
            out["exp_wr_cost"] += pi * cwr
        elif code == 1:
            out["exp"] += (1 - pi) * cwv
            out["real"] += (1 - yi) * cwv
            out["exp_wv"] += 1 - pi
            out["exp_wv_amount"] += (1 - pi) * ai
        else:
            out["exp"] += audit_exp
            out["real"] += audit_real
    return out


# ------------------------------------------------------------------------------ decide


def test_decision_codes():
    assert DECISION_CODES == {-1: "Rejet Auto", 0: "Audit Humain", 1: "Validation Auto"}


def test_decide_boundaries():
    p = np.array([0.0, 0.1999, 0.2, 0.5, 0.7999, 0.8, 1.0])
    assert decide(p, 0.2, 0.8).tolist() == [-1, -1, 0, 0, 0, 1, 1]
    assert decide(p, 0.2, 0.8).dtype == np.int8


def test_decide_equal_thresholds_has_no_audit_zone():
    p = np.linspace(0, 1, 101)
    codes = decide(p, 0.5, 0.5)
    assert 0 not in codes
    assert codes[p < 0.5].tolist() == [-1] * 50 and codes[p >= 0.5].tolist() == [1] * 51


def test_decide_ends_of_the_scale():
    p = np.array([0.0, 0.3, 1.0, np.nan])
    assert decide(p, 0.0, 1.0).tolist() == [0, 0, 0, 0]  # audit everything, even p == 1
    assert decide(p, 0.0, 0.0).tolist() == [1, 1, 1, 0]  # NaN probability -> audit


@pytest.mark.parametrize("low, high", [(0.6, 0.4), (-0.1, 0.5), (0.2, 1.1), (np.nan, 0.5)])
def test_decide_refuses_bad_thresholds(low, high):
    with pytest.raises(InvalidThresholdsError) as info:
        decide(np.array([0.5]), low, high)
    assert isinstance(info.value, ValueError) and isinstance(info.value, WorkbenchError)


def test_decide_refuses_probabilities_outside_0_1():
    with pytest.raises(WorkbenchError):
        decide(np.array([0.5, 1.2]), 0.2, 0.8)


# -------------------------------------------------------------------------- evaluation


@pytest.mark.parametrize("ties", [False, True])
def test_surface_evaluate_equals_naive_loop(ties):
    p, amount, y = _data(700, seed=3, ties=ties)
    surface = CostSurface(p, amount, y, costs=COSTS)
    rng = np.random.default_rng(4)
    pairs = [tuple(sorted(rng.random(2))) for _ in range(15)]
    pairs += [(0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (0.3, 0.3), (0.25, 0.75)]
    for low, high in pairs:
        ev, ref = surface.evaluate(low, high), _naive(p, low, high, COSTS, amount, y)
        assert ev.counts == ref["counts"]
        assert ev.n == 700 and sum(ev.shares.values()) == pytest.approx(1.0)
        assert ev.automation_rate == pytest.approx((ref["counts"][-1] + ref["counts"][1]) / 700)
        got = [
            ev.expected_cost,
            ev.expected_cost_audit_all,
            ev.realised_cost,
            ev.realised_cost_audit_all,
        ]
        want = [ref["exp"], ref["exp_all"], ref["real"], ref["real_all"]]
        assert np.allclose(got, want, rtol=1e-9)
        got = [
            ev.expected_wrongful_validations,
            ev.expected_wrongful_validation_amount,
            ev.expected_wrongful_rejections,
            ev.expected_wrongful_rejection_cost,
        ]
        want = [ref["exp_wv"], ref["exp_wv_amount"], ref["exp_wr"], ref["exp_wr_cost"]]
        assert np.allclose(got, want, rtol=1e-9, atol=1e-9)
        assert ev.expected_net_gain == pytest.approx(ref["exp_all"] - ref["exp"])
        assert ev.realised_net_gain == pytest.approx(ref["real_all"] - ref["real"])


def test_surface_evaluate_equals_full_pass_evaluate():
    p, amount, y = _data(5000, seed=5)
    surface = CostSurface(p, amount, y, costs=COSTS)
    for low, high in [(0.1, 0.9), (0.35, 0.6), (0.0, 0.5), (0.5, 1.0)]:
        fast, full = (
            surface.evaluate(low, high),
            evaluate(p, low, high, costs=COSTS, amount=amount, y=y),
        )
        assert fast.counts == full.counts and fast.realised_confusion == full.realised_confusion
        for key, value in full.to_dict().items():
            if isinstance(value, float):
                assert fast.to_dict()[key] == pytest.approx(value, rel=1e-9, abs=1e-6), key


def test_evaluation_counts_and_amounts_per_decision():
    p, amount, y = _data(2000, seed=6)
    ev = CostSurface(p, amount, y, costs=COSTS).evaluate(0.2, 0.7)
    codes = decide(p, 0.2, 0.7)
    for code in (-1, 0, 1):
        assert ev.counts[code] == int((codes == code).sum())
        assert ev.amounts[code] == pytest.approx(amount[codes == code].sum())
        justified = int(y[codes == code].sum())
        assert ev.realised_confusion[code] == {
            "justified": justified,
            "unjustified": ev.counts[code] - justified,
        }
    assert ev.realised_wrongful_validations == int(((codes == 1) & (y == 0)).sum())
    assert ev.realised_wrongful_rejections == int(((codes == -1) & (y == 1)).sum())


def test_expected_and_realised_costs_agree_on_calibrated_labels():
    rng = np.random.default_rng(7)
    n = 200_000
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    ev = CostSurface(p, None, y, costs=CostModel()).evaluate(0.3, 0.9)
    assert ev.realised_cost == pytest.approx(ev.expected_cost, rel=0.02)
    assert ev.realised_wrongful_validations == pytest.approx(
        ev.expected_wrongful_validations, rel=0.05
    )


def test_no_labels_means_no_realised_figures():
    p, amount, _ = _data(300)
    surface = CostSurface(p, amount, costs=COSTS)
    ev = surface.evaluate(0.2, 0.8)
    assert ev.realised_cost is None and ev.realised_net_gain is None
    assert ev.realised_confusion is None and not ev.has_labels
    with pytest.raises(WorkbenchError):
        surface.surface([0.1], [0.9], realised=True)


def test_audit_everything_has_zero_net_gain():
    p, amount, y = _data(1000, seed=8)
    p[:10] = 1.0  # isotonic calibration yields exact ones
    ev = CostSurface(p, amount, y, costs=COSTS).evaluate(0.0, 1.0)
    assert ev.counts == {-1: 0, 0: 1000, 1: 0}
    assert ev.expected_net_gain == 0.0 and ev.realised_net_gain == 0.0
    assert ev.automation_rate == 0.0


def test_fallback_amount_flag():
    p, _, y = _data(400, seed=9)
    costs = CostModel(fallback_amount=3000.0)
    ev = CostSurface(p, None, y, costs=costs).evaluate(0.2, 0.8)
    assert ev.amount_fallback and ev.n_amount_fallback == 400
    assert ev.amounts[1] == pytest.approx(3000.0 * ev.counts[1])
    same = CostSurface(p, np.full(400, 3000.0), y, costs=costs).evaluate(0.2, 0.8)
    assert not same.amount_fallback and same.expected_cost == pytest.approx(ev.expected_cost)
    partial = np.full(400, 3000.0)
    partial[:5] = np.nan
    assert CostSurface(p, partial, costs=costs).evaluate(0.2, 0.8).n_amount_fallback == 5


def test_decisions_are_in_original_order():
    p, amount, _ = _data(500, seed=10)
    surface = CostSurface(p, amount, costs=COSTS)
    assert np.array_equal(surface.decisions(0.3, 0.6), decide(p, 0.3, 0.6))


def test_evaluation_to_dict_is_json():
    p, amount, y = _data(100)
    payload = json.loads(
        json.dumps(CostSurface(p, amount, y, costs=COSTS).evaluate(0.2, 0.8).to_dict())
    )
    assert payload["counts"].keys() == {"-1", "0", "1"}
    assert (
        payload["realised_confusion"]["1"]["unjustified"]
        == payload["realised_wrongful_validations"]
    )


# ----------------------------------------------------------------------------- surface


@pytest.mark.parametrize("realised", [False, True])
def test_surface_matches_evaluate_at_grid_points(realised):
    p, amount, y = _data(3000, seed=11, ties=True)
    surface = CostSurface(p, amount, y, costs=COSTS)
    lows, highs = np.linspace(0, 1, 21), np.linspace(0, 1, 11)
    gain = surface.surface(lows, highs, realised=realised)
    cost = surface.surface(lows, highs, realised=realised, metric="cost")
    assert gain.shape == (21, 11)
    for r, low in enumerate(lows):
        for c, high in enumerate(highs):
            if low > high:
                assert np.isnan(gain[r, c]) and np.isnan(cost[r, c])
                continue
            ev = surface.evaluate(low, high)
            want_gain = ev.realised_net_gain if realised else ev.expected_net_gain
            want_cost = ev.realised_cost if realised else ev.expected_cost
            assert gain[r, c] == pytest.approx(want_gain, rel=1e-9, abs=1e-6)
            assert cost[r, c] == pytest.approx(want_cost, rel=1e-9, abs=1e-6)
    assert gain[0, -1] == 0.0  # (0, 1): audit everything


def test_cut_thresholds_reproduce_their_split():
    p, amount, _ = _data(400, seed=12, ties=True)
    surface = CostSurface(p, amount, costs=COSTS)
    low_ok, high_ok = surface.valid_cuts()
    for k in np.flatnonzero(high_ok):
        t = surface.cut_threshold(int(k))
        assert surface.cut_high(t) == k
        if low_ok[k]:
            assert surface.cut_low(t) == k


@pytest.mark.parametrize("width", [1, 2, 3, 7, 50])
def test_window_max_matches_a_loop(width):
    from core.decide.decisions import _window_max

    x = np.random.default_rng(13).normal(size=23)
    want = [x[i : i + width].max() for i in range(x.size)]
    assert np.array_equal(_window_max(x, width), want)


def test_cost_config_is_accepted_for_costs():
    from core.config.settings import CostConfig

    p, amount, y = _data(200, seed=14)
    cfg = CostConfig(audit_cost=80.0)
    via_config = CostSurface(p, amount, y, costs=cfg).evaluate(0.2, 0.8)
    via_model = evaluate(p, 0.2, 0.8, costs=CostModel.from_config(cfg), amount=amount, y=y)
    assert via_config.expected_cost == pytest.approx(via_model.expected_cost)
