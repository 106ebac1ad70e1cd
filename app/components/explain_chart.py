"""The waterfall of one explanation and its two switches (scale, grouping).

Owns ``explain.scale`` ("probability" or "log_odds") and ``explain.grouping`` ("split" or
"named"), plus ``explain.scale.kept`` / ``explain.grouping.kept``: the last choices, kept
while the switches are not on screen (Streamlit forgets a widget's state when another tab
is shown). Other explain components read them through :func:`current`.
"""

from __future__ import annotations

import streamlit as st

from app import charts_shap
from app.fmt import plotly_chart
from app.i18n import t
from core.explain.results import ClaimExplanation
from core.formatting import fmt_pct, fmt_signed

SCALE_KEY = "explain.scale"
GROUPING_KEY = "explain.grouping"
SCALES = ("probability", "log_odds")
GROUPINGS = ("split", "named")
MAX_BARS = 12


def current() -> tuple[str, str]:
    """(scale, grouping) as last chosen (defaults: probability, split)."""
    scale = st.session_state.get(SCALE_KEY) or st.session_state.get(f"{SCALE_KEY}.kept")
    grouping = st.session_state.get(GROUPING_KEY) or st.session_state.get(f"{GROUPING_KEY}.kept")
    return scale or SCALES[0], grouping or GROUPINGS[0]


def controls() -> tuple[str, str]:
    """The two switches; returns (scale, grouping)."""
    scale, grouping = current()
    left, right = st.columns(2)
    with left:
        st.segmented_control(
            t("explain.scale"),
            SCALES,
            default=scale,
            format_func=lambda s: t(f"explain.scale_{s}"),
            key=SCALE_KEY,
            help=t("explain.scale_help"),
            on_change=_keep,
            args=(SCALE_KEY,),
        )
    with right:
        st.segmented_control(
            t("explain.grouping"),
            GROUPINGS,
            default=grouping,
            format_func=lambda g: t(f"explain.grouping_{g}"),
            key=GROUPING_KEY,
            help=t("explain.grouping_help"),
            on_change=_keep,
            args=(GROUPING_KEY,),
        )
    return current()


def _keep(key: str) -> None:
    st.session_state[f"{key}.kept"] = st.session_state.get(key)


def show(explanation: ClaimExplanation, scale: str, lang: str, *, key: str) -> None:
    """The waterfall from the base value to the claim's value, largest columns first."""
    on_p = scale == "probability"
    items = list(explanation.contributions)
    deltas = [g.probability if on_p else g.log_odds for g in items]
    names = [_short(f"{g.label_in(lang)} = {g.value_in(lang)}") for g in items]
    if len(items) > MAX_BARS:
        rest = sum(deltas[MAX_BARS:])
        names = [*names[:MAX_BARS], t("explain.others", n=len(items) - MAX_BARS)]
        deltas = [*deltas[:MAX_BARS], rest]
    decimals = 3 if on_p else 2
    base = explanation.base_probability if on_p else explanation.base_margin
    total = explanation.probability if on_p else explanation.margin
    base_text = fmt_pct(base, lang) if on_p else fmt_signed(base, lang)
    total_text = fmt_pct(total, lang) if on_p else fmt_signed(total, lang)
    titles = {
        "title": t(f"explain.waterfall_title_{scale}"),
        "x": t(f"explain.waterfall_x_{scale}"),
        "base": t("explain.waterfall_base"),
        "total": t("explain.waterfall_total"),
        "base_text": base_text,
        "total_text": total_text,
        "format": ".0%" if on_p else "",
    }
    fig = charts_shap.shap_waterfall(
        names,
        deltas,
        [fmt_signed(d, lang, decimals) for d in deltas],
        base=base,
        lang=lang,
        titles=titles,
    )
    plotly_chart(fig, width="stretch", key=key)


def _short(text: str, limit: int = 48) -> str:
    """A bar label short enough to leave the chart its width."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
