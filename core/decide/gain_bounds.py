"""The net gain of a threshold pair with its confidence interval, and the safe pair.

A pair chosen at the maximum of the realised net gain on a few hundred validation claims
is optimistic: on the next period it can lose money against auditing everything. Here the
uncertainty is measured by a bootstrap over the labelled claims (Poisson(1) weights, the
usual large-sample stand-in for resampling with replacement) and the pair is chosen to
maximise the *lower* confidence bound of the gain, not its point estimate.

:class:`GainBootstrap` is fitted once on labelled claims (probabilities, labels, amounts,
costs) for a set of candidate thresholds (the slider's 0.01 grid by default, or quantiles
of the probabilities); every query is then a few array look-ups:

* :meth:`GainBootstrap.interval` — the realised net gain of one pair on these claims and
  its two-sided interval (what the Thresholds page shows beside the slider and each
  suggestion);
* :meth:`GainBootstrap.safest` / :func:`choose_safe_gain` — the pair whose lower bound is
  highest. When no pair's lower bound is above zero, nothing beats "audit everything" with
  the stated confidence: the choice is (0, 1) and says why.

The net gain separates as ``gain(low) + gain(high)`` (rejections are a prefix of the claims
sorted by probability, validations a suffix), so each resample needs two cumulative sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from core.config.settings import CostConfig
from core.decide.choice import ThresholdChoice, make_choice
from core.decide.costs import CostModel, as_cost_model
from core.decide.decisions import CostSurface, check_labels, check_probabilities
from core.exceptions import WorkbenchError

__all__ = ["GainBootstrap", "GainInterval", "choose_safe_gain", "quantile_grid"]

_CHUNK = 4096  # claims per block of bootstrap weights (memory: resamples x chunk)


@dataclass(frozen=True)
class GainInterval:
    """Realised net gain of one pair on labelled claims, with its bootstrap interval."""

    low: float
    high: float
    net_gain: float  # on these claims (point estimate)
    lower: float  # lower bound at ``confidence`` (one-sided)
    upper: float  # upper bound at ``confidence`` (one-sided)
    confidence: float
    n: int
    resamples: int

    @property
    def beats_audit_all(self) -> bool:
        """True when even the lower bound is a gain over auditing every claim."""
        return self.lower > 0

    def to_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def quantile_grid(p: ArrayLike, size: int = 41) -> np.ndarray:
    """Candidate thresholds: 0, 1 and ``size`` quantiles of ``p`` (midpoints between ties)."""
    probs = np.sort(check_probabilities(p))
    if not probs.size:
        return np.array([0.0, 1.0])
    q = np.quantile(probs, np.linspace(0, 1, size + 2)[1:-1])
    return np.unique(np.concatenate(([0.0, 1.0], np.clip(q, 0.0, 1.0))))


class GainBootstrap:
    """Bootstrap of the realised net gain of every (low, high) pair of a threshold grid."""

    def __init__(
        self,
        p: ArrayLike,
        y: ArrayLike,
        amount: ArrayLike | None = None,
        *,
        costs: CostModel | CostConfig,
        thresholds: ArrayLike | None = None,
        confidence: float = 0.9,
        resamples: int = 300,
        seed: int = 0,
    ) -> None:
        if not 0.5 <= confidence < 1 or resamples < 20:
            raise ValueError("need confidence in [0.5, 1) and at least 20 resamples")
        self.costs = costs = as_cost_model(costs)
        probs = check_probabilities(p)
        labels = check_labels(y, probs.size)
        if labels is None:
            raise WorkbenchError("A confidence interval of the net gain needs labelled claims.")
        a, _ = costs.resolve_amounts(amount, probs.size)
        self.confidence, self.resamples, self.n = confidence, resamples, int(probs.size)
        grid = np.linspace(0, 1, 101) if thresholds is None else np.asarray(thresholds, float)
        self.thresholds = np.unique(np.clip(grid, 0.0, 1.0))
        order = np.argsort(probs, kind="stable")
        p_sorted, ys, a = probs[order], labels[order], a[order]
        audit = costs.audit(a, ys)
        reject_gain = audit - costs.rejection(a, ys)  # gain of rejecting each claim
        validate_gain = audit - costs.validation(a, ys)  # gain of validating it
        cut_low = np.searchsorted(p_sorted, self.thresholds, side="left")
        cut_high = np.where(self.thresholds >= 1.0, self.n, cut_low)
        self._cut_low, self._cut_high = cut_low, cut_high
        weights = _poisson_blocks(self.n, resamples, seed)
        self._reject = _cumulative_at(reject_gain, cut_low, weights)  # (B + 1, m)
        validate = _cumulative_at(validate_gain, cut_high, weights)
        total = _cumulative_at(validate_gain, np.array([self.n]), weights)
        self._validate = total - validate  # gain of validating from each cut on
        self._quantiles = ((1 - confidence), confidence)

    def _index(self, low: float, high: float) -> tuple[int, int]:
        if not 0.0 <= low <= high <= 1.0:
            raise WorkbenchError(f"Thresholds need 0 <= low <= high <= 1 (got {low}, {high}).")
        return _nearest(self.thresholds, low), _nearest(self.thresholds, high)

    def interval(self, low: float, high: float) -> GainInterval:
        """The pair's realised net gain and its interval (thresholds snap to the grid)."""
        i, j = self._index(low, high)
        gains = self._reject[:, i] + self._validate[:, j]
        lower, upper = np.quantile(gains[1:], self._quantiles)
        return GainInterval(
            float(self.thresholds[i]), float(self.thresholds[j]), float(gains[0]),
            float(lower), float(upper), self.confidence, self.n, self.resamples,
        )  # fmt: skip

    def lower_bounds(self) -> np.ndarray:
        """Lower bound of the gain of every grid pair (rows: low, columns: high; NaN when
        low > high)."""
        m = self.thresholds.size
        out = np.full((m, m), np.nan)
        boot_v = self._validate[1:]
        for i in range(m):
            j = np.arange(i, m)
            gains = self._reject[1:, i][:, None] + boot_v[:, j]
            out[i, j] = np.quantile(gains, self._quantiles[0], axis=0)
        return out

    def safest(self) -> tuple[GainInterval, bool]:
        """(the pair with the highest lower bound, whether that bound beats auditing all);
        (0, 1) when none does."""
        bounds = self.lower_bounds()
        i, j = np.unravel_index(int(np.nanargmax(bounds)), bounds.shape)
        best = self.interval(float(self.thresholds[i]), float(self.thresholds[j]))
        if best.lower > 0:
            return best, True
        return self.interval(0.0, 1.0), False


def choose_safe_gain(
    surface: CostSurface,
    p: ArrayLike,
    y: ArrayLike,
    amount: ArrayLike | None = None,
    *,
    confidence: float = 0.9,
    resamples: int = 300,
    grid: ArrayLike | None = None,
    seed: int = 0,
) -> ThresholdChoice:
    """The pair maximising the lower ``confidence`` bound of the realised net gain.

    ``grid``: candidate thresholds (default: 41 quantiles of ``p`` plus 0 and 1). When no
    pair's lower bound beats auditing everything, the choice is (0, 1), ``feasible=False``,
    and the note says why.
    """
    thresholds = quantile_grid(p) if grid is None else grid
    boot = GainBootstrap(
        p, y, amount, costs=surface.costs, thresholds=thresholds, confidence=confidence,
        resamples=resamples, seed=seed,
    )  # fmt: skip
    best, safe = boot.safest()
    level = f"{confidence:.0%}"
    if safe:
        note = (
            f"Largest lower bound of the net gain ({level} confidence, bootstrap over the "
            f"{boot.n} labelled claims): at least {best.lower:,.0f} {surface.costs.currency} "
            "better than auditing every claim."
        )
    else:
        note = (
            f"No pair beats auditing every claim with {level} confidence on these {boot.n} "
            "labelled claims (its lower bound is at most 0): audit everything until more "
            "labels narrow the interval."
        )
    details = {"interval": best.to_dict(), "candidates": int(boot.thresholds.size)}
    details |= {"basis": "lower bound of the realised net gain", "beats_audit_all": safe}
    return make_choice(
        surface, best.low, best.high, "safe-gain", details=details, feasible=safe, note=note
    )


def _poisson_blocks(n: int, resamples: int, seed: int) -> list[np.ndarray]:
    """Bootstrap weights by blocks of claims: row 0 is all ones (the data as is)."""
    rng = np.random.default_rng(seed)
    blocks = []
    for start in range(0, max(n, 1), _CHUNK):
        size = min(_CHUNK, n - start)
        w = rng.poisson(1.0, size=(resamples + 1, max(size, 0))).astype(float)
        w[0] = 1.0
        blocks.append(w)
    return blocks


def _cumulative_at(values: np.ndarray, cuts: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """``out[b, k]`` = weighted sum of ``values[:cuts[k]]`` under resample ``b``."""
    out = np.zeros((weights[0].shape[0], cuts.size))
    start = 0
    running = np.zeros(weights[0].shape[0])
    for w in weights:
        size = w.shape[1]
        if size == 0:
            break
        partial = np.cumsum(w * values[start : start + size], axis=1)
        inside = (cuts > start) & (cuts <= start + size)
        out[:, inside] = running[:, None] + partial[:, cuts[inside] - start - 1]
        running = running + partial[:, -1]
        start += size
    beyond = cuts > start
    out[:, beyond] = running[:, None]
    return out


def _nearest(grid: np.ndarray, value: float) -> int:
    i = int(np.searchsorted(grid, value))
    if i >= grid.size:
        return grid.size - 1
    if i > 0 and not math.isclose(grid[i], value) and value - grid[i - 1] < grid[i] - value:
        return i - 1
    return i
