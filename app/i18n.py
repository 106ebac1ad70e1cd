"""Interface strings: one catalogue per language in app/locales/<lang>.yaml.

``t("upload.title")`` returns the string in the session's language; ``{name}`` fields are
filled from keyword arguments. A missing key shows the key itself (and a test checks that
both catalogues define every key the code uses).

Catalogue strings are trusted Markdown (they may hold ``**bold**`` or ``code``); the fields
are data, escaped for where the text is shown (see :mod:`app.safe`):

- ``t`` for Streamlit's Markdown (st.markdown, captions, alerts, metrics, labels, help,
  spinners, ...): each field goes through :func:`app.safe.md`, except a
  :class:`app.safe.Markdown` (what ``t`` itself returns, or ``safe.trusted(...)``);
- ``t_text`` where Streamlit shows text literally (table cells and headers, select box
  options): fields as they are;
- ``t_chart`` for Plotly titles and hover templates: fields through
  :func:`app.safe.chart_text`.

Without fields, all three return the catalogue string.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import streamlit as st
import yaml

from app.safe import Markdown, chart_text, md

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = {"fr": "Français", "en": "English"}
LANG_KEY = "lang"

Escape = Callable[[object], str]
Translate = Callable[..., str]


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


def _plain(value: object) -> str:
    return str(value)


def render(lang: str, key: str, escape: Escape, fields: dict[str, object]) -> str:
    """The catalogue string of ``key`` with each field passed through ``escape``."""
    text = catalogue(lang).get(key, key)
    if not fields:
        return text
    return text.format(**{name: escape(value) for name, value in fields.items()})


def translator(lang: str, escape: Escape = md) -> Translate:
    """``t(key, **fields)`` for one language (usable outside a session), fields escaped
    with ``escape`` (Markdown by default)."""

    def translate(key: str, **fields: object) -> str:
        text = render(lang, key, escape, fields)
        return Markdown(text) if escape is md else text

    return translate


def t(key: str, **fields: object) -> Markdown:
    """For Streamlit's Markdown: the catalogue's Markdown with every field shown literally."""
    return Markdown(render(current_lang(), key, md, fields))


def t_text(key: str, **fields: object) -> str:
    """For text Streamlit shows literally (table cells and headers, select box options)."""
    return render(current_lang(), key, _plain, fields)


def t_chart(key: str, **fields: object) -> str:
    """For Plotly text (titles, axis titles, hover templates): fields as escaped text."""
    return render(current_lang(), key, chart_text, fields)
