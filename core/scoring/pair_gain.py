"""The net gain of any pair on a stored batch, rules included: what the Thresholds page shows.

A batch's gain is counted on its final decisions (after the business rules), on the Upload
page as on the Thresholds page, so the same batch and pair give one figure. The claims, their
stored probabilities and the automatic validations stored for their clients in other batches
are read once (:func:`ruled_claims`); each pair is then one decision, one pass of the rules
and one evaluation (:func:`evaluate_with_rules`), with nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.config.settings import Config
from core.decide.costs import CostModel, Evaluation
from core.decide.decisions import check_thresholds, decide
from core.decide.rules import apply_rules
from core.scoring.evaluation import evaluate_decisions
from core.scoring.results import AppliedThresholds
from core.scoring.stored import load_scores
from core.store.database import Store

__all__ = ["RuledClaims", "evaluate_with_rules", "ruled_claims"]


@dataclass(frozen=True, eq=False)
class RuledClaims:
    """A scored batch's claims with their stored probabilities, and what the rules consult."""

    batch_id: int
    frame: pd.DataFrame  # claims (by key) + probability (+ label when known)
    prior: pd.DataFrame | None  # automatic validations of the clients in other batches


def ruled_claims(batch_id: int, store: Store) -> RuledClaims:
    """The batch's claims and latest probabilities, and its clients' stored validations."""
    frame = load_scores(batch_id, store)
    prior = None
    if "client_id" in frame.columns and frame["client_id"].notna().any():
        prior = store.auto_validation_counts(frame["client_id"], exclude_batch_id=batch_id)
    return RuledClaims(batch_id, frame, prior)


def evaluate_with_rules(
    claims: RuledClaims, low: float, high: float, cfg: Config, costs: CostModel | None = None
) -> Evaluation | None:
    """Expected (and realised) costs of (low, high) on the claims, after the business rules:
    the same figure as the batch's stored scoring with this pair."""
    low, high = check_thresholds(low, high)
    probabilities = claims.frame["probability"].to_numpy(dtype=float)
    model_codes = decide(probabilities, low, high)
    outcome = apply_rules(claims.frame, model_codes, cfg, prior_validations=claims.prior)
    decided = claims.frame.assign(decision=outcome.decisions)
    return evaluate_decisions(decided, cfg, AppliedThresholds(low, high, None, "manual"), costs)
