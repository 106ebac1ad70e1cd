"""What an explanation returns: one claim's grouped contributions, and a sample's global
summary (see core.explain for how they are computed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

__all__ = ["ClaimExplanation", "GlobalExplanation", "GroupContribution"]


@dataclass(frozen=True)
class GroupContribution:
    """One column (or named group of columns) in a claim's explanation."""

    column: str  # group key: "amount", "history", "amount+pnb"
    label: str  # French
    value_text: str  # French
    log_odds: float
    probability: float  # on the probability scale (see the core.explain module doc)
    label_en: str = ""
    value_text_en: str = ""
    reason_fr: str = ""  # the description, without the number
    reason_en: str = ""
    columns: tuple[str, ...] = ()

    def label_in(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label

    def value_in(self, locale: str) -> str:
        return self.value_text_en if locale == "en" else self.value_text

    def reason_in(self, locale: str) -> str:
        return self.reason_en if locale == "en" else self.reason_fr


@dataclass(frozen=True)
class ClaimExplanation:
    """Why one claim got its probability: base value + group contributions."""

    claim_id: str
    base_margin: float
    margin: float  # base_margin + sum of contributions
    base_probability: float  # calibrator(base_margin)
    probability: float  # calibrator(margin)
    contributions: tuple[GroupContribution, ...]  # by decreasing |log_odds| (the path order)
    reasons_fr: tuple[str, ...]
    reasons_en: tuple[str, ...]
    model_version: str = ""
    grouping: str = "split"
    feature_names: tuple[str, ...] = ()
    feature_values: tuple[float, ...] = ()
    feature_log_odds: tuple[float, ...] = ()  # ungrouped SHAP values (sum + base = margin)
    seconds: float = 0.0


@dataclass(frozen=True, eq=False)
class GlobalExplanation:
    """SHAP values of a sample of claims, per group, and the importance table."""

    model_version: str
    source: str  # "reference" or "batch:<id>"
    grouping: str
    keys: tuple[str, ...]
    labels_fr: tuple[str, ...]
    labels_en: tuple[str, ...]
    base_margin: float
    contributions: np.ndarray  # n x groups, log-odds
    colour: np.ndarray  # n x groups: rank (0..1) of the group's value feature, NaN if missing
    values: pd.DataFrame  # n rows, one column per group key: its value (dependence plot x)
    importance: pd.DataFrame  # one row per group, by decreasing mean |log-odds|
    seconds: float
    created_at: datetime | None = None

    @property
    def sample_size(self) -> int:
        return int(self.contributions.shape[0])

    def labels(self, locale: str = "fr") -> tuple[str, ...]:
        return self.labels_en if locale == "en" else self.labels_fr
