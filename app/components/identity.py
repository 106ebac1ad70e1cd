"""Who is working: the signed-in identity, recorded with every upload, review and publication.

The actor comes from the sign-in, never from a free-text field. With no identity provider
configured the app runs in local mode: one local user named by the configuration
(``auth.local_user``), shown with a banner.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.i18n import t
from core.config.identity import Actor


def current() -> Actor:
    """The actor of this session."""
    return resources.config().auth.local_actor()


def show() -> Actor:
    """Who is signed in, with their role, in the sidebar; the local-mode banner."""
    actor = current()
    role = t(f"identity.role_{actor.role}")
    st.caption(t("identity.signed_in", name=actor.name, role=role))
    if actor.via == "local":
        st.warning(t("identity.local_mode"), icon="🏠")
    return actor
