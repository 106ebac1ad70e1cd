"""Which batch the upload page shows: the latest upload or the latest reopened batch.

Owns ``upload.current`` and remembers the last upload / selection seen, so that whichever
of the two the auditor touched last wins.
"""

from __future__ import annotations

import streamlit as st

CURRENT_KEY = "upload.current"
SEEN_KEY = "upload.current.seen"


def choose(uploaded: int | None, selected: int | None) -> int | None:
    seen = st.session_state.setdefault(SEEN_KEY, {"uploaded": None, "selected": None})
    if uploaded is not None and uploaded != seen["uploaded"]:
        st.session_state[CURRENT_KEY] = uploaded
    if selected is not None and selected != seen["selected"]:
        st.session_state[CURRENT_KEY] = selected
    seen.update(uploaded=uploaded, selected=selected)
    return st.session_state.get(CURRENT_KEY)
