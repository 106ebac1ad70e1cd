"""Expected (and realised, once labelled) costs of a batch's final decisions."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from core.config.settings import Config
from core.decide.costs import (
    CODES,
    REJECT,
    VALIDATE,
    CostModel,
    Evaluation,
    ZoneTotals,
    assemble_evaluation,
)
from core.scoring.results import AppliedThresholds


def evaluate_decisions(
    frame: pd.DataFrame,
    cfg: Config,
    thresholds: AppliedThresholds,
    costs: CostModel | None = None,
) -> Evaluation | None:
    """Expected (and, when every claim is labelled, realised) costs of ``frame.decision``.

    Unlike :func:`core.decisions.evaluate`, the decisions are taken as given, so claims
    moved to audit by a rule are costed as audits: the one net gain of a batch and a pair,
    rules included. The costs are ``costs``, else those published with the pair, else the
    configuration's.
    """
    if frame.empty:
        return None
    costs = costs or costs_of(thresholds, cfg)
    p = frame["probability"].to_numpy(dtype=float)
    amount = frame["amount"].to_numpy(dtype=float) if "amount" in frame.columns else None
    a, n_fallback = costs.resolve_amounts(amount, len(frame))
    y = _labels(frame)
    codes = frame["decision"].to_numpy()
    zones = {code: _zone(costs, code, codes == code, a, p, y) for code in CODES}
    return assemble_evaluation(thresholds.low, thresholds.high, zones, n_amount_fallback=n_fallback)


def costs_of(thresholds: AppliedThresholds, cfg: Config) -> CostModel:
    """The cost model a pair was published with, else the configuration's."""
    if not thresholds.costs:
        return CostModel.from_config(cfg.costs)
    names = {f.name for f in dataclasses.fields(CostModel)}
    known = {k: v for k, v in thresholds.costs.items() if k in names}
    return CostModel(**{**dataclasses.asdict(CostModel.from_config(cfg.costs)), **known})


def _labels(frame: pd.DataFrame) -> np.ndarray | None:
    if "label" not in frame.columns or frame["label"].isna().any():
        return None
    return frame["label"].to_numpy(dtype=float)


def _zone(
    costs: CostModel, code: int, mask: np.ndarray, a: np.ndarray, p: np.ndarray, y: Any
) -> ZoneTotals:
    """Totals of one decision zone from its sums (see ``CostModel.zone_costs``)."""
    count, s_a, s_p, s_pa = int(mask.sum()), a[mask].sum(), p[mask].sum(), (p * a)[mask].sum()
    reject, audit, validate = costs.zone_costs(count, s_a, s_p, s_pa)
    own = {REJECT: reject, VALIDATE: validate}.get(code, audit)
    errors = {REJECT: s_p, VALIDATE: count - s_p}.get(code, 0.0)
    value = {REJECT: reject, VALIDATE: s_a - s_pa}.get(code, 0.0)
    zone = ZoneTotals(count, float(s_a), float(own), float(audit), float(errors), float(value))
    if y is None:
        return zone
    s_y, s_ya = y[mask].sum(), (y * a)[mask].sum()
    r_reject, r_audit, r_validate = costs.zone_costs(count, s_a, s_y, s_ya)
    r_own = {REJECT: r_reject, VALIDATE: r_validate}.get(code, r_audit)
    r_value = {REJECT: r_reject, VALIDATE: s_a - s_ya}.get(code, 0.0)
    return zone._replace(
        realised_cost=float(r_own),
        realised_audit_cost=float(r_audit),
        realised_error_value=float(r_value),
        justified=round(float(s_y)),
    )
