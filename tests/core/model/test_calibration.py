"""Tests of probability calibration, ECE and the reliability curve (core/calibration.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression

from core.model.calibration import (
    Calibrator,
    choose_calibrator,
    expected_calibration_error,
    fit_calibrator,
    log_loss,
    reliability_curve,
)


def test_ece_on_a_hand_example():
    # 10 equal-width bins; one claim per bin except bin 1, which holds two.
    y = np.array([0, 1, 0, 1, 1])
    p = np.array([0.12, 0.18, 0.05, 0.75, 1.0])
    # bin 0: |0.05 - 0| = 0.05 (1 claim); bin 1: |0.15 - 0.5| = 0.35 (2 claims);
    # bin 7: |0.75 - 1| = 0.25 (1); bin 9 (1.0 falls in the last bin): |1 - 1| = 0.
    expected = (0.05 * 1 + 0.35 * 2 + 0.25 * 1 + 0.0 * 1) / 5
    assert expected_calibration_error(y, p, n_bins=10) == pytest.approx(expected)


def test_ece_is_zero_when_each_bin_matches_its_rate():
    y = np.array([0, 0, 0, 1] * 25 + [1, 1, 1, 0] * 25)
    p = np.array([0.25] * 100 + [0.75] * 100)
    assert expected_calibration_error(y, p) == pytest.approx(0.0)


def test_reliability_curve_lists_non_empty_bins():
    y = np.array([0, 1, 0, 1, 1])
    p = np.array([0.12, 0.18, 0.05, 0.75, 1.0])
    curve = reliability_curve(y, p, n_bins=10)
    assert [row["count"] for row in curve] == [1, 2, 1, 1]
    assert curve[1] == {
        "bin_lower": 0.1,
        "bin_upper": 0.2,
        "mean_predicted": pytest.approx(0.15),
        "observed_rate": 0.5,
        "count": 2,
    }


def _margins(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Margins twice too confident: the true log-odds are margin / 2 - 0.3."""
    rng = np.random.default_rng(seed)
    margin = rng.normal(0, 2.5, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(margin / 2 - 0.3)))).astype(float)
    return margin, y


@pytest.mark.parametrize("method", ["isotonic", "sigmoid", "identity"])
def test_json_round_trip_gives_identical_probabilities(method):
    margin, y = _margins()
    cal = fit_calibrator(method, margin, y)
    again = Calibrator.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again == cal
    grid = np.linspace(-12, 12, 301)
    np.testing.assert_array_equal(again.predict(grid), cal.predict(grid))


def test_sigmoid_recovers_the_true_scaling():
    margin, y = _margins(20000)
    cal = fit_calibrator("sigmoid", margin, y)
    assert cal.a == pytest.approx(0.5, abs=0.05)
    assert cal.b == pytest.approx(-0.3, abs=0.08)


def test_isotonic_matches_scikit_learn():
    margin, y = _margins()
    cal = fit_calibrator("isotonic", margin, y)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(margin, y)
    grid = np.linspace(-15, 15, 501)
    np.testing.assert_allclose(cal.predict(grid), np.clip(iso.predict(grid), 1e-6, 1 - 1e-6))
    assert np.all(np.diff(cal.predict(grid)) >= 0)


def test_choice_is_cross_fitted_and_improves_on_raw_margins():
    margin, y = _margins()
    choice = choose_calibrator(margin, y)
    assert set(choice.scores) == {"isotonic", "sigmoid"}
    assert choice.method in ("isotonic", "sigmoid")
    raw = 1 / (1 + np.exp(-margin))
    calibrated = choice.calibrator.predict(margin)
    assert log_loss(y, calibrated) < log_loss(y, raw)
    assert expected_calibration_error(y, calibrated) < expected_calibration_error(y, raw)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        Calibrator("platt")
