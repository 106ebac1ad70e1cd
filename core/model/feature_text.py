"""What each feature of :mod:`core.model.features` is: descriptions and interactions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.model.history import HISTORY_DESCRIPTIONS

__all__ = ["DESCRIPTIONS", "INTERACTIONS", "interactions"]


def interactions(cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    dev = next(
        (cols[k] for k in ("amount_dev_subcategory", "amount_dev_category") if k in cols), None
    )
    out: dict[str, np.ndarray] = {}
    if dev is None:
        return out
    if "rate_segment" in cols:
        out["segment_rate_x_amount_dev"] = cols["rate_segment"] * dev
    if "prior_claims_year" in cols:
        out["prior_year_x_amount_dev"] = cols["prior_claims_year"] * dev
    return out


INTERACTIONS = {
    "segment_rate_x_amount_dev": "rate_segment",
    "prior_year_x_amount_dev": "prior_claims_year",
}
DESCRIPTIONS = {
    "rate_h": "Justified rate of the {0} in training (out-of-fold on training rows; shrunk "
    "towards its parent level; fewer than {1} cases or unknown: the parent's rate)",
    "rate": "Justified rate of {0} in training (out-of-fold on training rows; shrunk towards "
    "the global rate; fewer than {1} cases or unknown: the global rate)",
    "freq": "Share of training claims with this {0} (0 when unknown)",
    "code": "Code of {0} (1.. = training levels in alphabetical order, 0 = unknown or missing)",
    "onehot": "1 when the {0} is « {1} » (a level frequent enough in training), else 0",
    "extra_number": "Extra numeric column {0}, as is",
    "log_delay": "log(1 + estimated delay in days)",
    "tenure": "Client tenure in years (converted from the profile's unit)",
    "log_pnb": "log(1 + client PNB of last year)",
    "log_amount": "log(1 + requested amount)",
    "amount_dev_family": "log ratio of the amount to the training median of its family",
    "amount_dev_category": "log ratio of the amount to the training median of its category "
    "(backs off to the family median)",
    "amount_dev_subcategory": "log ratio of the amount to the training median of its "
    "sub-category (too few cases: category, then family median)",
    "log_amount_per_delay_day": "log(1 + amount / max(delay, 1))",
    "log_amount_to_pnb": "log(1 + amount / PNB) (missing when PNB <= 0)",
    "amount_above_pnb": "1 when the amount exceeds the client's PNB of last year",
    **HISTORY_DESCRIPTIONS,
    "segment_rate_x_amount_dev": "Segment justified rate x amount deviation (interaction)",
    "prior_year_x_amount_dev": "Prior claims this year x amount deviation (interaction)",
}
