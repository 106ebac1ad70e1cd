"""Data shown as text: escaping for Streamlit's Markdown and for Plotly's text.

Streamlit renders Markdown in st.markdown, st.caption, alerts, toasts, metric labels and
values, tab, expander and widget labels, help tooltips, progress, spinner and status texts:
bold, links, images (fetched by every browser that shows them), bare URLs and e-mail
addresses (GitHub autolinks), LaTeX between ``$``, ``:red[...]`` colour directives,
``:material/...:`` icons and ``:emoji:`` shortcodes. A claim field, a file name, a ``?claim=``
link or an auditor's name must show as the characters it holds, so every value goes through
:func:`md` on its way into such a text; :func:`app.i18n.t` does it for its fields.

- :func:`md` backslash-escapes every ASCII punctuation character (CommonMark lets any of
  them be escaped, and the escape shows the character itself), which also stops Streamlit's
  directives, LaTeX and raw HTML; it puts a WORD JOINER (U+2060, invisible) inside ``://``,
  ``www.`` and after ``@``, which GitHub autolinks would otherwise turn into links, and
  turns line breaks into spaces (a line break could start a heading, list or table).
- :class:`Markdown` marks text our own code wrote as Markdown (catalogue strings, what ``t``
  returns): :func:`md` passes it through unchanged. :func:`trusted` is the explicit opt-out.
- :func:`chart_text` escapes for Plotly, whose titles, tick labels, legends and hover texts
  read ``<a href>``, ``<b>`` and ``<br>`` tags: ``&``, ``<`` and ``>`` become entities.

Where Streamlit shows text literally (st.dataframe cells and headers, select box and
multiselect options, placeholders, text input values) no escaping is needed, and an escaped
value would show its backslashes: use the raw value there (``i18n.t_text``).
"""

from __future__ import annotations

import html
import re
import string

__all__ = ["WORD_JOINER", "Markdown", "chart_text", "md", "trusted"]

WORD_JOINER = "\u2060"
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# After escaping: "http\:\/\/", "www\." and "\@" are where GitHub autolinks start.
_SCHEME = re.compile(r"(\\:)(?=\\/\\/)")
_WWW = re.compile(r"(?i)(www)(?=\\\.)")
_AT = re.compile(r"(\\@)")


class Markdown(str):
    """Markdown written by our own code (a catalogue string, what ``t`` built): shown as
    Markdown, never escaped again. Concatenating it gives a plain ``str``."""

    __slots__ = ()


def trusted(text: str) -> Markdown:
    """Mark ``text`` as Markdown our code wrote, so that :func:`md` and ``t`` keep it as is.
    Never for a value that comes from a user, a file or a link."""
    return Markdown(text)


def md(value: object) -> Markdown:
    """``value`` as Streamlit Markdown that shows exactly its characters (one line)."""
    if isinstance(value, Markdown):
        return value
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = _SCHEME.sub(r"\1" + WORD_JOINER, text)
    text = _WWW.sub(r"\1" + WORD_JOINER, text)
    text = _AT.sub(r"\1" + WORD_JOINER, text)
    return Markdown(text)


def chart_text(value: object) -> str:
    """``value`` as Plotly text that shows exactly its characters (no tags, no links)."""
    return html.escape(str(value), quote=False)
