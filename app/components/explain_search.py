"""Which claim the explain page shows: ``?claim=<ID>``, a typed ID, or a pick in a batch.

Owns ``explain.search`` (the ID field), ``explain.search.seen`` (the last ``?claim=`` read,
so a new deep link wins over an older search), ``explain.pick.batch`` and
``explain.pick.claim``. Whatever the auditor chooses is written back to ``?claim=`` so the
address bar always holds a link to the claim on screen.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.i18n import current_lang, t, t_text
from core.formatting import fmt_number

SEARCH_KEY = "explain.search"
SEEN_KEY = "explain.search.seen"
BATCH_KEY = "explain.pick.batch"
CLAIM_KEY = "explain.pick.claim"
PARAM = "claim"
MAX_CHOICES = 10_000


def show() -> str | None:
    """The search field and the batch picker; the claim ID asked for, else None."""
    asked = st.query_params.get(PARAM)
    fresh = asked != st.session_state.get(SEEN_KEY) or SEARCH_KEY not in st.session_state
    if asked and fresh:
        st.session_state[SEEN_KEY] = asked
        st.session_state[SEARCH_KEY] = asked
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    with left:
        st.text_input(
            t("explain.search"),
            key=SEARCH_KEY,
            placeholder=t("explain.search_hint"),
            help=t("explain.search_help"),
            on_change=_to_url,
        )
    with right, st.expander(t("explain.pick")):
        _picker()
    value = (st.session_state.get(SEARCH_KEY) or "").strip()
    return value or None


def confirm(claim_id: str) -> None:
    """Write the stored spelling of the claim found back to ``?claim=``."""
    if st.query_params.get(PARAM) != claim_id:
        st.query_params[PARAM] = claim_id
        st.session_state[SEEN_KEY] = claim_id


def _picker() -> None:
    batches = resources.profile_batches()
    if not batches:
        st.caption(t("explain.pick_empty"))
        return
    names = {b.id: t_text("explain.pick_batch_option", id=b.id, file=b.file_name) for b in batches}
    batch_id = st.selectbox(
        t("explain.pick_batch"),
        list(names),
        index=None,
        format_func=names.get,
        key=BATCH_KEY,
        placeholder=t("explain.pick_batch_hint"),
    )
    if batch_id is None:
        return
    ids = resources.batch_claim_ids(batch_id)
    if len(ids) > MAX_CHOICES:
        st.caption(t("explain.pick_truncated", n=fmt_number(MAX_CHOICES, current_lang())))
    st.selectbox(
        t("explain.pick_claim"),
        ids[:MAX_CHOICES],
        index=None,
        key=CLAIM_KEY,
        placeholder=t("explain.pick_claim_hint"),
        on_change=_picked,
    )


def _picked() -> None:
    chosen = st.session_state.get(CLAIM_KEY)
    if chosen:
        st.session_state[SEARCH_KEY] = chosen
        _to_url()


def _to_url() -> None:
    value = (st.session_state.get(SEARCH_KEY) or "").strip()
    if value:
        st.query_params[PARAM] = value
        st.session_state[SEEN_KEY] = value
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
