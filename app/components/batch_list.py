"""Stored batches: every batch (newest first) with its latest scoring, and a reopen picker.

Owns the key ``batches.reopen``; returns the id of the batch the auditor chose to reopen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.fmt import batch_name
from app.i18n import current_lang, t
from core.formatting import fmt_datetime, fmt_number

REOPEN_KEY = "batches.reopen"


def show() -> int | None:
    """The table of stored batches; the id of the row the auditor selected, else None."""
    store = resources.store()
    batches = store.list_batches()
    st.subheader(t("batches.title"))
    if not batches:
        st.info(t("batches.empty"), icon="📭")
        return None
    lang = current_lang()
    latest = store.latest_scorings()  # one query for the whole list
    scorings = [latest.get(b.id) for b in batches]
    table = pd.DataFrame(
        {
            t("batches.col_id"): [b.id for b in batches],
            t("batches.col_file"): [b.file_name for b in batches],
            t("batches.col_rows"): [fmt_number(b.rows, lang) for b in batches],
            t("batches.col_uploaded_at"): [fmt_datetime(b.uploaded_at) for b in batches],
            t("batches.col_uploaded_by"): [b.uploaded_by for b in batches],
            t("batches.col_model"): [s.model_version if s else "—" for s in scorings],
            t("batches.col_scored_at"): [fmt_datetime(s.scored_at) if s else "—" for s in scorings],
            t("batches.col_profile"): [b.profile for b in batches],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    names = {b.id: batch_name(b.id, b.file_name) for b in batches}
    return st.selectbox(
        t("batches.reopen"),
        [b.id for b in batches],
        index=None,
        format_func=names.get,
        key=REOPEN_KEY,
        placeholder=t("batches.reopen_placeholder"),
        help=t("batches.reopen_help"),
    )
