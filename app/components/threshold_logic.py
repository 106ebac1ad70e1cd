"""Pure helpers of the thresholds page (no Streamlit calls): where the claims come from, the
suggested threshold pairs, their notes in the auditor's language, and the slider's grid.

Kept free of Streamlit so that app/resources.py can cache what it computes and the
benchmark (bench/bench_slider.py) can time it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainBootstrap, choose_safe_gain
from core.decide.thresholds import (
    ThresholdChoice,
    choose_capacity,
    choose_closed_form,
    choose_cost_minimum,
    choose_guarantee,
)
from core.formatting import fmt_money, fmt_number, fmt_pct

BATCH, TEST_SET = "batch", "test"
SLIDER_STEP = 0.01
GRID_SIZE = 101  # 0.00, 0.01, ..., 1.00: the slider's own grid
COST_FIELDS = (
    "audit_cost",
    "wrongful_validation_factor",
    "wrongful_validation_fixed",
    "wrongful_rejection_fixed",
    "wrongful_rejection_factor",
    "auditor_error_rate",
)

Translate = Callable[..., str]


@dataclass(frozen=True)
class ClaimsSource:
    """Where the claims come from; hashable, so it keys the caches.

    ``kind`` is BATCH (``ref`` = batch id, ``stamp`` = its latest scoring time, so a new
    scoring is a new source) or TEST_SET (``ref`` = model version).
    """

    kind: str
    ref: str
    stamp: str = ""

    @property
    def batch_id(self) -> int | None:
        return int(self.ref) if self.kind == BATCH else None


@dataclass(frozen=True, eq=False)
class ClaimsArrays:
    """Probabilities, amounts (None: no amount column) and labels (None: not all labelled)."""

    probability: np.ndarray
    amount: np.ndarray | None
    label: np.ndarray | None
    model_version: str | None

    @property
    def n(self) -> int:
        return int(self.probability.size)

    @property
    def has_labels(self) -> bool:
        return self.label is not None


@dataclass(frozen=True)
class CapacityLimit:
    """Audit capacity: at most ``max_claims`` and/or ``max_share`` of the claims."""

    max_claims: int | None = None
    max_share: float | None = None

    @property
    def active(self) -> bool:
        return self.max_claims is not None or self.max_share is not None


@dataclass(frozen=True)
class GuaranteeTarget:
    """Error rate of automatic decisions at most ``epsilon`` with this ``confidence``."""

    epsilon: float = 0.05
    confidence: float = 0.95


@functools.cache
def grid_values() -> np.ndarray:
    """The 101 threshold values of the heatmap (read-only)."""
    values = np.round(np.linspace(0.0, 1.0, GRID_SIZE), 2)
    values.setflags(write=False)
    return values


def _read_only(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def arrays_from_frame(frame: pd.DataFrame, model_version: str | None) -> ClaimsArrays:
    """The arrays a cost surface needs from scored claims (or a model's test set).

    Amounts are dropped when the column is absent or empty (the fallback amount is then
    used); labels when any claim lacks one (realised costs need every label).
    """
    p = _read_only(frame["probability"].to_numpy(dtype=float, na_value=np.nan))
    amount = None
    if "amount" in frame.columns and frame["amount"].notna().any():
        values = pd.to_numeric(frame["amount"], errors="coerce")
        amount = _read_only(values.to_numpy(dtype=float, na_value=np.nan))
    label = None
    if "label" in frame.columns and len(frame) and frame["label"].notna().all():
        label = _read_only(pd.to_numeric(frame["label"]).to_numpy(dtype=float))
    return ClaimsArrays(p, amount, label, model_version)


def fit_surface(arrays: ClaimsArrays, costs: CostModel) -> CostSurface:
    """The cost surface of these claims (sort + cumulative sums, once)."""
    return CostSurface(arrays.probability, arrays.amount, arrays.label, costs=costs)


def fit_bootstrap(arrays: ClaimsArrays, costs: CostModel) -> GainBootstrap | None:
    """The realised net gain's bootstrap on the slider's 0.01 grid; None without labels."""
    if arrays.label is None or not arrays.n:
        return None
    return GainBootstrap(
        arrays.probability, arrays.label, arrays.amount, costs=costs, thresholds=grid_values()
    )


def net_gain_grid(surface: CostSurface) -> np.ndarray:
    """Net gain on the 101 x 101 grid (realised when labelled, else expected); read-only."""
    values = grid_values()
    return _read_only(surface.surface(values, values, realised=surface.has_labels))


def suggest(
    surface: CostSurface,
    arrays: ClaimsArrays,
    capacity: CapacityLimit,
    guarantee: GuaranteeTarget | None,
) -> tuple[ThresholdChoice, ...]:
    """One pair per chooser that applies to these claims (guarantee: labelled claims only)."""
    choices = [
        choose_cost_minimum(surface, grid=GRID_SIZE, realised=True),
        choose_closed_form(surface.costs, surface=surface),
    ]
    if capacity.active and surface.n:
        choices.append(
            choose_capacity(surface, max_claims=capacity.max_claims, max_share=capacity.max_share)
        )
    if arrays.label is not None and surface.n:
        choices.append(choose_safe_gain(surface, arrays.probability, arrays.label, arrays.amount))
    if guarantee is not None and arrays.label is not None and surface.n:
        choices.append(
            choose_guarantee(
                arrays.probability,
                arrays.label,
                epsilon=guarantee.epsilon,
                delta=1.0 - guarantee.confidence,
                grid=GRID_SIZE,
                surface=surface,
            )
        )
    return tuple(choices)


def slider_pair(choice: ThresholdChoice) -> tuple[float, float]:
    """The suggestion on the slider's 0.01 grid.

    A capacity pair keeps its promise: the audit zone [low, high) only shrinks (low rounds
    up, high down). Other pairs round to the nearest step.
    """
    if choice.source == "capacity":
        low = math.ceil(choice.low * 100 - 1e-9) / 100
        high = math.floor(choice.high * 100 + 1e-9) / 100
        if low > high:
            low = high = round((choice.low + choice.high) / 2, 2)
        return low, high
    low, high = round(choice.low, 2), round(choice.high, 2)
    return min(low, high), high


def source_label(source: str, t: Translate) -> str:
    """The chooser's name in the auditor's language."""
    names = {
        "cost-optimal": t("thresholds.source_cost_optimal"),
        "closed-form": t("thresholds.source_closed_form"),
        "capacity": t("thresholds.source_capacity"),
        "guarantee": t("thresholds.source_guarantee"),
        "safe-gain": t("thresholds.source_safe_gain"),
        "manual": t("thresholds.source_manual"),
        "config": t("thresholds.source_config"),
    }
    return names.get(source, source)


def choice_note(choice: ThresholdChoice, costs: CostModel, t: Translate, lang: str) -> str:
    """What the chooser promises and its caveats (the core's English note, translated)."""
    d = choice.details
    money = functools.partial(fmt_money, locale=lang, currency=costs.currency)
    if choice.source == "cost-optimal":
        if d.get("basis") == "realised":
            return t("thresholds.note_cost_realised")
        return t("thresholds.note_cost_expected")
    if choice.source == "closed-form":
        parts = [t("thresholds.note_closed_form")]
        if not d.get("three_way", True):
            parts.append(t("thresholds.note_two_way", gamma=fmt_number(d["gamma"], lang, 2)))
        if costs.depends_on_amount:
            parts.append(t("thresholds.note_median", amount=money(d["representative_amount"])))
        if d.get("amount_fallback"):
            parts.append(t("thresholds.note_fallback", amount=money(costs.fallback_amount)))
        return " ".join(parts)
    if choice.source == "capacity":
        text = t("thresholds.note_capacity", cap=fmt_number(d["capacity"], lang))
        if d.get("binding"):
            gain = d["unconstrained_net_gain"] - d["net_gain_on_basis"]
            return text + " " + t("thresholds.note_capacity_binds", gain=money(gain))
        return text + " " + t("thresholds.note_capacity_free")
    if choice.source == "safe-gain":
        interval = d["interval"]
        values = {
            "confidence": fmt_pct(interval["confidence"], lang, 0),
            "lower": money(interval["lower"]),
            "n": fmt_number(interval["n"], lang),
        }
        if choice.feasible:
            return t("thresholds.note_safe_gain", **values)
        return t("thresholds.note_safe_gain_none", **values)
    if choice.source == "guarantee":
        target = {
            "epsilon": fmt_pct(d["epsilon"], lang),
            "confidence": fmt_pct(1 - d["delta"], lang, 0),
        }
        if not choice.feasible:
            n = fmt_number(d["min_n_without_errors"], lang)
            return t("thresholds.note_guarantee_none", min_n=n, **target)
        parts = [t("thresholds.note_guarantee", **target)]
        if d.get("validated") is None:
            parts.append(t("thresholds.note_no_validation"))
        if d.get("rejected") is None:
            parts.append(t("thresholds.note_no_rejection"))
        return " ".join(parts)
    return choice.note
