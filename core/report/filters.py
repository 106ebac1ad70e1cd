"""Filtering of a scored batch for the decisions table (pure pandas, vectorised)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ClaimFilter:
    """What the auditor asked to see; an empty collection or None means 'no filter'."""

    decisions: Collection[int] = ()
    families: Collection[str] = ()
    amount_range: tuple[float, float] | None = None
    moved_by_rule_only: bool = False
    search: str = ""


def filter_claims(frame: pd.DataFrame, spec: ClaimFilter) -> pd.DataFrame:
    """Rows of ``frame`` (keyed columns + decision/decision_model) matching ``spec``."""
    mask = pd.Series(True, index=frame.index)
    if spec.decisions:
        mask &= frame["decision"].isin(list(spec.decisions))
    if spec.families and "family" in frame.columns:
        mask &= frame["family"].isin(list(spec.families))
    if spec.amount_range is not None and "amount" in frame.columns:
        low, high = spec.amount_range
        mask &= frame["amount"].between(low, high) | frame["amount"].isna()
    if spec.moved_by_rule_only:
        mask &= frame["decision"] != frame["decision_model"]
    text = spec.search.strip().lower()
    if text:
        found = pd.Series(False, index=frame.index)
        for column in ("id", "client_id"):
            if column in frame.columns:
                found |= frame[column].astype("string").str.lower().str.contains(text, regex=False)
        mask &= found.fillna(False)
    return frame[mask.to_numpy()]
