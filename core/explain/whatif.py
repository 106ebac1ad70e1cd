"""What-if editing of one claim: the known levels of a category, the edited copy of the
claim, and the decision (model, then business rules) for its new probability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.config.settings import Config
from core.decide.decisions import decide
from core.decide.rules import MAX_AUTO_VALIDATIONS, apply_rules
from core.explain.text import HIERARCHY_ROLES
from core.model.features import FeaturePipeline
from core.model.target_encoding import PATH_SEP

__all__ = ["ClaimDecision", "cap_counts", "decide_claim", "edit_claim", "level_choices"]


def level_choices(pipeline: FeaturePipeline, role: str, parents: Sequence[str] = ()) -> list[str]:
    """Known levels of a category for the what-if: a hierarchy level under its parents'
    values (from training), a coded category (segment, market) or an extra category."""
    if role in HIERARCHY_ROLES:
        prefix = "".join(f"{p}{PATH_SEP}" for p in parents)
        keys = pipeline.freqs_.get(role, {})
        found = {k[len(prefix) :] for k in keys if k.startswith(prefix)}
        return sorted(v for v in found if v and PATH_SEP not in v)
    key = pipeline.columns.get(role, role)
    levels = pipeline.levels_.get(key) or list(pipeline.freqs_.get(key, {}))
    return sorted(v for v in levels if v)


def edit_claim(frame_row: pd.DataFrame, edits: Mapping[str, Any]) -> pd.DataFrame:
    """A copy of the claim with some values changed (keys of ``frame_row``)."""
    out = frame_row.copy()
    for key, value in edits.items():
        if key in out.columns:
            out[key] = out[key].astype(object)
        out.loc[out.index[0], key] = value
    return out


@dataclass(frozen=True)
class ClaimDecision:
    """The model's decision for a probability, then the business rules'."""

    model_code: int
    code: int
    reason_fr: str
    reason_en: str


def decide_claim(
    frame_row: pd.DataFrame,
    probability: float,
    low: float,
    high: float,
    cfg: Config,
    prior_validations: pd.DataFrame | None = None,
) -> ClaimDecision:
    """Three-way decision of one claim and the rules (the quota counts ``prior_validations``)."""
    model_codes = decide(np.array([probability]), low, high)
    outcome = apply_rules(frame_row, model_codes, cfg, prior_validations=prior_validations)
    return ClaimDecision(
        int(model_codes[0]),
        int(outcome.decisions[0]),
        str(outcome.reasons[0]),
        str(outcome.reasons_en[0]),
    )


def cap_counts(
    row: pd.DataFrame, batch: pd.DataFrame | None, elsewhere: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The automatic validations the yearly cap counts before this claim, as batch scoring
    counts them: those stored for the client in other batches (``elsewhere``, from
    ``Store.auto_validation_counts``) plus the claims of its own batch (``batch``: the stored
    scoring) that come before it — by date, then row number — and were validated or held back
    by the cap. Columns client_id, year, n."""
    parts = [] if elsewhere is None else [elsewhere[["client_id", "year", "n"]]]
    if batch is not None and {"client_id", "date", "row_number"} <= set(row.columns):
        claim = row.iloc[0]
        date = pd.to_datetime(claim["date"], errors="coerce")
        if pd.notna(date) and pd.notna(claim["client_id"]):
            dates = pd.to_datetime(batch["date"], errors="coerce")
            before = (dates < date) | (
                (dates == date) & (batch["row_number"] < claim["row_number"])
            )
            counted = (batch["decision"] == 1) | (batch["rule_flags"] == MAX_AUTO_VALIDATIONS)
            mine = (batch["client_id"].astype(str) == str(claim["client_id"])) & (
                dates.dt.year == date.year
            )
            n = int((before & counted & mine).sum())
            if n:
                parts.append(pd.DataFrame({"client_id": [str(claim["client_id"])],
                                           "year": [int(date.year)], "n": [n]}))  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else None
