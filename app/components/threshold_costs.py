"""The cost parameters, editable with immediate effect; they start from the costs published
with the active pair (else the configuration's), so costs published once are not lost.

Owns one session key per parameter (``thresholds.cost.<field>``, the value; the text typed
in the interface language is ``thresholds.cost.<field>.text``) and returns the
:class:`CostModel` they describe. A change reruns the page; the cost surface of each
(claims, costs) pair is cached, so going back to earlier values is instant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import streamlit as st

from app.components.threshold_logic import COST_FIELDS
from app.fmt import number_field
from app.i18n import t
from core.config.settings import CostConfig
from core.decide.costs import CostModel

PREFIX = "thresholds.cost."

TEXT = ".text"  # the typed text's key, next to the value's
# field -> (decimals shown, max)
_INPUTS: dict[str, tuple[int, float | None]] = {
    "audit_cost": (0, None),
    "wrongful_validation_factor": (2, None),
    "wrongful_validation_fixed": (0, None),
    "wrongful_rejection_fixed": (0, None),
    "wrongful_rejection_factor": (2, None),
    "auditor_error_rate": (2, 0.49),
}


def _labels(currency: str) -> dict[str, tuple[str, str]]:
    return {
        "audit_cost": (
            t("thresholds.cost_audit", currency=currency),
            t("thresholds.cost_audit_help"),
        ),
        "wrongful_validation_factor": (
            t("thresholds.cost_wv_factor"),
            t("thresholds.cost_wv_factor_help"),
        ),
        "wrongful_validation_fixed": (
            t("thresholds.cost_wv_fixed", currency=currency),
            t("thresholds.cost_wv_fixed_help"),
        ),
        "wrongful_rejection_fixed": (
            t("thresholds.cost_wr_fixed", currency=currency),
            t("thresholds.cost_wr_fixed_help"),
        ),
        "wrongful_rejection_factor": (
            t("thresholds.cost_wr_factor"),
            t("thresholds.cost_wr_factor_help"),
        ),
        "auditor_error_rate": (
            t("thresholds.cost_error_rate"),
            t("thresholds.cost_error_rate_help"),
        ),
    }


def show(defaults: CostConfig, published: Mapping[str, Any] | None = None) -> CostModel:
    """Number inputs in an expander, starting from ``published`` (the costs published with
    the active pair) over the configuration's; the cost model they describe."""
    base = _base(defaults, published)
    for name in COST_FIELDS:
        st.session_state.setdefault(PREFIX + name, float(base[name]))
    labels = _labels(defaults.currency)
    with st.expander(t("thresholds.costs_title"), icon="💰"):
        columns = st.columns(3)
        for i, name in enumerate(COST_FIELDS):
            decimals, top = _INPUTS[name]
            label, help_text = labels[name]
            with columns[i % 3]:  # typed in the interface language ("0,5" is a half)
                typed = number_field(
                    label,
                    st.session_state[PREFIX + name],
                    key=PREFIX + name + TEXT,
                    decimals=decimals,
                    min_value=0.0,
                    max_value=top,
                    help=help_text,
                )
            st.session_state[PREFIX + name] = float(base[name] if typed is None else typed)
        changed = any(st.session_state[PREFIX + n] != float(base[n]) for n in COST_FIELDS)
        st.button(
            t("thresholds.costs_reset"),
            key="thresholds.costs_reset",
            icon="↩️",
            on_click=_reset,
            args=(base,),
            disabled=not changed,
        )
    if changed:
        st.caption(t("thresholds.costs_changed"))
    values = {name: float(st.session_state[PREFIX + name]) for name in COST_FIELDS}
    return CostModel(**values, fallback_amount=defaults.fallback_amount, currency=defaults.currency)


def current(defaults: CostConfig, published: Mapping[str, Any] | None = None) -> CostModel:
    """The cost model the inputs describe now (the starting values before they are shown)."""
    base = _base(defaults, published)
    values = {name: float(st.session_state.get(PREFIX + name, base[name])) for name in COST_FIELDS}
    return CostModel(**values, fallback_amount=defaults.fallback_amount, currency=defaults.currency)


def _base(defaults: CostConfig, published: Mapping[str, Any] | None) -> dict[str, Any]:
    base = dataclasses.asdict(defaults)
    for name in COST_FIELDS:
        value = (published or {}).get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            base[name] = float(value)
    return base


def _reset(base: dict) -> None:
    for name in COST_FIELDS:
        st.session_state[PREFIX + name] = float(base[name])
        st.session_state.pop(PREFIX + name + TEXT, None)
