"""Drift page: alert per batch, history per column, one batch's full Evidently report."""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import drift_views, identity
from app.fmt import batch_name, plotly_chart
from app.i18n import current_lang, t
from app.safe import md
from core.drift.service import MODEL, PREVIOUS, drift_report, with_snapshot
from core.drift.storage import load_drift_report
from core.exceptions import WorkbenchError

st.title(t("drift.title"))
st.caption(t("drift.caption"))

cfg = resources.config()
store = resources.store()
labels = {c.key: c.name for c in cfg.schema.columns}
latest_scored = resources.latest_scorings()
scored = [b for b in resources.profile_batches() if b.id in latest_scored]
if not scored:
    st.info(t("drift.empty"), icon="📭")
    st.page_link("views/upload.py", label=t("pending.go_upload"), icon="📥")
    st.stop()

reports = resources.drift_reports()
latest = {}
for report in reports:  # newest first: the latest report of each batch against a model
    if report.reference.startswith("model:"):
        latest.setdefault(report.batch_id, report)

st.subheader(t("drift.alerts_title"))
if reports:
    drift_views.alerts_table(reports, labels)
else:
    st.info(t("drift.no_report"), icon="⏳")

history = resources.drift_trend()
history = history[history["reference"].str.startswith("model:")] if len(history) else history
if len(history):
    keys = [k for k in history["column"].unique() if k in labels]
    default = sorted({c for r in latest.values() for c in r.drifted_columns}) or keys[:3]
    chosen = st.multiselect(
        t("drift.history_columns"),
        keys,
        default=default,
        format_func=lambda k: labels.get(k, k),
        key="drift.history",
    )
    plotly_chart(
        resources.drift_chart(chosen, current_lang()),
        width="stretch",
        key="drift.history_chart",
    )

st.divider()
st.subheader(t("drift.detail_title"))
names = {b.id: batch_name(b.id, b.file_name) for b in scored}
c1, c2 = st.columns([3, 2])
batch_id = c1.selectbox(t("drift.batch"), list(names), format_func=names.get, key="drift.batch")
against = c2.radio(
    t("drift.against"),
    (MODEL, PREVIOUS),
    horizontal=True,
    key="drift.against",
    format_func=lambda v: t(f"drift.against_{v}"),
)
stored = [
    r
    for r in reports
    if r.batch_id == batch_id and r.reference.startswith("model:" if against == MODEL else "batch:")
]
if st.button(t("drift.compute"), key="drift.compute", icon="🔄"):
    try:
        with st.spinner(t("drift.computing")):
            fresh = drift_report(
                store,
                resources.registry(),
                cfg,
                batch_id,
                against=against,
                actor=identity.current(),
            )
        stored = [fresh, *stored]
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
if not stored:
    st.info(t("drift.none_for_batch"), icon="ℹ️")
    st.stop()

report = stored[0]
st.markdown(
    f"**{drift_views.alert_text(report.alert_level)}** — "
    + t("drift.versus", reference=drift_views.reference_text(report.reference))
)
drift_views.columns_table(report)
if st.toggle(t("drift.show_full"), key=f"drift.full.{batch_id}.{against}"):
    stored = load_drift_report(store, report.report_id)
    with st.spinner(t("drift.building_report")):
        drift_views.full_report(with_snapshot(store, resources.registry(), cfg, stored))
