"""Error guarantees for the automatic decisions (the ``guarantee`` threshold source).

:func:`choose_guarantee` — the chooser in use — asks MAPIE's risk control for binary
classification (Learn Then Test, Angelopoulos et al. 2022) for the pairs (low, high) whose
*error rate among the automatic decisions* (wrong validations plus wrong rejections over
all automatic decisions; audits abstain) is at most ``epsilon`` with confidence
``1 - delta``. Each pair is one hypothesis tested with a Hoeffding-Bentkus p-value; the
family-wise error is controlled by Bonferroni-Holm (pairs with strong evidence free up the
level for the others), so every pair returned holds the guarantee at once and the one that
automates most can be taken. Claims must be exchangeable with the calibration claims.

:func:`choose_guarantee_per_side` — the former hand-written chooser, kept to measure the
two side by side — bounds each side separately with exact Clopper-Pearson bounds,
Bonferroni-corrected over the thresholds scanned.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from mapie.risk_control import BinaryClassificationController, BinaryRisk, abstention_rate
from numpy.typing import ArrayLike
from scipy import stats

from core.decide.choice import ThresholdChoice, make_choice
from core.decide.decisions import CostSurface, check_labels, check_probabilities
from core.exceptions import WorkbenchError

FWER_METHOD = "bonferroni_holm"

__all__ = [
    "candidate_pairs",
    "choose_guarantee",
    "choose_guarantee_per_side",
    "clopper_pearson_upper",
]


# ------------------------------------------------------------------- MAPIE risk control


def _decide_or_abstain(p: np.ndarray, low: float, high: float) -> np.ndarray:
    """1 = validate, 0 = reject, NaN = audit (abstain); ``high = 1`` validates nothing."""
    validate = p >= high if high < 1.0 else np.zeros(p.shape, dtype=bool)
    return np.where(validate, 1.0, np.where(p < low, 0.0, np.nan))


def _error_among_automatic() -> BinaryRisk:
    """Wrong decisions among the automatic ones (audited claims abstain)."""
    return BinaryRisk(
        risk_occurrence=lambda y_true, y_pred: y_pred != y_true,
        risk_condition=lambda y_true, y_pred: ~np.isnan(y_pred),
        higher_is_better=False,
    )


def candidate_pairs(p: np.ndarray, candidates: int, grid: int) -> np.ndarray:
    """(low, high) pairs to test: ``candidates`` quantiles of ``p`` plus 0 and 1 on each
    side, rounded to the ``grid`` (the slider's steps); "audit everything" is left out."""
    q = np.quantile(p, np.linspace(0, 1, candidates + 2)[1:-1]) if p.size else np.array([])
    steps = grid - 1
    values = np.unique(np.concatenate(([0.0, 1.0], np.round(q * steps) / steps)))
    low, high = np.meshgrid(values, values, indexing="ij")
    keep = (low <= high) & ~((low == 0.0) & (high == 1.0))
    return np.column_stack([low[keep], high[keep]])


def choose_guarantee(
    p: ArrayLike,
    y: ArrayLike,
    *,
    epsilon: float,
    delta: float,
    grid: int = 101,
    surface: CostSurface | None = None,
    candidates: int = 30,
    fwer_method: str = FWER_METHOD,
) -> ThresholdChoice:
    """Most automation whose error rate among automatic decisions is <= ``epsilon`` with
    confidence ``1 - delta`` (MAPIE ``BinaryClassificationController``, see the module doc).

    The pairs tested are :func:`candidate_pairs`; among those MAPIE certifies, the one
    automating the most claims is kept. None certified -> (0, 1), audit everything,
    ``feasible=False``.
    """
    if not (0.0 < epsilon < 1.0 and 0.0 < delta < 1.0) or grid < 2 or candidates < 1:
        raise ValueError("need epsilon and delta in (0, 1), grid >= 2 and candidates >= 1")
    probs = check_probabilities(p)
    labels = check_labels(y, probs.size)
    if labels is None:
        raise WorkbenchError("An error guarantee needs labelled claims.")
    pairs = candidate_pairs(probs, candidates, grid)
    controller = BinaryClassificationController(
        predict_function=_decide_or_abstain,
        risk=_error_among_automatic(),
        target_level=float(epsilon),
        confidence_level=1.0 - float(delta),
        best_predict_param_choice=abstention_rate,
        list_predict_params=pairs,
        fwer_method=fwer_method,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        controller.calibrate(probs, labels.astype(int))
    valid = np.asarray(controller.valid_predict_params).reshape(-1, 2)
    feasible = controller.best_predict_param is not None
    low, high = (float(v) for v in controller.best_predict_param) if feasible else (0.0, 1.0)
    decided = _decide_or_abstain(probs, low, high)
    auto = ~np.isnan(decided)
    min_n = math.ceil(math.log(delta / len(pairs)) / math.log(1.0 - epsilon))
    details: dict[str, Any] = {
        "epsilon": epsilon, "delta": delta, "method": "mapie-ltt", "fwer": fwer_method,
        "pairs_tested": len(pairs), "pairs_certified": len(valid), "n": int(probs.size),
        "automatic": int(auto.sum()), "automation_rate": float(auto.mean()) if auto.size else 0.0,
        "errors_on_calibration": int((decided[auto] != labels[auto]).sum()),
        "validated": int((decided == 1).sum()) or None,
        "rejected": int((decided == 0).sum()) or None,
        "min_n_without_errors": min_n,
    }  # fmt: skip
    target = (
        f"error rate among automatic decisions <= {epsilon:.1%} with confidence {1 - delta:.0%}"
    )
    note = (
        f"Automatic decisions with an {target} (MAPIE risk control, {fwer_method})."
        if feasible
        else f"No pair guarantees an {target}: audit everything. Even without a single error "
        f"it takes about {min_n} labelled claims in the automatic zones."
    )
    return make_choice(
        surface, low, high, "guarantee", details=details, feasible=feasible, note=note
    )


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


def choose_guarantee_per_side(
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
    return make_choice(
        surface, low, high, "guarantee", details=details, feasible=feasible, note=note
    )


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
