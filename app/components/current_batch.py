"""Which batch the upload page shows: the latest upload or the latest reopened batch.

Owns ``upload.current`` and remembers the last upload / selection / refused file seen, so
that whichever the auditor touched last wins. A refused file shows no batch: the decisions
of the batch shown before it are not this file's.
"""

from __future__ import annotations

import streamlit as st

CURRENT_KEY = "upload.current"
SEEN_KEY = "upload.current.seen"


def is_new_refusal(refused: str | None) -> bool:
    """Whether ``refused`` is a refused file this page has not shown yet."""
    seen = st.session_state.get(SEEN_KEY) or {}
    return refused is not None and refused != seen.get("refused")


def choose(uploaded: int | None, selected: int | None, refused: str | None = None) -> int | None:
    """``uploaded``: the batch of an accepted upload; ``selected``: the batch reopened;
    ``refused``: an id of the refused file being shown (None when there is none)."""
    seen = st.session_state.setdefault(SEEN_KEY, {})
    if refused is not None and refused != seen.get("refused"):
        st.session_state[CURRENT_KEY] = None
    if uploaded is not None and uploaded != seen.get("uploaded"):
        st.session_state[CURRENT_KEY] = uploaded
    if selected is not None and selected != seen.get("selected"):
        st.session_state[CURRENT_KEY] = selected
    seen.update(uploaded=uploaded, selected=selected, refused=refused)
    return st.session_state.get(CURRENT_KEY)
