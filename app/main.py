"""Entry point: page config, logging, language switch and navigation. Nothing else."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path; the project root holds `app` and `core`.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import resources  # noqa: E402
from app.components import identity, language  # noqa: E402
from app.i18n import t  # noqa: E402

PAGES_DIR = Path(__file__).parent / "views"


def _configure_logging() -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_workbench", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._workbench = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def main() -> None:
    st.set_page_config(page_title="Claims Triage Workbench", page_icon="⚖️", layout="wide")
    _configure_logging()
    language.init(default=resources.config().locale)
    pages = [
        st.Page(
            PAGES_DIR / "upload.py",
            title=t("nav.upload"),
            icon="📥",
            url_path="upload",
            default=True,
        ),
        st.Page(
            PAGES_DIR / "thresholds.py", title=t("nav.thresholds"), icon="🎚️", url_path="thresholds"
        ),
        st.Page(PAGES_DIR / "explain.py", title=t("nav.explain"), icon="🔎", url_path="explain"),
        st.Page(PAGES_DIR / "review.py", title=t("nav.review"), icon="📝", url_path="review"),
        st.Page(PAGES_DIR / "drift.py", title=t("nav.drift"), icon="📈", url_path="drift"),
        st.Page(PAGES_DIR / "model.py", title=t("nav.model"), icon="🧠", url_path="model"),
    ]
    resources.job_runner()  # started once per server process
    page = st.navigation(pages)
    with st.sidebar:
        language.show()
        identity.show()
    page.run()


main()
