"""Three-way decision from a threshold pair, and its cost on a set of claims.

``p < low`` -> Rejet Auto (-1), ``low <= p < high`` -> Audit Humain (0), ``p >= high`` ->
Validation Auto (1), with ``0 <= low <= high <= 1`` (Yao 2010, three-way decisions: accept /
defer / reject). Convention at the ends of the scale: ``high = 1`` means *no* automatic
validation (even for ``p == 1``, which isotonic calibration produces), so ``(0, 1)`` always
means "audit everything"; ``low = 0`` rejects nothing by construction.

:class:`CostSurface` sorts the probabilities once and keeps cumulative sums of ``a``, ``p``,
``p*a``, ``y`` and ``y*a`` in sorted order. The claims rejected by ``low`` are a prefix of the
sorted order and those validated by ``high`` a suffix, so every zone total is a difference of
two cumulative sums found by binary search: one evaluation is O(log n), and the net gain
separates as ``gain(low) + gain(high)``, which makes a whole (low, high) grid an outer sum.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike

from core.config.settings import CostConfig
from core.decide.costs import (
    AUDIT,
    CODES,
    REJECT,
    VALIDATE,
    CostModel,
    Evaluation,
    ZoneTotals,
    as_cost_model,
)
from core.decide.costs import assemble_evaluation as _assemble
from core.exceptions import InvalidThresholdsError, WorkbenchError

logger = logging.getLogger(__name__)

DECISION_CODES: dict[int, str] = {-1: "Rejet Auto", 0: "Audit Humain", 1: "Validation Auto"}

_A, _P, _PA, _Y, _YA = range(5)  # rows of CostSurface._cum


def check_thresholds(low: float, high: float) -> tuple[float, float]:
    """Return ``(low, high)`` as floats, or raise :class:`InvalidThresholdsError`."""
    try:
        low_f, high_f = float(low), float(high)
    except (TypeError, ValueError) as exc:
        raise InvalidThresholdsError(
            f"Thresholds must be numbers (got {low!r}, {high!r})."
        ) from exc
    if not (0.0 <= low_f <= high_f <= 1.0):  # also False for NaN
        raise InvalidThresholdsError(
            f"Thresholds need 0 <= low <= high <= 1 (got low={low_f}, high={high_f})."
        )
    return low_f, high_f


def check_probabilities(p: ArrayLike, *, allow_nan: bool = False) -> np.ndarray:
    """``p`` as a 1-D float array in [0, 1] (NaN allowed only when asked)."""
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1:
        raise WorkbenchError(f"Probabilities must be a 1-D array (got shape {arr.shape}).")
    values = arr[~np.isnan(arr)] if allow_nan else arr
    if not np.all(np.isfinite(values)):
        raise WorkbenchError("Probabilities must be finite numbers.")
    if values.size and (values.min() < 0.0 or values.max() > 1.0):
        raise WorkbenchError("Probabilities must lie between 0 and 1.")
    return arr


def check_labels(y: ArrayLike | None, n: int) -> np.ndarray | None:
    """Labels as a float array of 0/1 (1 = justified), or None when absent."""
    if y is None:
        return None
    arr = np.asarray(y, dtype=float).ravel()
    if arr.shape != (n,):
        raise WorkbenchError(f"Got {arr.size} labels for {n} claims.")
    if not np.all((arr == 0.0) | (arr == 1.0)):
        raise WorkbenchError("Labels must all be 0 or 1; drop unlabelled claims first.")
    return arr


def decide(p: ArrayLike, low: float, high: float) -> np.ndarray:
    """Decision codes (int8) for probabilities ``p``; a NaN probability goes to audit."""
    low, high = check_thresholds(low, high)
    arr = check_probabilities(p, allow_nan=True)
    validate = arr >= high if high < 1.0 else np.zeros(arr.shape, dtype=bool)
    return validate.astype(np.int8) - (arr < low).astype(np.int8)


def evaluate(
    p: ArrayLike,
    low: float,
    high: float,
    *,
    costs: CostModel | CostConfig,
    amount: ArrayLike | None = None,
    y: ArrayLike | None = None,
) -> Evaluation:
    """Evaluate one threshold pair by a full pass over the claims (O(n)).

    The straightforward reference for :meth:`CostSurface.evaluate`: per-claim costs from
    :class:`CostModel`, summed per decision. Use a :class:`CostSurface` for repeated queries.
    """
    costs = as_cost_model(costs)
    arr = check_probabilities(p)
    a, n_fallback = costs.resolve_amounts(amount, arr.size)
    labels = check_labels(y, arr.size)
    codes = decide(arr, low, high)
    zones = {}
    for code in CODES:
        m = codes == code
        zones[code] = _naive_zone(costs, code, a[m], arr[m], None if labels is None else labels[m])
    return _assemble(low, high, zones, n_amount_fallback=n_fallback)


def _naive_zone(
    costs: CostModel, code: int, a: np.ndarray, p: np.ndarray, y: np.ndarray | None
) -> ZoneTotals:
    """Zone totals from per-claim costs (one zone's claims only)."""
    own = {REJECT: costs.rejection, AUDIT: costs.audit, VALIDATE: costs.validation}[code]
    errors = {REJECT: p.sum(), AUDIT: 0.0, VALIDATE: (1.0 - p).sum()}[code]
    value = {
        REJECT: costs.rejection(a, p).sum(),
        AUDIT: 0.0,
        VALIDATE: ((1.0 - p) * a).sum(),
    }[code]
    zone = ZoneTotals(p.size, a.sum(), own(a, p).sum(), costs.audit(a, p).sum(), errors, value)
    if y is None:
        return zone
    r_value = {REJECT: costs.rejection(a, y).sum(), AUDIT: 0.0, VALIDATE: ((1.0 - y) * a).sum()}
    return zone._replace(
        realised_cost=own(a, y).sum(),
        realised_audit_cost=costs.audit(a, y).sum(),
        realised_error_value=r_value[code],
        justified=int(y.sum()),
    )


class CostSurface:
    """Costs of every threshold pair on one set of claims, fitted once, queried cheaply.

    Fitting sorts ``p`` (O(n log n)) and stores five cumulative sums; afterwards
    :meth:`evaluate` is O(log n) and :meth:`surface` O(m log n + m_low * m_high).
    """

    def __init__(
        self,
        p: ArrayLike,
        amount: ArrayLike | None = None,
        y: ArrayLike | None = None,
        *,
        costs: CostModel | CostConfig,
    ) -> None:
        self.costs = costs = as_cost_model(costs)
        probs = check_probabilities(p)
        self.n = int(probs.size)
        a, self.n_amount_fallback = costs.resolve_amounts(amount, self.n)
        labels = check_labels(y, self.n)
        self.has_labels = labels is not None
        self.order_ = np.argsort(probs, kind="stable")
        self.p_sorted_ = probs[self.order_]
        self._amount_sorted = a = a[self.order_]
        rows = [a, self.p_sorted_, self.p_sorted_ * a]
        if labels is not None:
            ys = labels[self.order_]
            rows += [ys, ys * a]
        self._cum = np.zeros((len(rows), self.n + 1))
        for r, row in enumerate(rows):
            np.cumsum(row, out=self._cum[r, 1:])
        logger.debug("cost surface fitted on %d claims (labels: %s)", self.n, self.has_labels)

    @property
    def amount_fallback(self) -> bool:
        return self.n_amount_fallback > 0

    def median_amount(self) -> float:
        """Median amount of the claims (fallback amounts included); a representative amount."""
        return float(np.median(self._amount_sorted)) if self.n else self.costs.fallback_amount

    # ----------------------------------------------------------------- cut positions
    def cut_low(self, low: ArrayLike) -> np.ndarray:
        """Number of claims with ``p < low`` (the rejected prefix of the sorted order)."""
        return np.searchsorted(self.p_sorted_, low, side="left")

    def cut_high(self, high: ArrayLike) -> np.ndarray:
        """Index where validation starts in the sorted order (``n`` when ``high >= 1``)."""
        cut = np.searchsorted(self.p_sorted_, high, side="left")
        return np.where(np.asarray(high) >= 1.0, self.n, cut)

    def cut_threshold(self, k: int) -> float:
        """A threshold that splits the sorted claims at position ``k`` (used as low or high).

        The midpoint between the neighbouring probabilities when it separates them, else the
        upper neighbour; 0 and 1 at the ends (1 rejects everything below 1, validates none).
        """
        if k <= 0:
            return 0.0
        if k >= self.n:
            return 1.0
        below, above = float(self.p_sorted_[k - 1]), float(self.p_sorted_[k])
        mid = 0.5 * (below + above)
        return mid if below < mid <= above else above

    def valid_cuts(self) -> tuple[np.ndarray, np.ndarray]:
        """Masks over positions 0..n that a low / high threshold can realise (ties cannot split)."""
        inner = np.ones(self.n + 1, dtype=bool)
        inner[1:-1] = self.p_sorted_[:-1] < self.p_sorted_[1:]
        low_ok = inner.copy()
        low_ok[-1] = self.n == 0 or self.p_sorted_[-1] < 1.0
        return low_ok, inner

    # ------------------------------------------------------------------------ sums
    def _rows(self, realised: bool) -> tuple[int, int]:
        if realised and not self.has_labels:
            raise WorkbenchError("Realised costs need labelled claims.")
        return (_Y, _YA) if realised else (_P, _PA)

    def _costs_of_sums(
        self, s: np.ndarray, count: ArrayLike, realised: bool
    ) -> tuple[np.ndarray, ...]:
        """(reject, audit, validate) costs of zones whose sums over the rows are ``s``."""
        q, qa = self._rows(realised)
        return self.costs.zone_costs(count, s[_A], s[q], s[qa])

    def _zone_costs(self, i: ArrayLike, j: ArrayLike, realised: bool) -> tuple[np.ndarray, ...]:
        """(reject, audit, validate) costs of sorted zones ``[i, j)``, elementwise."""
        i, j = np.broadcast_arrays(np.asarray(i), np.asarray(j))
        return self._costs_of_sums(self._cum[:, j] - self._cum[:, i], j - i, realised)

    def cut_gains(self, *, realised: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Net gain of rejecting the first ``k`` claims, and of validating from ``k`` on.

        ``net_gain(low, high) = g_low[cut_low(low)] + g_high[cut_high(high)]``, for every
        ``k`` in 0..n.
        """
        k = np.arange(self.n + 1)
        reject, audit_pre, _ = self._costs_of_sums(self._cum, k, realised)
        _, audit_suf, validate = self._costs_of_sums(
            self._cum[:, -1:] - self._cum, self.n - k, realised
        )
        return audit_pre - reject, audit_suf - validate

    def best_split(
        self, max_audit: int | None = None, *, realised: bool = False
    ) -> tuple[int, int, float]:
        """Exact best split positions ``(i, j)``, ``0 <= j - i <= max_audit``, and its net gain.

        Net gain separates as ``g_low[i] + g_high[j]``, so for each ``i`` the best ``j`` is a
        sliding-window maximum: O(n) after the fit. Only splits a threshold can realise
        (between distinct probabilities) are considered; :meth:`cut_threshold` maps them back.
        """
        width = self.n if max_audit is None else max(0, int(max_audit))
        g_low, g_high = self.cut_gains(realised=realised)
        low_ok, high_ok = self.valid_cuts()
        g_high = np.where(high_ok, g_high, -np.inf)
        total = np.where(low_ok, g_low + _window_max(g_high, width + 1), -np.inf)
        i = int(np.argmax(total))
        j = i + int(np.argmax(g_high[i : i + width + 1]))
        return i, j, float(total[i])

    # --------------------------------------------------------------------- queries
    def decisions(self, low: float, high: float) -> np.ndarray:
        """Decision codes in the claims' original order."""
        codes = np.empty(self.n, dtype=np.int8)
        codes[self.order_] = decide(self.p_sorted_, low, high)
        return codes

    def evaluate(self, low: float, high: float) -> Evaluation:
        """Counts, shares, amounts, expected (and realised) cost and net gain; O(log n)."""
        low, high = check_thresholds(low, high)
        i, j = int(self.cut_low(low)), int(self.cut_high(high))
        bounds = {REJECT: (0, i), AUDIT: (i, j), VALIDATE: (j, self.n)}
        zones = {code: self._zone_totals(code, *bounds[code]) for code in CODES}
        return _assemble(low, high, zones, n_amount_fallback=self.n_amount_fallback)

    def _zone_totals(self, code: int, i: int, j: int) -> ZoneTotals:
        s = self._cum[:, j] - self._cum[:, i]
        count = j - i
        reject, audit, validate = self.costs.zone_costs(count, s[_A], s[_P], s[_PA])
        own = {REJECT: reject, AUDIT: audit, VALIDATE: validate}[code]
        errors = {REJECT: s[_P], AUDIT: 0.0, VALIDATE: count - s[_P]}[code]
        value = {REJECT: reject, AUDIT: 0.0, VALIDATE: s[_A] - s[_PA]}[code]
        zone = ZoneTotals(
            count, float(s[_A]), float(own), float(audit), float(errors), float(value)
        )
        if not self.has_labels:
            return zone
        r_reject, r_audit, r_validate = self.costs.zone_costs(count, s[_A], s[_Y], s[_YA])
        r_own = {REJECT: r_reject, AUDIT: r_audit, VALIDATE: r_validate}[code]
        r_value = {REJECT: r_reject, AUDIT: 0.0, VALIDATE: s[_A] - s[_YA]}[code]
        return zone._replace(
            realised_cost=float(r_own),
            realised_audit_cost=float(r_audit),
            realised_error_value=float(r_value),
            justified=round(float(s[_Y])),
        )

    def surface(
        self,
        lows: ArrayLike,
        highs: ArrayLike,
        *,
        realised: bool = False,
        metric: str = "net_gain",
    ) -> np.ndarray:
        """Grid ``[len(lows), len(highs)]`` of net gain (or cost); NaN where low > high.

        Uses the separation ``net_gain = g_low[cut_low] + g_high[cut_high]``: two binary
        searches per grid value and one outer sum.
        """
        if metric not in ("net_gain", "cost"):
            raise ValueError(f"metric must be 'net_gain' or 'cost' (got {metric!r})")
        lo = np.asarray(lows, dtype=float).ravel()
        hi = np.asarray(highs, dtype=float).ravel()
        for name, t in (("lows", lo), ("highs", hi)):
            if t.size and not (np.all(t >= 0.0) and np.all(t <= 1.0)):
                raise InvalidThresholdsError(f"{name} must lie between 0 and 1.")
        i, j = self.cut_low(lo), self.cut_high(hi)
        reject, audit_pre, _ = self._zone_costs(0, i, realised)
        _, audit_suf, validate = self._zone_costs(j, self.n, realised)
        grid = (audit_pre - reject)[:, None] + (audit_suf - validate)[None, :]
        if metric == "cost":
            grid = self.audit_all_cost(realised=realised) - grid
        grid[lo[:, None] > hi[None, :]] = np.nan
        return grid

    def audit_all_cost(self, *, realised: bool = False) -> float:
        """Cost of auditing every claim (the reference of the net gain)."""
        return float(self._zone_costs(0, self.n, realised)[1])


def _window_max(x: np.ndarray, width: int) -> np.ndarray:
    """``out[i] = max(x[i : i + width])`` in O(len(x)) (van Herk / Gil-Werman blocks)."""
    n = x.size
    w = max(1, min(width, n))
    padded = np.full(-(-n // w) * w + w, -np.inf)
    padded[:n] = x
    blocks = padded.reshape(-1, w)
    prefix = np.maximum.accumulate(blocks, axis=1).ravel()
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    idx = np.arange(n)
    return np.maximum(suffix[idx], prefix[idx + w - 1])
