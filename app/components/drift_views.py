"""Drift page pieces: alert table, per-column history chart, one report in full."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from app import charts
from app.i18n import current_lang, t, t_text
from app.safe import chart_text
from core.drift.report import DriftReport, render_html
from core.formatting import fmt_datetime, fmt_number, fmt_pct

ALERT_ICONS = {"green": "🟢", "orange": "🟠", "red": "🔴"}


def alert_text(level: str) -> str:
    return f"{ALERT_ICONS.get(level, '⚪')} {t(f'drift.level_{level}')}"


def reference_text(reference: str) -> str:
    """The reference as plain text (a table cell; ``t`` escapes it as a field)."""
    kind, _, name = reference.partition(":")
    if kind == "model":
        return t_text("drift.ref_model", version=name)
    return t_text("drift.ref_batch", id=name)


def alerts_table(reports: list[DriftReport], labels: dict[str, str]) -> None:
    """One row per stored report (newest first): batch, reference, alert, drifted columns."""
    lang = current_lang()
    table = pd.DataFrame(
        {
            t("drift.col_batch"): [r.batch_id for r in reports],
            t("drift.col_reference"): [reference_text(r.reference) for r in reports],
            t("drift.col_alert"): [alert_text(r.alert_level) for r in reports],
            t("drift.col_drifted"): [
                ", ".join(labels.get(c, c) for c in r.drifted_columns) or "—" for r in reports
            ],
            t("drift.col_share"): [fmt_pct(r.share_drifted, lang, 0) for r in reports],
            t("drift.col_rows"): [fmt_number(r.n_current, lang) for r in reports],
            t("drift.col_at"): [fmt_datetime(r.created_at) for r in reports],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def history_chart(history: pd.DataFrame, columns: list[str], labels: dict[str, str]) -> go.Figure:
    """Score per batch for each chosen column (reports against a model), threshold dashed."""
    fig = go.Figure()
    for key in columns:
        rows = history[history["column"] == key].sort_values("created_at")
        name = chart_text(labels.get(key, key))
        fig.add_scatter(
            x=rows["batch_id"].astype(str), y=rows["score"], mode="lines+markers", name=name
        )
        if len(rows):
            fig.add_scatter(
                x=rows["batch_id"].astype(str),
                y=rows["threshold"],
                mode="lines",
                line={"dash": "dot", "width": 1},
                name=f"{name} — {t('drift.threshold')}",
                showlegend=False,
                hoverinfo="skip",
            )
    fig.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=t("drift.history_title"),
        xaxis_title=t("drift.col_batch"),
        yaxis_title=t("drift.score"),
        legend={"orientation": "h", "y": -0.25},
        xaxis={"type": "category"},
    )
    return charts.clear_toolbar(fig)


def columns_table(report: DriftReport) -> None:
    lang = current_lang()
    rows = [
        {
            t("drift.col_column"): c.label or c.column,
            t("drift.col_method"): c.method,
            t("drift.score"): fmt_number(c.score, lang, 3),
            t("drift.threshold"): fmt_number(c.threshold, lang, 3),
            t("drift.col_threshold_origin"): t_text(
                "drift.origin_noise" if c.sized_by_noise else "drift.origin_config"
            ),
            t("drift.col_state"): "⚠️ " + t("drift.drifted") if c.drifted else "✓",
            t("drift.col_counted"): t("drift.counted_yes")
            if c.kind in ("numeric", "categorical")
            else t("drift.counted_no"),
        }
        for c in report.columns
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if report.missing_columns:
        st.caption(t("drift.missing", columns=", ".join(report.missing_columns)))


def full_report(report: DriftReport) -> None:
    """The Evidently report, rendered from the stored snapshot, plus its HTML download."""
    html = render_html(report)
    st.download_button(
        t("drift.download"),
        data=html.encode("utf-8"),
        file_name=f"derive_lot_{report.batch_id}_{report.report_id}.html",
        mime="text/html",
        key=f"drift.download.{report.report_id}",
        icon="⬇️",
    )
    components.html(html, height=900, scrolling=True)
