"""Threshold choosers: four ways to pick (low, high), each returning a :class:`ThresholdChoice`.

- ``cost-optimal``: the empirical maximum of the net gain on a grid of (low, high)
  (realised costs on labelled validation data, else expected costs from the probabilities);
- ``closed-form``: the thresholds implied by the costs alone for calibrated probabilities
  (Yao 2010, "Three-way decisions with probabilistic rough sets", Information Sciences 180);
- ``capacity``: the best policy that sends at most K claims (or x %) to human audit;
- ``guarantee``: automatic decisions whose error rates are at most epsilon with confidence
  1 - delta, from exact binomial (Clopper-Pearson 1934) upper bounds, Bonferroni-corrected
  over the thresholds scanned.

Choices are comparable on one chart: ``expected_cost`` and ``net_gain`` are always expected
(from the probabilities); realised figures sit beside them when labels exist.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from core.config.settings import CostConfig
from core.decide.costs import (
    ClosedFormThresholds,
    CostModel,
    Evaluation,
    as_cost_model,
    closed_form_per_claim,
    yao_losses,
)
from core.decide.decisions import CostSurface, check_labels, check_probabilities, check_thresholds
from core.exceptions import WorkbenchError

__all__ = [
    "SOURCES",
    "ClosedFormThresholds",
    "ThresholdChoice",
    "choose_capacity",
    "choose_closed_form",
    "choose_cost_minimum",
    "choose_guarantee",
    "clopper_pearson_upper",
    "closed_form_per_claim",
    "manual_choice",
]

SOURCES = ("cost-optimal", "closed-form", "capacity", "guarantee", "manual")


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold pair, where it came from, and what it costs (NaN when not evaluated)."""

    low: float
    high: float
    expected_cost: float
    net_gain: float
    source: str
    details: dict[str, Any] = field(default_factory=dict)
    feasible: bool = True
    note: str = ""
    realised_cost: float | None = None
    realised_net_gain: float | None = None
    evaluation: Evaluation | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {', '.join(SOURCES)}")
        check_thresholds(self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (NaN costs become None)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for key in ("expected_cost", "net_gain"):
            out[key] = None if math.isnan(out[key]) else out[key]
        out["evaluation"] = None if self.evaluation is None else self.evaluation.to_dict()
        return out


def _choice(
    surface: CostSurface | None, low: float, high: float, source: str, **kwargs: Any
) -> ThresholdChoice:
    """A ThresholdChoice with its costs filled in from ``surface`` when given."""
    if surface is None:
        return ThresholdChoice(low, high, math.nan, math.nan, source, **kwargs)
    ev = surface.evaluate(low, high)
    return ThresholdChoice(
        ev.low,
        ev.high,
        ev.expected_cost,
        ev.expected_net_gain,
        source,
        realised_cost=ev.realised_cost,
        realised_net_gain=ev.realised_net_gain,
        evaluation=ev,
        **kwargs,
    )


def manual_choice(low: float, high: float, surface: CostSurface | None = None) -> ThresholdChoice:
    """Thresholds set by hand (costs filled in when a surface is given)."""
    low, high = check_thresholds(low, high)
    return _choice(surface, low, high, "manual", note="Thresholds set by hand.")


# ----------------------------------------------------------------------- cost minimum


def choose_cost_minimum(
    surface: CostSurface, *, grid: int | None = 101, realised: bool = True
) -> ThresholdChoice:
    """Pair of the grid ``linspace(0, 1, grid)`` x same with the lowest cost.

    Realised costs when ``realised`` and the surface has labels, expected costs otherwise.
    ``grid=None`` searches every split point between distinct probabilities exactly.
    A minimum of realised costs is optimistic on the data it was found on.
    """
    basis_realised = realised and surface.has_labels
    basis = "realised" if basis_realised else "expected"
    if grid is None:
        i, j, best = surface.best_split(realised=basis_realised)
        low, high = surface.cut_threshold(i), surface.cut_threshold(j)
    else:
        if grid < 2:
            raise ValueError("grid must be at least 2")
        values = np.linspace(0.0, 1.0, grid)
        gains = surface.surface(values, values, realised=basis_realised)
        r, c = np.unravel_index(int(np.nanargmax(gains)), gains.shape)
        low, high, best = float(values[r]), float(values[c]), float(gains[r, c])
    note = (
        "Lowest realised cost on the labelled claims (optimistic on these same claims)."
        if basis_realised
        else "Lowest expected cost from the model probabilities (assumes calibration)."
    )
    details = {"basis": basis, "grid": grid, "best_net_gain": best, "n": surface.n}
    return _choice(surface, low, high, "cost-optimal", details=details, note=note)


def choose_capacity(
    surface: CostSurface,
    *,
    max_claims: int | None = None,
    max_share: float | None = None,
    realised: bool = False,
) -> ThresholdChoice:
    """Lowest-cost pair sending at most ``max_claims`` (and/or ``max_share`` of n) to audit.

    Searched exactly over split points (a grid is too coarse for small capacities), on
    expected costs unless ``realised`` (and labels exist).
    """
    cap = _audit_cap(surface.n, max_claims, max_share)
    basis_realised = realised and surface.has_labels
    i, j, best = surface.best_split(cap, realised=basis_realised)
    free_i, free_j, free_best = surface.best_split(realised=basis_realised)
    binding = free_j - free_i > cap
    return _choice(
        surface,
        surface.cut_threshold(i),
        surface.cut_threshold(j),
        "capacity",
        details={
            "capacity": cap,
            "audited": j - i,
            "n": surface.n,
            "basis": "realised" if basis_realised else "expected",
            "binding": binding,
            "unconstrained_audited": free_j - free_i,
            "unconstrained_net_gain": free_best,
            "net_gain_on_basis": best,
        },
        note=(
            f"At most {cap} audits for {surface.n} claims."
            + (
                f" The cap binds: without it {free_j - free_i} audits would gain "
                f"{free_best - best:,.0f} {surface.costs.currency} more."
                if binding
                else " The cap does not bind."
            )
        ),
    )


def _audit_cap(n: int, max_claims: int | None, max_share: float | None) -> int:
    """The tighter of the two limits, in claims."""
    if max_claims is None and max_share is None:
        raise ValueError("give max_claims or max_share")
    caps = [n]
    if max_claims is not None:
        if max_claims < 0:
            raise ValueError("max_claims must be >= 0")
        caps.append(int(max_claims))
    if max_share is not None:
        if not 0.0 <= max_share <= 1.0:
            raise ValueError("max_share must be between 0 and 1")
        caps.append(math.floor(max_share * n + 1e-9))
    return min(caps)


# ------------------------------------------------------------------------ closed form


def choose_closed_form(
    costs: CostModel | CostConfig,
    amount: ArrayLike | None = None,
    *,
    surface: CostSurface | None = None,
) -> ThresholdChoice:
    """Global Yao pair for a representative (median) amount; see :func:`closed_form_per_claim`.

    Amounts come from ``amount``, else from ``surface``, else ``costs.fallback_amount``.
    With a surface the choice is also costed on its claims.
    """
    costs = as_cost_model(costs)
    rep, n_fallback, n_claims = _representative_amount(costs, amount, surface)
    cf = closed_form_per_claim(costs, rep)
    alpha, beta, gamma = float(cf.alpha[0]), float(cf.beta[0]), float(cf.gamma[0])
    details = {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "three_way": bool(cf.three_way[0]),
        "representative_amount": rep,
        "amount_fallback": n_fallback > 0,
        "alpha_formula": "(l_PN - l_BN) / ((l_PN - l_BN) + (l_BP - l_PP))",
        "beta_formula": "(l_BN - l_NN) / ((l_BN - l_NN) + (l_NP - l_BP))",
        "gamma_formula": "(l_PN - l_NN) / ((l_PN - l_NN) + (l_NP - l_PP))",
        "losses": {k: float(v) for k, v in yao_losses(costs, rep).items()},
    }
    note = _closed_form_note(costs, details, all_fallback=n_fallback >= n_claims)
    low, high = float(cf.low[0]), float(cf.high[0])
    return _choice(surface, low, high, "closed-form", details=details, note=note)


def _representative_amount(
    costs: CostModel, amount: ArrayLike | None, surface: CostSurface | None
) -> tuple[float, int, int]:
    """(median amount, number of fallback amounts, number of claims)."""
    if amount is not None:
        a = np.asarray(amount, dtype=float).ravel()
        a, n_fallback = costs.resolve_amounts(a, a.size)
        return (float(np.median(a)) if a.size else costs.fallback_amount), n_fallback, a.size
    if surface is not None:
        return surface.median_amount(), surface.n_amount_fallback, surface.n
    return costs.fallback_amount, 1, 1


def _closed_form_note(costs: CostModel, details: dict[str, Any], *, all_fallback: bool) -> str:
    notes = ["Optimal for calibrated probabilities (Yao's three-way decisions)."]
    if not details["three_way"]:
        notes.append(
            f"alpha = {details['alpha']:.3f} <= beta = {details['beta']:.3f}: no audit is "
            f"worth its cost, so the decision is two-way at gamma = {details['gamma']:.3f} "
            "(low = high = gamma)."
        )
    if costs.depends_on_amount and not all_fallback:
        notes.append(
            f"Costs depend on the amount: pair for the median amount "
            f"({details['representative_amount']:,.0f} {costs.currency}); per-claim "
            "thresholds vary with the amount."
        )
    if details["amount_fallback"]:
        notes.append(
            f"{'All' if all_fallback else 'Some'} amounts are the fallback amount "
            f"({costs.fallback_amount:,.0f} {costs.currency})."
        )
    return " ".join(notes)


# -------------------------------------------------------------------------- guarantee


def clopper_pearson_upper(k: ArrayLike, n: ArrayLike, alpha: float) -> np.ndarray:
    """One-sided exact upper bound on a binomial rate at confidence ``1 - alpha``.

    ``Beta(1 - alpha; k + 1, n - k)`` quantile (Clopper & Pearson 1934); 1 when ``k = n``
    (including ``n = 0``: no data bounds nothing).
    """
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float))
    ok = k_arr < n_arr
    upper = stats.beta.ppf(1.0 - alpha, k_arr + 1.0, np.where(ok, n_arr - k_arr, 1.0))
    return np.where(ok, upper, 1.0)


def _scan_side(
    sorted_p: np.ndarray, cum_y: np.ndarray, thresholds: np.ndarray, alpha: float, validate: bool
) -> dict[str, np.ndarray]:
    """Per threshold: claims decided automatically, wrong ones, and the upper bound.

    Validation side: claims with ``p >= t`` and the unjustified among them; rejection side:
    claims with ``p < t`` and the justified among them.
    """
    cut = np.searchsorted(sorted_p, thresholds, side="left")
    if validate:
        count = sorted_p.size - cut
        errors = count - (cum_y[-1] - cum_y[cut])
    else:
        count, errors = cut, cum_y[cut]
    return {"count": count, "errors": errors, "bound": clopper_pearson_upper(errors, count, alpha)}


def choose_guarantee(
    p: ArrayLike,
    y: ArrayLike,
    *,
    epsilon: float,
    delta: float,
    grid: int = 101,
    surface: CostSurface | None = None,
) -> ThresholdChoice:
    """Widest automation whose error rates are at most ``epsilon`` with confidence 1 - delta.

    ``high``: smallest grid value whose Clopper-Pearson upper bound on the share of
    unjustified claims among ``p >= high`` is <= epsilon at confidence ``1 - delta/m``,
    ``m`` = number of high values scanned (Bonferroni: all m bounds hold together with
    probability >= 1 - delta, so the one picked does too). ``low``: largest value with the
    same bound on justified claims among ``p < low`` (and <= high). Each side holds with
    confidence 1 - delta (both together >= 1 - 2 delta), for claims drawn like these ones.
    ``high = 1`` / ``low = 0`` automate nothing and are not tested; nothing feasible ->
    (0, 1), audit everything, ``feasible=False``.
    """
    if not (0.0 < epsilon < 1.0 and 0.0 < delta < 1.0) or grid < 2:
        raise ValueError("need epsilon and delta in (0, 1) and grid >= 2")
    probs = check_probabilities(p)
    labels = check_labels(y, probs.size)
    if labels is None:
        raise WorkbenchError("An error guarantee needs labelled claims.")
    order = np.argsort(probs, kind="stable")
    sorted_p, cum_y = probs[order], np.concatenate(([0.0], np.cumsum(labels[order])))
    values = np.linspace(0.0, 1.0, grid)
    highs, lows = values[:-1], values[1:]
    m = highs.size
    side_h = _scan_side(sorted_p, cum_y, highs, delta / m, validate=True)
    side_l = _scan_side(sorted_p, cum_y, lows, delta / m, validate=False)
    ok_h = np.flatnonzero(side_h["bound"] <= epsilon)
    ih = int(ok_h[0]) if ok_h.size else None
    high = float(highs[ih]) if ih is not None else 1.0
    ok_l = np.flatnonzero((side_l["bound"] <= epsilon) & (lows <= high))
    il = int(ok_l[-1]) if ok_l.size else None
    low = float(lows[il]) if il is not None else 0.0
    min_n = math.ceil(math.log(delta / m) / math.log(1.0 - epsilon))
    details: dict[str, Any] = {"epsilon": epsilon, "delta": delta, "m_high": m, "m_low": m}
    details |= {"confidence_per_bound": 1.0 - delta / m, "n": int(probs.size)}
    details |= {"min_n_without_errors": min_n}
    details |= _side_details(side_h, ih, "validated", "validated_unjustified", "validation")
    details |= _side_details(side_l, il, "rejected", "rejected_justified", "rejection")
    note = _guarantee_note(epsilon, delta, ih is not None, il is not None, min_n)
    feasible = ih is not None or il is not None
    return _choice(surface, low, high, "guarantee", details=details, feasible=feasible, note=note)


def _side_details(
    side: dict[str, np.ndarray], idx: int | None, count: str, errors: str, prefix: str
) -> dict[str, Any]:
    if idx is None:
        return {count: None, errors: None, f"{prefix}_error_bound": None}
    return {
        count: int(side["count"][idx]),
        errors: int(side["errors"][idx]),
        f"{prefix}_error_bound": float(side["bound"][idx]),
    }


def _guarantee_note(epsilon: float, delta: float, high_ok: bool, low_ok: bool, min_n: int) -> str:
    target = f"error rate <= {epsilon:.1%} with confidence {1 - delta:.0%}"
    if not (high_ok or low_ok):
        return (
            f"No threshold guarantees an {target}: audit everything. Even without a single "
            f"error it takes at least {min_n} labelled claims in an automatic zone."
        )
    parts = [f"Automatic decisions with an {target} (each side)."]
    if not high_ok:
        parts.append("No automatic validation meets the target.")
    if not low_ok:
        parts.append("No automatic rejection meets the target.")
    return " ".join(parts)
