"""Stored batches: a table of every batch (newest first) and a preview of the chosen one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.i18n import current_lang, t
from core.formatting import fmt_datetime, fmt_number

PREVIEW_KEY = "batches.preview"


def show(highlight: int | None = None) -> None:
    batches = resources.store().list_batches()
    st.subheader(t("batches.title"))
    if not batches:
        st.info(t("batches.empty"), icon="📭")
        return
    lang = current_lang()
    table = pd.DataFrame(
        {
            t("batches.col_id"): [b.id for b in batches],
            t("batches.col_file"): [b.file_name for b in batches],
            t("batches.col_rows"): [fmt_number(b.rows, lang) for b in batches],
            t("batches.col_sheet"): [b.sheet or "—" for b in batches],
            t("batches.col_profile"): [b.profile for b in batches],
            t("batches.col_uploaded_at"): [fmt_datetime(b.uploaded_at) for b in batches],
            t("batches.col_uploaded_by"): [b.uploaded_by for b in batches],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    ids = [b.id for b in batches]
    default = ids.index(highlight) if highlight in ids else 0
    names = {b.id: f"#{b.id} — {b.file_name}" for b in batches}
    chosen = st.selectbox(
        t("batches.preview_label"), ids, index=default, format_func=names.get, key=PREVIEW_KEY
    )
    preview = resources.claims_preview(chosen)
    st.caption(t("batches.preview_caption", rows=fmt_number(len(preview), lang)))
    st.dataframe(preview, hide_index=True, width="stretch", height=320)
