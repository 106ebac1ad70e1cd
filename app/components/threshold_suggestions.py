"""Suggested pairs from each chooser, their inputs, and a button to apply each one.

Owns the chooser inputs (audit capacity; error target and confidence). Applying a
suggestion moves the slider (a callback sets its session value) and records the chooser,
so a publication names its source.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app import resources
from app.components import threshold_picker
from app.components.threshold_logic import (
    CapacityLimit,
    ClaimsArrays,
    ClaimsSource,
    GuaranteeTarget,
    choice_note,
    slider_pair,
    source_label,
)
from app.fmt import number_field
from app.i18n import current_lang, t, t_text
from core.decide.costs import CostModel, Evaluation
from core.decide.gain_bounds import GainBootstrap
from core.decide.thresholds import ThresholdChoice
from core.formatting import fmt_money, fmt_number, fmt_pct

CAP_CLAIMS_KEY = "thresholds.capacity_claims"
CAP_SHARE_KEY = "thresholds.capacity_share"  # percent
EPSILON_KEY = "thresholds.guarantee_epsilon"  # percent
CONFIDENCE_KEY = "thresholds.guarantee_confidence"  # percent
DEFAULTS = {CAP_CLAIMS_KEY: None, CAP_SHARE_KEY: 30.0, EPSILON_KEY: 5.0, CONFIDENCE_KEY: 95.0}


def show(
    source: ClaimsSource,
    arrays: ClaimsArrays,
    costs: CostModel,
    bootstrap: GainBootstrap | None = None,
    evaluate: Callable[[float, float], Evaluation | None] | None = None,
) -> tuple[ThresholdChoice, ...]:
    """The inputs, the table of suggestions and their apply buttons; the suggestions.
    ``evaluate``: a pair's figures after the business rules (a batch's claims)."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    with st.expander(t("thresholds.suggestions_title"), expanded=True, icon="💡"):
        capacity, guarantee = _inputs(arrays)
        choices = resources.threshold_suggestions(source, costs, capacity, guarantee)
        _table(choices, costs, bootstrap, evaluate)
        _apply_buttons(choices)
    return choices


def _inputs(arrays: ClaimsArrays) -> tuple[CapacityLimit, GuaranteeTarget | None]:
    cols = st.columns(4)
    max_claims = cols[0].number_input(
        t("thresholds.capacity_claims"),
        min_value=0,
        step=10,
        key=CAP_CLAIMS_KEY,
        help=t("thresholds.capacity_claims_help"),
        placeholder=t("thresholds.no_limit"),
    )
    with cols[1]:
        max_share = _percent(CAP_SHARE_KEY, "capacity_share", 0.0, 100.0, optional=True)
    capacity = CapacityLimit(
        None if max_claims is None else int(max_claims),
        None if max_share is None else float(max_share) / 100.0,
    )
    if not arrays.has_labels:
        cols[2].caption(t("thresholds.guarantee_needs_labels"))
        return capacity, None
    with cols[2]:
        epsilon = _percent(EPSILON_KEY, "guarantee_epsilon", 0.1, 50.0)
    with cols[3]:
        confidence = _percent(CONFIDENCE_KEY, "guarantee_confidence", 50.0, 99.9)
    return capacity, GuaranteeTarget(float(epsilon) / 100.0, float(confidence) / 100.0)


def _percent(
    key: str, name: str, low: float, high: float, *, optional: bool = False
) -> float | None:
    """A percentage typed in the interface language ("2,5" is two and a half per cent); the
    value stays in ``key``, the text in ``key + ".text"``. Blank: no limit when ``optional``,
    else the value is kept."""
    typed = number_field(
        t(f"thresholds.{name}"),
        st.session_state[key],
        key=key + ".text",
        decimals=1,
        min_value=low,
        max_value=high,
        help=t(f"thresholds.{name}_help"),
        placeholder=t("thresholds.no_limit") if optional else None,
    )
    if typed is not None or optional:
        st.session_state[key] = typed
    return st.session_state[key]


def _table(
    choices: tuple[ThresholdChoice, ...],
    costs: CostModel,
    bootstrap: GainBootstrap | None,
    evaluate: Callable[[float, float], Evaluation | None] | None,
) -> None:
    lang = current_lang()
    rows = []
    for choice in choices:
        ruled = evaluate(choice.low, choice.high) if evaluate else None
        gain = ruled.expected_net_gain if ruled else choice.net_gain
        row = {
            t("thresholds.col_method"): source_label(choice.source, t),
            t("thresholds.col_low"): fmt_number(choice.low, lang, 3),
            t("thresholds.col_high"): fmt_number(choice.high, lang, 3),
            t("thresholds.col_expected_gain"): fmt_money(gain, lang, costs.currency),
        }
        if bootstrap is not None:
            realised = ruled.realised_net_gain if ruled else choice.realised_net_gain
            row[t("thresholds.col_realised_gain")] = fmt_money(realised, lang, costs.currency)
            interval = bootstrap.interval(*slider_pair(choice))
            row[
                t_text("thresholds.col_interval", confidence=fmt_pct(interval.confidence, lang, 0))
            ] = t_text(
                "thresholds.interval_value",
                lower=fmt_money(interval.lower, lang, costs.currency),
                upper=fmt_money(interval.upper, lang, costs.currency),
            )
        measured = ruled or choice.evaluation
        automation = None if measured is None else measured.automation_rate
        row[t("thresholds.col_automation")] = fmt_pct(automation, lang)
        row[t("thresholds.col_note")] = choice_note(choice, costs, t_text, lang)
        rows.append(row)
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            t("thresholds.col_note"): st.column_config.TextColumn(width="large"),
        },
    )


def _apply_buttons(choices: tuple[ThresholdChoice, ...]) -> None:
    lang = current_lang()
    st.caption(t("thresholds.apply_caption"))
    for column, choice in zip(st.columns(max(1, len(choices))), choices, strict=False):
        low, high = slider_pair(choice)
        column.button(
            t(
                "thresholds.apply",
                method=source_label(choice.source, t),
                low=fmt_number(low, lang, 2),
                high=fmt_number(high, lang, 2),
            ),
            key=f"thresholds.apply.{choice.source}",
            icon="🎯",
            width="stretch",
            disabled=not choice.feasible,
            on_click=threshold_picker.apply,
            args=(choice.source, low, high),
        )
