"""Published threshold pairs, newest first, with who published them, when and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components.threshold_logic import source_label
from app.i18n import current_lang, t
from core.formatting import fmt_datetime, fmt_number


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
        },
    )
