"""Who is working: a name recorded with uploads, reviews and publications (no authentication).

Like the language, the name lives in a plain session key (``user``) that the sidebar field
updates, so a rerun that does not render the sidebar cannot lose it.
"""

from __future__ import annotations

import streamlit as st

from app.i18n import t

USER_KEY = "user"
WIDGET_KEY = "user.widget"
DEFAULT = "auditeur"


def _changed() -> None:
    st.session_state[USER_KEY] = (st.session_state.get(WIDGET_KEY) or "").strip() or DEFAULT


def show() -> str:
    """The auditor's name field in the sidebar; returns the current name."""
    st.session_state[WIDGET_KEY] = current()
    st.text_input(t("identity.label"), key=WIDGET_KEY, on_change=_changed, help=t("identity.help"))
    return current()


def current() -> str:
    return (st.session_state.get(USER_KEY) or "").strip() or DEFAULT
