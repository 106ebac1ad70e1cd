"""Model choice on evidence: each registrable family scored on validation the same way.

For each candidate (a family's validation margins): calibration chosen by cross-fitting,
cross-fitted calibrated probabilities (never scored by a calibrator that saw them), the
safe threshold pair on them (largest lower confidence bound of the realised net gain,
:mod:`core.decide.gain_bounds`) and the net gain realised there; the log-loss and AUC.

:func:`choose` keeps the candidates whose validation net gain is within ``tolerance`` (a
share of the cost of auditing every validation claim) of the best one, and registers the
one with the lowest log-loss among them: the business cost decides when it separates the
models, the log-loss (far less noisy on a few hundred claims) when it does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from core.config.settings import ModelConfig
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap, GainInterval, quantile_grid
from core.model.calibration import CalibrationChoice, choose_calibrator, cross_fitted, log_loss

__all__ = ["CandidateScore", "choose", "safe_pair", "score_candidate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CandidateScore:
    """One family's validation evidence."""

    family: str
    auc: float
    log_loss: float  # cross-fitted calibrated probabilities
    calibration: CalibrationChoice
    pair: GainInterval  # the safe pair on validation and its gain interval
    safe: bool  # the pair's lower bound beats auditing everything
    audit_all_cost: float
    details: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {
            "model": self.family,
            "valid_auc": self.auc,
            "valid_log_loss": self.log_loss,
            "calibration": self.calibration.method,
            "valid_low": self.pair.low,
            "valid_high": self.pair.high,
            "valid_net_gain": self.pair.net_gain,
            "valid_net_gain_lower": self.pair.lower,
            **self.details,
        }


def safe_pair(
    p: np.ndarray, y: np.ndarray, amount: np.ndarray | None, costs: CostModel, cfg: ModelConfig,
    seed: int = 0,
) -> tuple[GainInterval, bool]:  # fmt: skip
    """The pair with the largest lower bound of the net gain on these labelled claims."""
    boot = GainBootstrap(
        p, y, amount, costs=costs, thresholds=quantile_grid(p), confidence=cfg.gain_confidence,
        resamples=cfg.bootstrap, seed=seed,
    )  # fmt: skip
    return boot.safest()


def score_candidate(
    family: str,
    margin: np.ndarray,
    y: np.ndarray,
    amount: np.ndarray | None,
    costs: CostModel,
    cfg: ModelConfig,
    *,
    seed: int = 0,
    **details: Any,
) -> CandidateScore:
    """Calibrate (cross-fitted), then the safe pair and its gain on the same claims."""
    calibration = choose_calibrator(margin, y, seed=seed)
    p = cross_fitted(margin, y, calibration.method, seed=seed)
    pair, safe = safe_pair(p, y, amount, costs, cfg, seed)
    audit_all = CostSurface(p, amount, y, costs=costs).audit_all_cost(realised=True)
    auc = float(roc_auc_score(y, margin)) if len(np.unique(y)) > 1 else float("nan")
    return CandidateScore(family, auc, log_loss(y, p), calibration, pair, safe, audit_all, details)


def choose(scores: list[CandidateScore], tolerance: float) -> CandidateScore:
    """Lowest log-loss among the candidates within ``tolerance`` x audit-all cost of the
    best validation net gain (see the module doc)."""
    best_gain = max(s.pair.net_gain for s in scores)
    margin = tolerance * max(s.audit_all_cost for s in scores)
    close = [s for s in scores if s.pair.net_gain >= best_gain - margin]
    chosen = min(close, key=lambda s: (round(s.log_loss, 6), -s.pair.net_gain))
    log.info(
        "model choice: %s (gain %.0f, best %.0f, tolerance %.0f; log-loss %.5f)",
        chosen.family, chosen.pair.net_gain, best_gain, margin, chosen.log_loss,
    )  # fmt: skip
    return chosen
