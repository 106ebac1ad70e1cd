"""Probability calibration of booster margins, expected calibration error, reliability curve.

A :class:`Calibrator` maps the booster's raw margin (log-odds) to a calibrated probability:

* ``sigmoid`` (Platt scaling): ``p = 1 / (1 + exp(-(a * margin + b)))``;
* ``isotonic``: a non-decreasing step-linear map stored as its thresholds ``x`` / ``y``
  and applied with ``np.interp`` (constant beyond the ends), exactly what
  ``sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")`` predicts;
* ``identity``: the sigmoid of the margin (no calibration).

:func:`choose_calibrator` picks the method on validation data by cross-fitting (each fold
is predicted by a calibrator fitted on the other folds, so the comparison is not
optimistic), by log-loss then ECE, and refits the winner on all validation rows.
Probabilities are clipped to ``[1e-6, 1 - 1e-6]`` so log-loss stays finite.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "METHODS",
    "CalibrationChoice",
    "Calibrator",
    "choose_calibrator",
    "cross_fitted",
    "expected_calibration_error",
    "fit_calibrator",
    "reliability_curve",
]

log = logging.getLogger(__name__)

METHODS = ("isotonic", "sigmoid", "identity")
EPS = 1e-6


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


@dataclass(frozen=True)
class Calibrator:
    """Margin -> calibrated probability; JSON round trip via to_dict / from_dict."""

    method: str = "identity"
    a: float = 1.0  # sigmoid slope
    b: float = 0.0  # sigmoid intercept
    x: tuple[float, ...] = ()  # isotonic thresholds (margins, increasing)
    y: tuple[float, ...] = ()  # isotonic values at x (non-decreasing)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method {self.method!r} is not one of {', '.join(METHODS)}")
        if self.method == "isotonic" and (len(self.x) != len(self.y) or not self.x):
            raise ValueError("an isotonic calibrator needs as many x as y thresholds (>= 1)")

    def predict(self, margin: ArrayLike) -> np.ndarray:
        """Calibrated probabilities of the given margins."""
        m = np.asarray(margin, dtype=float)
        if self.method == "isotonic":
            p = np.interp(m, np.asarray(self.x), np.asarray(self.y))
        elif self.method == "sigmoid":
            p = _sigmoid(self.a * m + self.b)
        else:
            p = _sigmoid(m)
        return np.clip(p, EPS, 1.0 - EPS)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method}
        if self.method == "sigmoid":
            out |= {"a": self.a, "b": self.b}
        if self.method == "isotonic":
            out |= {"x": list(self.x), "y": list(self.y)}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibrator:
        return cls(
            method=str(data["method"]),
            a=float(data.get("a", 1.0)),
            b=float(data.get("b", 0.0)),
            x=tuple(float(v) for v in data.get("x", ())),
            y=tuple(float(v) for v in data.get("y", ())),
        )


def fit_calibrator(method: str, margin: ArrayLike, y: ArrayLike) -> Calibrator:
    """Fit one calibration method on (margin, label) pairs (scikit-learn is imported here
    only: applying a calibrator needs numpy alone, so scoring never loads it)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    m = np.asarray(margin, dtype=float)
    t = np.asarray(y, dtype=float)
    if method == "identity":
        return Calibrator("identity")
    if method == "sigmoid":
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(m.reshape(-1, 1), t)
        return Calibrator("sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(m, t)
        return Calibrator(
            "isotonic",
            x=tuple(iso.X_thresholds_.astype(float).tolist()),
            y=tuple(iso.y_thresholds_.astype(float).tolist()),
        )
    raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class CalibrationChoice:
    """The chosen calibrator and the cross-fitted scores of every method tried."""

    calibrator: Calibrator
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # method -> metrics

    @property
    def method(self) -> str:
        return self.calibrator.method


def choose_calibrator(
    margin: ArrayLike,
    y: ArrayLike,
    *,
    methods: tuple[str, ...] = ("isotonic", "sigmoid"),
    n_folds: int = 5,
    n_bins: int = 10,
    seed: int = 0,
) -> CalibrationChoice:
    """Pick the method with the lowest cross-fitted log-loss (ties: ECE); refit on all."""
    m = np.asarray(margin, dtype=float)
    t = np.asarray(y, dtype=float)
    folds = np.random.default_rng(seed).permutation(m.size) % n_folds
    scores: dict[str, dict[str, float]] = {}
    for method in methods:
        p = np.empty(m.size)
        for k in range(n_folds):
            held = folds == k
            p[held] = fit_calibrator(method, m[~held], t[~held]).predict(m[held])
        scores[method] = {
            "log_loss": log_loss(t, p),
            "ece": expected_calibration_error(t, p, n_bins=n_bins),
        }
    best = min(methods, key=lambda k: (round(scores[k]["log_loss"], 6), scores[k]["ece"]))
    log.info("calibration: %s chosen (%s)", best, scores)
    return CalibrationChoice(fit_calibrator(best, m, t), scores)


def log_loss(y: ArrayLike, p: ArrayLike) -> float:
    """Mean negative log-likelihood (probabilities clipped to [1e-15, 1 - 1e-15])."""
    t = np.asarray(y, dtype=float)
    q = np.clip(np.asarray(p, dtype=float), 1e-15, 1 - 1e-15)
    return float(-np.mean(t * np.log(q) + (1 - t) * np.log(1 - q)))


def _bin_index(p: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-width bins on [0, 1]; the last bin includes 1."""
    return np.clip((p * n_bins).astype(int), 0, n_bins - 1)


def expected_calibration_error(y: ArrayLike, p: ArrayLike, *, n_bins: int = 10) -> float:
    """ECE = sum over equal-width bins of (bin share) x |mean p - observed rate|."""
    t = np.asarray(y, dtype=float)
    q = np.asarray(p, dtype=float)
    if q.size == 0:
        return float("nan")
    idx = _bin_index(q, n_bins)
    count = np.bincount(idx, minlength=n_bins)
    gap = np.abs(
        np.bincount(idx, weights=q, minlength=n_bins)
        - np.bincount(idx, weights=t, minlength=n_bins)
    )
    return float(gap.sum() / q.size) if count.sum() else float("nan")


def reliability_curve(y: ArrayLike, p: ArrayLike, *, n_bins: int = 10) -> list[dict[str, float]]:
    """Per non-empty bin: bounds, mean predicted probability, observed rate, count."""
    t = np.asarray(y, dtype=float)
    q = np.asarray(p, dtype=float)
    idx = _bin_index(q, n_bins)
    count = np.bincount(idx, minlength=n_bins)
    sum_p = np.bincount(idx, weights=q, minlength=n_bins)
    sum_y = np.bincount(idx, weights=t, minlength=n_bins)
    return [
        {
            "bin_lower": b / n_bins,
            "bin_upper": (b + 1) / n_bins,
            "mean_predicted": float(sum_p[b] / count[b]),
            "observed_rate": float(sum_y[b] / count[b]),
            "count": int(count[b]),
        }
        for b in range(n_bins)
        if count[b]
    ]


def cross_fitted(
    margin: ArrayLike, y: ArrayLike, method: str, *, n_folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Probabilities of each row from a calibrator fitted on the other folds: an honest
    stand-in for new claims when the same rows also choose the model and the thresholds."""
    m = np.asarray(margin, dtype=float)
    t = np.asarray(y, dtype=float)
    folds = np.random.default_rng(seed).permutation(m.size) % n_folds
    p = np.empty(m.size)
    for k in range(n_folds):
        held = folds == k
        p[held] = fit_calibrator(method, m[~held], t[~held]).predict(m[held])
    return p
