"""Threshold choosers: four ways to pick (low, high), each returning a :class:`ThresholdChoice`.

- ``cost-optimal``: the empirical maximum of the net gain on a grid of (low, high)
  (realised costs on labelled validation data, else expected costs from the probabilities);
- ``closed-form``: the thresholds implied by the costs alone for calibrated probabilities
  (Yao 2010, "Three-way decisions with probabilistic rough sets", Information Sciences 180);
- ``capacity``: the best policy that sends at most K claims (or x %) to human audit;
- ``guarantee``: automatic decisions whose error rate is at most epsilon with confidence
  1 - delta, by MAPIE's risk control (Learn Then Test) in :mod:`core.decide.guarantee`;
- ``safe-gain``: the pair maximising a lower confidence bound of the net gain (bootstrap
  over labelled claims), in :mod:`core.decide.gain_bounds`.

Choices are comparable on one chart: ``expected_cost`` and ``net_gain`` are always expected
(from the probabilities); realised figures sit beside them when labels exist.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from core.config.settings import CostConfig
from core.decide.choice import SOURCES, ThresholdChoice, make_choice, manual_choice
from core.decide.costs import (
    ClosedFormThresholds,
    CostModel,
    as_cost_model,
    closed_form_per_claim,
    yao_losses,
)
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import choose_safe_gain
from core.decide.guarantee import (
    choose_guarantee,
    choose_guarantee_per_side,
    clopper_pearson_upper,
)

__all__ = [
    "SOURCES",
    "ClosedFormThresholds",
    "ThresholdChoice",
    "choose_capacity",
    "choose_closed_form",
    "choose_cost_minimum",
    "choose_guarantee",
    "choose_guarantee_per_side",
    "choose_safe_gain",
    "clopper_pearson_upper",
    "closed_form_per_claim",
    "make_choice",
    "manual_choice",
]

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
    return make_choice(surface, low, high, "cost-optimal", details=details, note=note)


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
    return make_choice(
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
    return make_choice(surface, low, high, "closed-form", details=details, note=note)


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
