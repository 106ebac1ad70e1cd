"""Model page: registered versions (activate / roll back), then the active model in detail."""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import model_challenger, model_details, model_versions
from app.i18n import t
from app.safe import md
from core.exceptions import WorkbenchError


def page() -> None:
    st.title(t("model_page.title"))
    st.caption(t("model_page.caption"))
    versions = resources.registry().list()
    if not versions:
        st.info(t("model_page.empty"), icon="🧠")
        return
    model_versions.show(versions)
    st.divider()
    model_challenger.show()
    active = next((v for v in versions if v.active), None)
    st.divider()
    if active is None:
        st.warning(t("model_page.no_active"), icon="⚠️")
        return
    try:
        model = resources.model(active.version)
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
        return
    model_details.show(active.version, model.metadata or {})


page()
