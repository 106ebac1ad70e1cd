"""Review page: the Audit Humain queue and the quality-control sample of a batch, one claim at
a time (the most valuable audit first), saved reviews reopened with their history, exports."""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import (
    identity,
    review_export,
    review_form,
    review_history,
    review_queue_picker,
)
from app.fmt import batch_name
from app.i18n import current_lang, t
from app.safe import md
from core.exceptions import WorkbenchError
from core.formatting import fmt_number

st.title(t("review.title"))
st.caption(t("review.caption"))
review_form.announce()

store = resources.store()
latest = resources.latest_scorings()
scored = [b for b in resources.batches() if b.id in latest]
if not scored:
    st.info(t("review.empty"), icon="📭")
    st.page_link("views/upload.py", label=t("pending.go_upload"), icon="📥")
    st.stop()

names = {b.id: batch_name(b.id, b.file_name) for b in scored}
batch_id = st.selectbox(t("review.batch"), list(names), format_func=names.get, key="review.batch")
try:
    queues = resources.review_queues_of(batch_id, str(latest[batch_id].scored_at))  # cached
except WorkbenchError as exc:
    st.error(md(exc), icon="⛔")
    st.stop()

actor, lang = identity.current(), current_lang()
queue = queues[review_queue_picker.show(queues)]
st.progress(
    queue.done / queue.total if queue.total else 1.0,
    text=t(
        "review.progress", done=fmt_number(queue.done, lang), total=fmt_number(queue.total, lang)
    ),
)
claim = review_form.pick(queue)
if claim is not None:
    review_form.show(queue, claim, actor)
elif queue.kind == "qc" and queue.total == 0:
    st.info(t("review.qc_none"), icon="🎲")
else:
    st.success(t("review.all_done"), icon="🎉")

review_history.show(queue, actor)
review_export.show(batch_id, actor, has_reviews=not store.review_history(batch_id).empty)
