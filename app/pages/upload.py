"""Upload page: file -> validation report -> stored batch -> preview; stored batches below."""

from __future__ import annotations

import streamlit as st

from app.components import batch_list, identity, report_view, uploader
from app.i18n import t
from core.formatting import fmt_number
from core.ingest import DUPLICATE, STORED

st.title(t("upload.title"))
st.caption(t("upload.caption"))

upload = uploader.show()
highlight = None
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
    highlight = result.batch_id

st.divider()
batch_list.show(highlight)
