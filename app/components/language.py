"""Language switch: owns the session key ``lang`` (fr by default, ?lang=en accepted)."""

from __future__ import annotations

import streamlit as st

from app.i18n import LANG_KEY, LANGUAGES


def init(default: str = "fr") -> None:
    """Set the session language once: ?lang= in the URL wins, then the configured default."""
    if LANG_KEY not in st.session_state:
        asked = st.query_params.get("lang")
        st.session_state[LANG_KEY] = asked if asked in LANGUAGES else default


def show() -> str:
    """The FR / EN switch; returns the chosen language."""
    return st.segmented_control(
        "Langue / Language",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        label_visibility="collapsed",
    ) or st.session_state.get(LANG_KEY, "fr")
