"""What scoring returns: the threshold pair applied, a batch scored now, a scoring stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from core.decide.costs import Evaluation
from core.decide.decisions import DECISION_CODES
from core.decide.rules import RuleOutcome
from core.store.decision_pages import DecisionsSummary


@dataclass(frozen=True)
class AppliedThresholds:
    """The threshold pair used; ``id`` None when it is not a published pair. ``costs``: the
    costs published with the pair (None: the configuration's), which its gain is counted in."""

    low: float
    high: float
    id: int | None
    source: str
    costs: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """One batch scored (or re-decided): claims with scores, rules, costs, timings."""

    batch_id: int
    model_version: str
    thresholds: AppliedThresholds
    frame: pd.DataFrame  # claims (by key) + probability, decision_model, decision, rule_*
    rules: RuleOutcome | None  # None when the rules were not applied
    evaluation: Evaluation | None  # expected (and realised, if labelled) costs of `decision`
    seconds: dict[str, float]  # per stage, in order
    scored_at: datetime | None = None  # when stored; None for an unsaved redecision
    job_ids: tuple[int, ...] = ()  # background jobs queued with the scores (drift)

    @property
    def counts(self) -> dict[int, int]:
        """Claims per final decision code (-1, 0, 1)."""
        values = self.frame["decision"].to_numpy()
        return {code: int((values == code).sum()) for code in DECISION_CODES}

    @property
    def automation_rate(self) -> float:
        """Share of claims decided automatically (after the rules)."""
        n = len(self.frame)
        return (n - self.counts[0]) / n if n else 0.0

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds.values()))


@dataclass(frozen=True, eq=False)
class StoredScoring:
    """The latest scoring of a batch as stored: what a reopened batch shows."""

    batch_id: int
    model_version: str
    scored_at: datetime
    thresholds: AppliedThresholds
    frame: pd.DataFrame  # claims (by key) + probability, decision_model, decision, rule_*
    evaluation: Evaluation | None

    @property
    def n_moved(self) -> int:
        """Claims whose decision a business rule changed."""
        return int((self.frame["decision"] != self.frame["decision_model"]).sum())


@dataclass(frozen=True)
class ScoringSummary:
    """What the Upload page shows around a batch's table, without the batch itself: the
    scoring's model, time and pair, its cost evaluation (rules included) and the counts,
    rule moves, amount span, families and histogram of its decisions. A few kilobytes,
    whatever the batch's size: the server keeps this, never the 100k-row frame."""

    batch_id: int
    model_version: str
    scored_at: datetime
    thresholds: AppliedThresholds
    evaluation: Evaluation | None
    decisions: DecisionsSummary

    @property
    def n(self) -> int:
        return self.decisions.n

    @property
    def n_moved(self) -> int:
        return self.decisions.n_moved
