"""Explain page: not built yet — says so plainly and points to what exists."""

from __future__ import annotations

import streamlit as st

from app.i18n import t

st.title(t("nav.explain"))
st.info(t("pending.explain"), icon="🚧")
st.page_link("pages/upload.py", label=t("pending.go_upload"), icon="📥")
