"""Interface strings: one catalogue per language in app/locales/<lang>.yaml.

``t("upload.title")`` returns the string in the session's language; ``{name}`` fields are
filled from keyword arguments. A missing key shows the key itself (and a test checks that
both catalogues define every key the code uses).
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st
import yaml

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = {"fr": "Français", "en": "English"}
LANG_KEY = "lang"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat key -> text mapping of one language."""
    with open(LOCALES_DIR / f"{lang}.yaml", encoding="utf-8") as fh:
        return _flatten(yaml.safe_load(fh) or {})


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{full}."))
        else:
            out[full] = str(value)
    return out


def current_lang() -> str:
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGUAGES else "fr"


def t(key: str, **fields: object) -> str:
    text = catalogue(current_lang()).get(key, key)
    return text.format(**fields) if fields else text
