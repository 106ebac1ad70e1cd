"""Who is working: the signed-in identity, recorded with every upload, review and publication.

The actor comes from the sign-in, never from a free-text field. Sign-in is Streamlit's own
OIDC support (``st.login`` / ``st.user``), turned on by an ``[auth]`` section in Streamlit's
secrets (``.streamlit/secrets.toml`` or a file given with ``--secrets.files``; see the
README). The role comes from the ``auth:`` section of the configuration
(:meth:`core.config.identity.AuthConfig.actor_from_claims`). With no ``[auth]`` section the
app runs in local mode: one local user named by the configuration (``auth.local_user``),
shown with a banner.

:func:`session` says where this browser session stands; ``app/main.py`` shows the sign-in
page (signed out) or the refusal page (signed in, no role) instead of the app, so a page
only ever runs for an actor.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError

from app import resources
from app.i18n import t
from core.config.identity import Actor, AuthConfig
from core.exceptions import ConfigError, PermissionDeniedError

logger = logging.getLogger(__name__)

LOCAL, SIGNED_OUT, NO_ROLE, SIGNED_IN = "local", "signed_out", "no_role", "signed_in"
# Keys Streamlit adds to st.user beside the ID token's claims.
_NOT_CLAIMS = ("is_logged_in", "tokens", "provider")


@dataclass(frozen=True)
class Session:
    """Where a browser session stands: its state, its actor (None: not let in) and e-mail."""

    state: str  # LOCAL | SIGNED_OUT | NO_ROLE | SIGNED_IN
    actor: Actor | None = None
    email: str = ""


def resolve(auth: AuthConfig, configured: bool, user: Mapping[str, Any]) -> Session:
    """The session of a user (``st.user`` as a mapping) under the ``auth:`` configuration.

    ``configured`` says whether an identity provider is configured; without one the local
    user acts, whatever ``user`` holds.
    """
    if not configured:
        return Session(LOCAL, auth.local_actor())
    if user.get("is_logged_in") is not True:
        return Session(SIGNED_OUT)
    claims = {k: v for k, v in user.items() if k not in _NOT_CLAIMS}
    email = str(claims.get("email") or claims.get("sub") or "").strip()
    actor = auth.actor_from_claims(claims)
    if actor is None:
        return Session(NO_ROLE, None, email)
    return Session(SIGNED_IN, actor, email)


def provider_configured() -> bool:
    """Whether an identity provider is configured (an ``[auth]`` section in the secrets).

    No secrets file at all means local mode. A secrets file that cannot be read does not:
    the app stays closed (ConfigError) rather than open every action to the local user.
    """
    try:
        return "auth" in st.secrets
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return False
        raise ConfigError(
            f"Les secrets de Streamlit sont illisibles ({exc}) : corrigez le fichier (section "
            "[auth], voir le README) puis redémarrez. / Streamlit's secrets cannot be read "
            f"({exc}): fix the file ([auth] section, see the README) and restart."
        ) from exc


def session() -> Session:
    """This browser session, from ``st.user`` and the configuration."""
    return resolve(resources.config().auth, provider_configured(), st.user.to_dict())


def current() -> Actor:
    """The actor of this session (pages only run for one; see app/main.py)."""
    actor = session().actor
    if actor is None:
        raise PermissionDeniedError(
            "Connectez-vous avec un compte autorisé. / Sign in with an authorised account."
        )
    return actor


def show(actor: Actor) -> None:
    """Sidebar: who is signed in, with their role, and sign-out; the local-mode banner."""
    role = t(f"identity.role_{actor.role}")
    st.caption(t("identity.signed_in", name=actor.name, role=role))
    if actor.via == "local":
        st.warning(t("identity.local_mode"), icon="🏠")
        return
    if actor.name != actor.id:
        st.text(actor.id)  # plain text: no Markdown, no mailto link
    _sign_out_button()


def _sign_out_button() -> None:
    # A callback: the run that follows already sees the user signed out, while the browser
    # is sent to Streamlit's /auth/logout (and the provider's end-session page, if any).
    st.button(t("identity.sign_out"), key="identity.sign_out", icon="🚪", on_click=st.logout)


def sign_in_page() -> None:
    """The only page of a signed-out session: what the app is, and the sign-in button."""
    st.title(t("identity.sign_in_title"))
    st.write(t("identity.sign_in_text"))
    if st.button(t("identity.sign_in"), key="identity.sign_in", type="primary", icon="🔐"):
        try:
            st.login()
        except StreamlitAuthError as exc:  # [auth] incomplete, Authlib missing...
            logger.error("sign-in is misconfigured: %s", exc)
            st.error(t("identity.sign_in_broken", error=str(exc)), icon="⛔")


def refused_page(email: str) -> None:
    """The only page of a signed-in user without a role: a plain refusal, and sign-out."""
    st.title(t("identity.refused_title"))
    st.error(t("identity.refused", email=email or "?"), icon="🚫")
    _sign_out_button()
