"""Review page: the Audit Humain queue of a batch, one claim at a time, and what was reviewed."""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import identity, review_form
from app.fmt import batch_name
from app.i18n import current_lang, t
from app.safe import md
from core.exceptions import WorkbenchError
from core.formatting import fmt_datetime, fmt_number
from core.scoring.review_queue import review_queue
from core.store.reviews import VALIDATE

st.title(t("review.title"))
st.caption(t("review.caption"))

store = resources.store()
latest = store.latest_scorings()
scored = [b for b in store.list_batches() if b.id in latest]
if not scored:
    st.info(t("review.empty"), icon="📭")
    st.page_link("views/upload.py", label=t("pending.go_upload"), icon="📥")
    st.stop()

names = {b.id: batch_name(b.id, b.file_name) for b in scored}
batch_id = st.selectbox(t("review.batch"), list(names), format_func=names.get, key="review.batch")
try:
    queue = review_queue(store, batch_id)
except WorkbenchError as exc:
    st.error(md(exc), icon="⛔")
    st.stop()

lang = current_lang()
share = queue.done / queue.total if queue.total else 1.0
st.progress(
    share,
    text=t(
        "review.progress", done=fmt_number(queue.done, lang), total=fmt_number(queue.total, lang)
    ),
)
claim = review_form.pick(queue.pending())
if claim is None:
    st.success(t("review.all_done"), icon="🎉")
else:
    review_form.show(batch_id, claim, identity.current())

done = queue.frame[queue.frame["review_decision"].notna()]
if len(done):
    st.subheader(t("review.done_title"))
    verdict = {VALIDATE: t("review.justified")}
    st.dataframe(
        done.assign(
            **{
                t("review.verdict"): done["review_decision"].map(
                    lambda v: verdict.get(v, t("review.unjustified"))
                ),
                t("review.when"): done["reviewed_at"].map(fmt_datetime),
            }
        )[
            [c for c in ("id", "amount") if c in done.columns]
            + [t("review.verdict"), "auditor", "comment", t("review.when")]
        ],
        hide_index=True,
        width="stretch",
    )
