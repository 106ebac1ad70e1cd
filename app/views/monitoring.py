"""Suivi page: how each batch's automatic decisions do — estimated before labels, realised
after — and the alerts when realised leaves the estimated band."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import charts, resources
from app.fmt import batch_name, plotly_chart
from app.i18n import current_lang, t, t_chart, t_text
from core.formatting import fmt_money, fmt_number, fmt_pct

st.title(t("monitoring.title"))
st.caption(
    t("monitoring.caption", share=fmt_pct(resources.config().monitor.qc_share, current_lang(), 0))
)

rows = resources.batch_performances(resources.monitoring_state())
if not rows:
    st.info(t("monitoring.empty"), icon="📭")
    st.page_link("views/upload.py", label=t("pending.go_upload"), icon="📥")
    st.stop()

lang, currency = current_lang(), resources.config().costs.currency
alerts = [r for r in rows if r.alert]
if alerts:
    st.error(
        t("monitoring.alerts", batches=", ".join(batch_name(r.batch_id) for r in alerts)), icon="🚨"
    )
else:
    st.success(t("monitoring.no_alert"), icon="✅")


def _interval(pair: tuple[float, float] | None) -> str:
    sep = " ; " if lang == "fr" else ", "
    return "—" if pair is None else f"[{fmt_pct(pair[0], lang)}{sep}{fmt_pct(pair[1], lang)}]"


table = pd.DataFrame(
    {
        t_text("monitoring.col_batch"): [r.batch_id for r in rows],
        t_text("monitoring.col_model"): [r.model_version for r in rows],
        t_text("monitoring.col_automation"): [
            fmt_pct(r.estimated.automation_rate, lang) for r in rows
        ],
        t_text("monitoring.col_estimated"): [
            f"{fmt_pct(r.estimated.error_rate, lang)} {_interval(r.estimated.error_band)}"
            for r in rows
        ],
        t_text("monitoring.col_realised"): [
            "—"
            if r.realised.error_rate is None
            else f"{fmt_pct(r.realised.error_rate, lang)} {_interval(r.realised.error_interval)}"
            for r in rows
        ],
        t_text("monitoring.col_basis"): [
            t_text(
                f"monitoring.basis_{r.realised.basis.replace(' ', '_').replace('-', '_')}",
                n=fmt_number(r.realised.sampled, lang),
            )
            for r in rows
        ],
        t_text("monitoring.col_cost"): [
            f"{fmt_money(r.estimated.cost, lang, currency)} / "
            + ("—" if r.realised.cost is None else fmt_money(r.realised.cost, lang, currency))
            for r in rows
        ],
        t_text("monitoring.col_alert"): ["🚨" if r.alert else "✓" for r in rows],
    }
)
st.dataframe(table, hide_index=True, width="stretch")

figure = go.Figure()
x = [str(r.batch_id) for r in rows]
low = [r.estimated.error_band[0] for r in rows]
high = [r.estimated.error_band[1] for r in rows]
figure.add_trace(go.Scatter(x=x, y=high, mode="lines", line={"width": 0}, showlegend=False))
figure.add_trace(
    go.Scatter(x=x, y=low, mode="lines", fill="tonexty", line={"width": 0},
               name=t_chart("monitoring.band"), fillcolor="rgba(31,78,121,0.15)")
)  # fmt: skip
figure.add_trace(
    go.Scatter(x=x, y=[r.estimated.error_rate for r in rows], mode="lines+markers",
               name=t_chart("monitoring.estimated"))
)  # fmt: skip
real = [(str(r.batch_id), r.realised) for r in rows if r.realised.error_rate is not None]
if real:
    figure.add_trace(
        go.Scatter(
            x=[b for b, _ in real], y=[v.error_rate for _, v in real], mode="markers",
            name=t_chart("monitoring.realised"), marker={"size": 10, "symbol": "diamond"},
            error_y={"type": "data", "symmetric": False,
                     "array": [v.error_interval[1] - v.error_rate for _, v in real],
                     "arrayminus": [v.error_rate - v.error_interval[0] for _, v in real]},
        )
    )  # fmt: skip
figure.update_layout(
    template="plotly_white", height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10},
    title=t_chart("monitoring.chart_title"), xaxis={"type": "category",
    "title": t_chart("monitoring.col_batch")}, yaxis={"tickformat": ".0%"},
    legend={"orientation": "h", "y": -0.25},
)  # fmt: skip
plotly_chart(charts.clear_toolbar(figure), width="stretch", config={"displaylogo": False})
st.caption(t("monitoring.how"))
