"""Upload page: file -> validation report -> stored batch -> scoring -> decisions; past batches.

A new file takes its turn (:mod:`core.jobs.turns`) for its ingestion and scoring: auditors
uploading at once are served in arrival order instead of all waiting for all the batches,
and the drift reports wait meanwhile. The turn ends once the scores are stored, so the
next upload's ingestion starts while this page draws its decisions.
"""

from __future__ import annotations

from contextlib import ExitStack

import streamlit as st

from app import resources
from app.components import (
    batch_list,
    batch_view,
    current_batch,
    identity,
    report_view,
    scoring_panel,
    uploader,
)
from app.i18n import t
from core.formatting import fmt_number
from core.ingest.pipeline import DUPLICATE, STORED

st.title(t("upload.title"))
st.caption(t("upload.caption"))

upload = uploader.show()
uploaded_id, raw_file, refused = None, None, None
with ExitStack() as turn:  # released however the run ends (error, stop, rerun)
    if upload is not None and uploader.is_new(upload):
        turn.enter_context(resources.interactive_turn())
    if upload is None:
        st.info(t("upload.empty"), icon="📄")
    else:
        result = uploader.ingest_once(upload, identity.current())
        report_view.show(result.report, key="upload.report")
        if result.status == STORED:
            st.success(
                t("upload.stored", id=result.batch_id, rows=fmt_number(result.n_rows)), icon="💾"
            )
        elif result.status == DUPLICATE:
            st.info(t("upload.duplicate", id=result.batch_id), icon="♻️")
        else:
            st.error(t("upload.rejected"), icon="🚫")
            refused = f"{upload.file_id}:{upload.sheet}"
        if result.accepted and scoring_panel.own_profile(result.batch_id):
            uploaded_id, raw_file = result.batch_id, (upload.source, upload.name, upload.sheet)

    view = st.container()
    st.divider()
    listing = st.container()  # drawn after the scoring below, so it lists the batch as scored
    if current_batch.is_new_refusal(refused):
        batch_list.clear_selection()  # the batch reopened before is not this file's either
    batch_id = current_batch.choose(uploaded_id, batch_list.selected(), refused)

    with view:
        if batch_id is None and refused is not None:
            st.info(t("upload.refused_no_batch"), icon="🚫")
        if batch_id is not None and scoring_panel.ensure_scored(batch_id, identity.current()):
            turn.close()  # the heavy part is done: the next upload's turn
            latest = resources.store().latest_scoring(batch_id)
            batch_view.show(
                resources.scoring_summary(batch_id, str(latest.scored_at)),
                raw_file=raw_file if batch_id == uploaded_id else None,
            )

with listing:
    batch_list.show()
