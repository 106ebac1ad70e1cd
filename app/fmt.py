"""The session's one formatting layer: numbers, percentages, money and dates in the interface
language and the profile's currency (``costs.currency``), charts with the language's decimal
mark, and number fields that read the language's decimal mark.

Every page formats through here (or through :mod:`core.formatting` with the same language
and currency), never with f-string formats: ``f"{x:.1%}"`` is English whatever the session.

- :func:`fmt` — the session's :class:`core.formatting.Formatter`;
- :func:`plotly_chart` — ``st.plotly_chart`` with the figure's separators set for the
  session's language (``0,25`` and ``12 500`` in French ticks, hover texts and labels);
- :func:`number_field` — a text field that shows ``10699,69`` in French and reads back what
  the auditor typed with :func:`core.formatting.parse_number`: a decimal comma is a decimal
  comma (never a number a hundred times too large), and a value it cannot read is said so,
  with the value kept instead.

One limit: numbers Streamlit draws itself inside a table cell (``NumberColumn`` "localized",
``ProgressColumn`` "percent") or on a slider ("localized") follow the *browser's* language
(``navigator.languages``), which the server cannot choose; those columns stay numeric (so they
sort), and an auditor whose browser is in the interface language sees them the same way.
Everything the app writes as text goes through this layer.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app import resources
from app.i18n import current_lang, t, t_text
from core.formatting import Formatter

__all__ = ["batch_name", "fmt", "number_field", "plain_number", "plotly_chart", "slider_format"]


def fmt(lang: str | None = None) -> Formatter:
    """The formatter of the session (or of ``lang``) with the profile's currency."""
    return Formatter(lang or current_lang(), resources.config().costs.currency)


def batch_name(batch_id: int, file_name: str = "") -> str:
    """'n° 3 — lot.xlsx' / 'no. 3 — lot.xlsx' (text shown literally, e.g. select options)."""
    number = t_text("fmt.batch_number", id=batch_id)
    return f"{number} — {file_name}" if file_name else number


def plotly_chart(figure: go.Figure, where: object = None, **kwargs: object) -> object:
    """``st.plotly_chart`` (in ``where``, a column or container, if given) with the session
    language's decimal and thousands separators."""
    figure.update_layout(separators=fmt().plotly_separators)
    return (where or st).plotly_chart(figure, **kwargs)


def slider_format(lang: str | None = None) -> str:
    """A slider's value format: Streamlit's printf formats only write a decimal point, so in
    French the slider shows numbers the browser's way ("localized": "0,28" in a French
    browser); in English, two decimals ("0.28")."""
    return "localized" if (lang or current_lang()) == "fr" else "%.2f"


def plain_number(value: float | None, decimals: int, lang: str | None = None) -> str:
    """A number as typed in a field: no thousands separator, the language's decimal mark."""
    if value is None:
        return ""
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",") if (lang or current_lang()) == "fr" else text


def number_field(
    label: str,
    value: float | None,
    *,
    key: str,
    decimals: int = 2,
    min_value: float | None = None,
    max_value: float | None = None,
    help: str | None = None,
    placeholder: str | None = None,
) -> float | None:
    """A number typed in the session's language; blank -> None. A text that is not a number
    (or is outside [``min_value``, ``max_value``]) shows an error naming what was typed and
    the expected shape, and ``value`` is returned instead: what was typed is never silently
    reinterpreted."""
    lang = current_lang()
    shown = plain_number(value, decimals, lang)
    typed = st.text_input(label, value=shown, key=key, help=help, placeholder=placeholder)
    if typed == shown:
        return value  # untouched: the exact value, not its rounded text
    try:
        number = fmt(lang).parse(typed)
    except ValueError:
        st.error(t("fmt.not_a_number", text=typed, example=plain_number(10699.69, 2, lang)))
        return value
    if number is not None and min_value is not None and number < min_value:
        minimum = fmt(lang).number(min_value, decimals)
        st.error(t("fmt.below_minimum", text=typed, minimum=minimum))
        return value
    if number is not None and max_value is not None and number > max_value:
        maximum = fmt(lang).number(max_value, decimals)
        st.error(t("fmt.above_maximum", text=typed, maximum=maximum))
        return value
    return number
