"""Language switch: owns ``lang`` (fr by default, ?lang=en accepted).

The language lives in a plain session key, not in the widget's own key: Streamlit may drop
the state of a widget it did not render in a run (a fragment rerun does not render the
sidebar), and the interface must never lose its language.
"""

from __future__ import annotations

import streamlit as st

from app.i18n import LANG_KEY, LANGUAGES

WIDGET_KEY = "lang.widget"


def init(default: str = "fr") -> None:
    """Set the session language once: ?lang= in the URL wins, then the configured default."""
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        asked = st.query_params.get("lang")
        st.session_state[LANG_KEY] = asked if asked in LANGUAGES else default


def _changed() -> None:
    chosen = st.session_state.get(WIDGET_KEY)
    if chosen in LANGUAGES:  # clicking the selected option again deselects it: keep the language
        st.session_state[LANG_KEY] = chosen


def show() -> str:
    """The FR / EN switch; returns the session language."""
    st.session_state[WIDGET_KEY] = st.session_state[LANG_KEY]
    st.segmented_control(
        "Langue / Language",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=WIDGET_KEY,
        on_change=_changed,
        label_visibility="collapsed",
    )
    return st.session_state[LANG_KEY]
