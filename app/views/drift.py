"""Drift page: not built yet — says so plainly and points to what exists."""

from __future__ import annotations

import streamlit as st

from app.i18n import t

st.title(t("nav.drift"))
st.info(t("pending.drift"), icon="🚧")
st.page_link("views/upload.py", label=t("pending.go_upload"), icon="📥")
