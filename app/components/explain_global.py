"""Global explanations of a model version: mean |SHAP| bars, beeswarm, dependence plot and
the importance table as CSV, from a summary stored in DuckDB (computed on demand).

Owns ``explain.global.source``, ``explain.global.size``, ``explain.global.grouping``,
``explain.global.compute`` and ``explain.global.column``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import charts_shap, resources
from app.fmt import plotly_chart
from app.i18n import current_lang, t, t_chart, t_text
from app.safe import chart_text, md
from core.exceptions import WorkbenchError
from core.explain import explainer as explain
from core.explain import lookup as explain_store
from core.explain.results import GlobalExplanation
from core.formatting import fmt_datetime, fmt_number
from core.model.trained import TrainedModel

SOURCE_KEY = "explain.global.source"
SIZE_KEY = "explain.global.size"
GROUPING_KEY = "explain.global.grouping"
COMPUTE_KEY = "explain.global.compute"
COLUMN_KEY = "explain.global.column"
DEFAULT_SIZE = 2000
TOP = 30


def show(version: str, model: TrainedModel, *, batch_id: int | None = None) -> None:
    lang = current_lang()
    st.subheader(t("explain.global_title", model=version))
    source, size, grouping = _settings(model, batch_id)
    summary = resources.shap_summary(version, source, grouping)
    label = t("explain.global_recompute" if summary else "explain.global_compute")
    if st.button(label, key=COMPUTE_KEY, type="secondary" if summary else "primary"):
        summary = _compute(model, source, size, grouping)
    if summary is None:
        st.info(t("explain.global_missing"), icon="🧮")
        return
    st.caption(
        t(
            "explain.global_caption",
            n=fmt_number(summary.sample_size, lang),
            at=fmt_datetime(summary.created_at),
            seconds=fmt_number(summary.seconds, lang, 2),
        )
    )
    _charts(summary, lang)
    st.download_button(
        t("explain.global_download"),
        explain.importance_csv(summary, lang),
        file_name=f"importance_{version}.csv",
        mime="text/csv",
        key="explain.global.download",
    )


def _settings(model: TrainedModel, batch_id: int | None) -> tuple[str, int, str]:
    sources = []
    if model.reference is not None and len(model.reference):
        sources.append(explain_store.SOURCE_REFERENCE)
    batches = resources.profile_batches()
    sources += [explain_store.batch_source(b.id) for b in batches]
    names = {explain_store.SOURCE_REFERENCE: t("explain.global_reference")}
    for b in batches:
        option = t_text("explain.pick_batch_option", id=b.id, file=b.file_name)
        names[explain_store.batch_source(b.id)] = option
    if not sources:
        sources = [explain_store.SOURCE_REFERENCE]
    wanted = sources[0]
    if explain_store.SOURCE_REFERENCE not in sources and batch_id is not None:
        wanted = explain_store.batch_source(batch_id)
    cols = st.columns([3, 1, 3], vertical_alignment="bottom")
    source = cols[0].selectbox(
        t("explain.global_source"),
        sources,
        index=sources.index(wanted) if wanted in sources else 0,
        format_func=lambda s: names.get(s, s),
        key=SOURCE_KEY,
    )
    size = cols[1].number_input(
        t("explain.global_size"),
        min_value=100,
        max_value=20_000,
        value=DEFAULT_SIZE,
        step=500,
        key=SIZE_KEY,
        help=t("explain.global_size_help"),
    )
    grouping = cols[2].segmented_control(
        t("explain.grouping"),
        ("split", "named"),
        default="split",
        format_func=lambda g: t(f"explain.grouping_{g}"),
        key=GROUPING_KEY,
    )
    return source, int(size), grouping or "split"


def _compute(
    model: TrainedModel, source: str, size: int, grouping: str
) -> GlobalExplanation | None:
    with st.spinner(t("explain.global_running", n=fmt_number(size, current_lang()))):
        try:
            summary = explain_store.compute_summary(
                resources.store(), model, source, size=size, grouping=grouping
            )
        except WorkbenchError as exc:
            st.error(md(exc), icon="⛔")
            return None
    resources.shap_summary.clear()
    return summary


def _charts(summary: GlobalExplanation, lang: str) -> None:
    table = summary.importance.head(TOP)
    order = [summary.keys.index(k) for k in table["column"]]
    labels = [summary.labels(lang)[i] for i in order]
    left, right = st.columns(2, gap="large")
    with left:
        fig = charts_shap.shap_importance_bars(
            labels,
            table["mean_abs_log_odds"].tolist(),
            lang=lang,
            titles={"title": t("explain.bars_title"), "x": t("explain.bars_x")},
        )
        plotly_chart(fig, width="stretch", key="explain.global.bars")
    with right:
        fig = charts_shap.shap_beeswarm(
            summary.contributions[:, order],
            summary.colour[:, order],
            labels,
            lang=lang,
            titles={
                "title": t("explain.swarm_title"),
                "x": t("explain.swarm_x"),
                "colour": t("explain.swarm_colour"),
                "low": t("explain.swarm_low"),
                "high": t("explain.swarm_high"),
                "missing": t("explain.swarm_missing"),
                "points": t("explain.swarm_points"),
            },
        )
        plotly_chart(fig, width="stretch", key="explain.global.swarm")
    _dependence(summary, order, labels, lang)


def _dependence(summary: GlobalExplanation, order: list[int], labels: list[str], lang: str):
    choice = st.selectbox(
        t("explain.dependence_column"),
        range(len(order)),
        format_func=lambda i: labels[i],
        key=COLUMN_KEY,
    )
    i = order[choice or 0]
    x = summary.values[summary.keys[i]].to_numpy()
    fig = charts_shap.shap_dependence(
        x,
        summary.contributions[:, i],
        lang=lang,
        titles={
            "title": t_chart("explain.dependence_title", column=labels[choice or 0]),
            "x": chart_text(labels[choice or 0]),
            "y": t("explain.swarm_x"),
        },
    )
    plotly_chart(fig, width="stretch", key="explain.global.dependence")
    if not np.issubdtype(np.asarray(x).dtype, np.number):
        st.caption(t("explain.dependence_categories"))
