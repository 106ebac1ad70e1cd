"""Published threshold pairs, newest first, with who published them, when and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components.threshold_logic import source_label
from app.i18n import current_lang, t, t_text
from core.formatting import fmt_datetime, fmt_money, fmt_number, fmt_pct


def show(active_version: str) -> None:
    st.subheader(t("thresholds.history_title"))
    records = resources.store().thresholds_history()
    if not records:
        st.info(t("thresholds.history_empty"), icon="🗒️")
        return
    lang = current_lang()
    table = pd.DataFrame(
        {
            t("thresholds.col_id"): [r.id for r in records],
            t("thresholds.col_published_at"): [fmt_datetime(r.published_at) for r in records],
            t("thresholds.col_published_by"): [r.published_by for r in records],
            t("thresholds.col_version"): [r.model_version or "—" for r in records],
            t("thresholds.col_low"): [fmt_number(r.low, lang, 2) for r in records],
            t("thresholds.col_high"): [fmt_number(r.high, lang, 2) for r in records],
            t("thresholds.col_method"): [source_label(r.source, t) for r in records],
            t("thresholds.col_costs"): [_costs(r.costs, lang) for r in records],
            t("thresholds.col_reason"): [r.reason for r in records],
            t("thresholds.col_active"): [r.active for r in records],
        }
    )
    st.caption(t("thresholds.history_caption", version=active_version))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            t("thresholds.col_active"): st.column_config.CheckboxColumn(
                help=t("thresholds.col_active_help")
            ),
            t("thresholds.col_reason"): st.column_config.TextColumn(width="large"),
            t("thresholds.col_costs"): st.column_config.TextColumn(width="large"),
        },
    )


def _costs(costs: dict | None, lang: str) -> str:
    """The costs published with a pair, in one cell ('configuration' when none were)."""
    if not costs:
        return t_text("thresholds.costs_none")
    currency = str(costs.get("currency") or resources.config().costs.currency)

    def money(name: str) -> str:
        return fmt_money(float(costs.get(name) or 0.0), lang, currency)

    def factor(name: str) -> str:
        return fmt_number(float(costs.get(name) or 0.0), lang, 2)

    return t_text(
        "thresholds.costs_summary",
        audit=money("audit_cost"),
        wv_fixed=money("wrongful_validation_fixed"),
        wv_factor=factor("wrongful_validation_factor"),
        wr_fixed=money("wrongful_rejection_fixed"),
        wr_factor=factor("wrongful_rejection_factor"),
        error=fmt_pct(float(costs.get("auditor_error_rate") or 0.0), lang),
    )
