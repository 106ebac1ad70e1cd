"""Entry point: page config, logging, sign-in, language switch and navigation. Nothing else.

A session that is not signed in (or signed in without a role) gets the sign-in (or refusal)
page at every address and nothing else. Every page runs inside a safety net: a
``WorkbenchError`` escaping it is shown as its message, anything else is logged with its
traceback and shown as a short generic message (the browser never gets a traceback).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path; the project root holds `app` and `core`.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import resources  # noqa: E402
from app.components import identity, language  # noqa: E402
from app.i18n import t  # noqa: E402
from app.theme import STYLESHEET  # noqa: E402
from core.config.identity import Actor  # noqa: E402
from core.exceptions import WorkbenchError  # noqa: E402

PAGES_DIR = Path(__file__).parent / "views"
# (file in views/, title key, icon, url path). Every page answers at its own path (/upload,
# /thresholds, ...); the first one also answers at "/" (a hidden twin at the root), since
# Streamlit serves its default page at "/" only.
PAGES = (
    ("upload.py", "nav.upload", "📥", "upload"),
    ("thresholds.py", "nav.thresholds", "🎚️", "thresholds"),
    ("explain.py", "nav.explain", "🔎", "explain"),
    ("review.py", "nav.review", "📝", "review"),
    ("drift.py", "nav.drift", "📈", "drift"),
    ("monitoring.py", "nav.monitoring", "🩺", "monitoring"),
    ("model.py", "nav.model", "🧠", "model"),
    ("journal.py", "nav.journal", "📜", "journal"),
)

HOME = "home"  # the root's url path (served at "/"; never shown in the menu)

logger = logging.getLogger("app")


def _configure_logging() -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_workbench", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._workbench = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def guarded(run: Callable[[], None], where: str) -> None:
    """Run ``run``; a WorkbenchError becomes its message, anything else a logged, generic one.

    Streamlit's st.rerun / st.stop signals are BaseExceptions and pass through untouched.
    """
    try:
        run()
    except WorkbenchError as exc:
        logger.warning("%s: %s", where, exc)
        st.error(str(exc), icon="⛔")
    except Exception:
        logger.exception("unexpected error in %s", where)
        st.error(t("app.unexpected_error"), icon="⛔")


def _gate(session: identity.Session) -> None:
    """The sign-in or refusal page, at every page's address (no "page not found")."""
    if session.state == identity.NO_ROLE:

        def only_page() -> None:
            identity.refused_page(session.email)
    else:
        only_page = identity.sign_in_page
    title = t("identity.refused_title" if session.state == identity.NO_ROLE else "nav.sign_in")
    pages = [
        st.Page(only_page, title=title, icon="🔐", url_path=url_path, default=i == 0)
        for i, url_path in enumerate((HOME, *(p[-1] for p in PAGES)))
    ]
    page = st.navigation(pages, position="hidden")
    with st.sidebar:
        language.show()
    guarded(page.run, "the sign-in page")


def _app(actor: Actor) -> None:
    pages = [
        st.Page(PAGES_DIR / file, title=t(key), icon=icon, url_path=url_path)
        for file, key, icon, url_path in PAGES
    ]
    file, key, icon, _ = PAGES[0]
    home = st.Page(
        PAGES_DIR / file, title=t(key), icon=icon, url_path=HOME, default=True, visibility="hidden"
    )
    page = st.navigation([*pages, home])
    with st.sidebar:
        language.show()
        identity.show(actor)
        st.caption(t("app.profile", profile=resources.config().profile))
    guarded(page.run, f"page {page.title!r}")


def _start() -> None:
    language.init(default=resources.config().locale)
    resources.job_runner()  # started once per server process
    resources.startup_frozen()  # once per process: the long-lived objects leave the GC's walk
    session = identity.session()
    if session.actor is None:
        _gate(session)
    else:
        _app(session.actor)


def main() -> None:
    st.set_page_config(page_title="Claims Triage Workbench", page_icon="⚖️", layout="wide")
    st.html(STYLESHEET)  # takes no room: a style-only st.html goes to the event container
    _configure_logging()
    guarded(_start, "the app's start")


main()
