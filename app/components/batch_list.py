"""Stored batches of this profile: each (newest first) with its latest scoring and the pair
it applied, and a reopen picker.

Owns the key ``batches.reopen``; :func:`selected` reads the choice before the list is drawn,
so that the page can score the current batch first and then list it as scored.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components.threshold_logic import source_label
from app.fmt import batch_name
from app.i18n import current_lang, t, t_text
from core.formatting import fmt_datetime, fmt_number
from core.store.scores import ScoringInfo

REOPEN_KEY = "batches.reopen"


def selected() -> int | None:
    """The batch the auditor chose to reopen (the picker's value from the last run)."""
    return st.session_state.get(REOPEN_KEY)


def clear_selection() -> None:
    """Empty the reopen picker (before it is drawn), so any batch can be chosen again."""
    st.session_state.pop(REOPEN_KEY, None)


def show() -> int | None:
    """The table of stored batches; the id of the row the auditor selected, else None."""
    batches = resources.profile_batches()
    st.subheader(t("batches.title"))
    if not batches:
        st.info(t("batches.empty"), icon="📭")
        return None
    lang = current_lang()
    latest = resources.latest_scorings()  # read once per change of the store
    scorings = [latest.get(b.id) for b in batches]
    table = pd.DataFrame(
        {
            t("batches.col_id"): [b.id for b in batches],
            t("batches.col_file"): [b.file_name for b in batches],
            t("batches.col_rows"): [fmt_number(b.rows, lang) for b in batches],
            t("batches.col_uploaded_at"): [fmt_datetime(b.uploaded_at) for b in batches],
            t("batches.col_uploaded_by"): [b.uploaded_by for b in batches],
            t("batches.col_model"): [s.model_version if s else "—" for s in scorings],
            t("batches.col_pair"): [pair_text(s, lang) for s in scorings],
            t("batches.col_scored_at"): [fmt_datetime(s.scored_at) if s else "—" for s in scorings],
            t("batches.col_profile"): [b.profile for b in batches],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    names = {b.id: batch_name(b.id, b.file_name) for b in batches}
    if st.session_state.get(REOPEN_KEY) not in names:
        st.session_state.pop(REOPEN_KEY, None)  # a batch of another profile, or gone
    return st.selectbox(
        t("batches.reopen"),
        [b.id for b in batches],
        index=None,
        format_func=names.get,
        key=REOPEN_KEY,
        placeholder=t("batches.reopen_placeholder"),
        help=t("batches.reopen_help"),
    )


def pair_text(scoring: ScoringInfo | None, lang: str) -> str:
    """The (low, high) a scoring applied and where it came from (a table cell)."""
    if scoring is None:
        return "—"
    if scoring.low is None or scoring.high is None:
        if scoring.thresholds_id is None:
            return "—"
        record = resources.store().get_thresholds(int(scoring.thresholds_id))
        low, high = record.low, record.high
    else:
        low, high = scoring.low, scoring.high
    pair = {"low": fmt_number(low, lang, 2), "high": fmt_number(high, lang, 2)}
    if scoring.thresholds_id is not None:
        return t_text("batches.pair_published", id=int(scoring.thresholds_id), **pair)
    th = resources.config().thresholds
    source = "config" if (low, high) == (th.low, th.high) else "manual"
    return t_text("batches.pair_other", source=source_label(source, t_text), **pair)
