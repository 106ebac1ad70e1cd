"""Estimated and realised performance of one scored batch's decisions.

*Estimated* (confidence-based, as NannyML's CBPE): with calibrated probabilities ``p``, an
automatic validation is wrong with probability ``1 - p`` and an automatic rejection with
probability ``p``, independently. The expected number of errors among automatic decisions is
their sum; its variance ``sum p (1 - p)`` gives a normal band at ``monitor.confidence``. The
cost is handled the same way, each automatic decision weighing its own error cost.

*Realised*: the quality-control sample draws, in each zone of automatic decisions (Rejet
Auto, Validation Auto), a known share at random; the reviews of that sample estimate each
zone's error rate without bias, and the zones are weighted by their sizes. The interval is
exact and conservative: each zone's Clopper-Pearson interval at ``1 - alpha / 2`` (one zone
bound each side), combined with the zone weights. When every automatic decision is labelled
(an outcome file), the realised rate is simply counted. The realised cost is given once every
claim of the batch is labelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import stats

from core.config.settings import Config
from core.decide.costs import REJECT, VALIDATE, CostModel


@dataclass(frozen=True)
class Estimated:
    """What the calibrated probabilities say before any label."""

    n: int
    automatic: int
    automation_rate: float
    error_rate: float  # expected errors / automatic decisions
    error_band: tuple[float, float]
    cost: float
    cost_band: tuple[float, float]
    confidence: float


@dataclass(frozen=True)
class Realised:
    """What the labels say (None fields: not enough labels yet)."""

    error_rate: float | None  # among automatic decisions
    error_interval: tuple[float, float] | None
    basis: str  # "quality-control sample" | "all automatic decisions" | "none"
    sampled: int  # labelled claims the estimate rests on
    errors: int
    cost: float | None  # realised cost, once every claim of the batch is labelled
    labelled: int


@dataclass(frozen=True)
class BatchPerformance:
    batch_id: int
    model_version: str
    estimated: Estimated
    realised: Realised
    alerts: tuple[str, ...]  # "error_rate" / "cost" when realised leaves the estimated band

    @property
    def alert(self) -> bool:
        return bool(self.alerts)


def estimate(frame: pd.DataFrame, costs: CostModel, confidence: float) -> Estimated:
    """Expected error rate among automatic decisions, automation and cost, with bands."""
    p = frame["probability"].to_numpy(dtype=float)
    codes = frame["decision"].to_numpy()
    amount = frame["amount"].to_numpy(dtype=float) if "amount" in frame.columns else None
    a, _ = costs.resolve_amounts(amount, len(frame))
    v, r = codes == VALIDATE, codes == REJECT
    auto = int(v.sum() + r.sum())
    miss = np.where(v, 1 - p, np.where(r, p, 0.0))  # probability each decision is wrong
    var = np.where(v | r, p * (1 - p), 0.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    errors, sd = float(miss.sum()), float(np.sqrt(var.sum()))
    rate = errors / auto if auto else 0.0
    half = z * sd / auto if auto else 0.0
    error_cost = np.where(
        v, costs.wrongful_validation(a), np.where(r, costs.wrongful_rejection(a), 0)
    )
    audits = int((codes == 0).sum())
    cost = float(audits * costs.audit_cost + (miss * error_cost).sum())
    cost_sd = float(np.sqrt((var * error_cost**2).sum()))
    return Estimated(
        len(frame), auto, auto / len(frame) if len(frame) else 0.0, rate,
        (max(rate - half, 0.0), min(rate + half, 1.0)), cost,
        (cost - z * cost_sd, cost + z * cost_sd), confidence,
    )  # fmt: skip


def realise(frame: pd.DataFrame, costs: CostModel, confidence: float) -> Realised:
    """Realised error rate among automatic decisions (QC sample, or every one when all are
    labelled) with an exact interval; the realised cost once every claim is labelled."""
    codes = frame["decision"].to_numpy()
    label = pd.to_numeric(frame.get("label"), errors="coerce") if "label" in frame else None
    y = np.full(len(frame), np.nan) if label is None else label.to_numpy(dtype=float)
    qc = frame["qc_sample"].fillna(False).to_numpy(dtype=bool) if "qc_sample" in frame else None
    known = ~np.isnan(y)
    wrong = np.where(codes == VALIDATE, y == 0, np.where(codes == REJECT, y == 1, False))
    auto = codes != 0
    cost = _realised_cost(frame, costs, y) if known.all() and len(frame) else None
    if auto.any() and known[auto].all():
        k, n = int(wrong[auto].sum()), int(auto.sum())
        return Realised(
            k / n, (k / n, k / n), "all automatic decisions", n, k, cost, int(known.sum())
        )
    if qc is None:
        return Realised(None, None, "none", 0, 0, cost, int(known.sum()))
    alpha = 1 - confidence
    weights, rates, lows, highs, sampled, errors = [], [], [], [], 0, 0
    for zone in (REJECT, VALIDATE):
        members = codes == zone
        if not members.any():
            continue
        reviewed = members & qc & known
        n_z, k_z = int(reviewed.sum()), int(wrong[reviewed].sum())
        if n_z == 0:
            return Realised(None, None, "none", 0, 0, cost, int(known.sum()))
        lo, hi = _clopper_pearson(k_z, n_z, alpha / 2)
        weights.append(members.sum())
        rates.append(k_z / n_z)
        lows.append(lo)
        highs.append(hi)
        sampled, errors = sampled + n_z, errors + k_z
    w = np.asarray(weights, float) / float(np.sum(weights))
    interval = (float(w @ lows), float(w @ highs))
    return Realised(float(w @ rates), interval, "quality-control sample", sampled, errors, cost,
                    int(known.sum()))  # fmt: skip


def batch_performance(
    batch_id: int, frame: pd.DataFrame, cfg: Config, model_version: str = ""
) -> BatchPerformance:
    """Estimated and realised performance of a batch's latest decisions, and the alerts."""
    costs = CostModel.from_config(cfg.costs)
    est = estimate(frame, costs, cfg.monitor.confidence)
    real = realise(frame, costs, cfg.monitor.confidence)
    alerts = []
    lo, hi = est.error_band
    if real.error_rate is not None and not lo <= real.error_rate <= hi:
        alerts.append("error_rate")
    if real.cost is not None and not est.cost_band[0] <= real.cost <= est.cost_band[1]:
        alerts.append("cost")
    return BatchPerformance(batch_id, model_version, est, real, tuple(alerts))


def _clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Exact two-sided interval, ``alpha`` on each side."""
    lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - alpha, k + 1, n - k))
    return lo, hi


def _realised_cost(frame: pd.DataFrame, costs: CostModel, y: np.ndarray) -> float:
    codes = frame["decision"].to_numpy()
    amount = frame["amount"].to_numpy(dtype=float) if "amount" in frame.columns else None
    a, _ = costs.resolve_amounts(amount, len(frame))
    wrong_v = (codes == VALIDATE) & (y == 0)
    wrong_r = (codes == REJECT) & (y == 1)
    audits = int((codes == 0).sum())
    return float(
        audits * costs.audit_cost
        + costs.wrongful_validation(a)[wrong_v].sum()
        + costs.wrongful_rejection(a)[wrong_r].sum()
    )
