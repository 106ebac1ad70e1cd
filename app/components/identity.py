"""Who is working: a name recorded with uploads and publications (no authentication here)."""

from __future__ import annotations

import streamlit as st

from app.i18n import t

USER_KEY = "user"


def show() -> str:
    """The auditor's name from the sidebar field (defaults to 'auditeur')."""
    st.session_state.setdefault(USER_KEY, "auditeur")
    name = st.text_input(t("identity.label"), key=USER_KEY, help=t("identity.help"))
    return name.strip() or "auditeur"


def current() -> str:
    return (st.session_state.get(USER_KEY) or "auditeur").strip() or "auditeur"
