"""The threshold slider and everything it drives, in one fragment.

Owns the slider's session key (a (low, high) tuple) and the record of the last suggestion
applied, so publishing can name where the pair came from. A slider move reruns only
:func:`show`: one O(log n) evaluation of the cached cost surface plus the figures
(:func:`app.components.threshold_view.build_view`, cached per pair), never the data loading.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app.components import threshold_publish
from app.components.threshold_logic import SLIDER_STEP
from app.components.threshold_view import SliderView
from app.fmt import plotly_chart, slider_format
from app.i18n import current_lang, t

SLIDER_KEY = "thresholds.pair"
APPLIED_KEY = "thresholds.applied"  # (chooser source, (low, high)) of the last suggestion applied


def init(default: tuple[float, float]) -> None:
    """Start the slider at ``default`` (the active published pair) the first time."""
    if not isinstance(st.session_state.get(SLIDER_KEY), tuple):
        st.session_state[SLIDER_KEY] = (round(default[0], 2), round(default[1], 2))


def apply(source: str, low: float, high: float) -> None:
    """Callback of a suggestion's button: move the slider there and remember the chooser."""
    st.session_state[SLIDER_KEY] = (low, high)
    st.session_state[APPLIED_KEY] = (source, (low, high))


def current() -> tuple[float, float]:
    low, high = st.session_state[SLIDER_KEY]
    return float(low), float(high)


def snap(pair: tuple[float, float], published: tuple[float, float] | None) -> tuple[float, float]:
    """The published pair when the slider stands on it (the slider only has 0.01 steps; a
    published 0.2834 shows as 0.28): its figures are then the published pair's own, the same
    as the batches decided with it."""
    if published is not None and np.allclose(pair, np.round(published, 2), atol=SLIDER_STEP / 2):
        return float(published[0]), float(published[1])
    return pair


def origin() -> str:
    """'manual', or the chooser whose pair is still on the slider unchanged."""
    applied = st.session_state.get(APPLIED_KEY)
    if applied and np.allclose(applied[1], current()):
        return applied[0]
    return "manual"


@st.fragment
def show(
    view_of: Callable[[tuple[float, float], str], SliderView],
    published: tuple[float, float] | None,
    version: str,
) -> None:
    """Slider, metric cards, charts and the publish box; ``view_of(pair, lang)`` is what the
    slider draws for a pair (:func:`app.resources.slider_view`: built once per pair, so a
    page load standing on the published pair draws figures already built)."""
    lang = current_lang()
    low, high = st.slider(
        t("thresholds.slider_label"),
        min_value=0.0,
        max_value=1.0,
        step=SLIDER_STEP,
        format=slider_format(lang),
        key=SLIDER_KEY,
        help=t("thresholds.slider_help"),
    )
    low, high = snap((low, high), published)
    _render(view_of((low, high), lang))
    threshold_publish.show(version, (low, high), origin())


def _chart(figure: go.Figure) -> None:
    plotly_chart(figure, width="stretch", config={"displaylogo": False})


def _render(view: SliderView) -> None:
    for column, card in zip(st.columns(len(view.cards)), view.cards, strict=True):
        column.metric(card.label, card.value, card.delta, help=card.help, border=True)
    st.caption(
        t("thresholds.rules_included" if view.rules_included else "thresholds.rules_not_applied")
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        _chart(view.figures["heatmap"])
    with right:
        _chart(view.figures["shares"])
        columns = st.columns(len(view.zone_cards))
        for column, card in zip(columns, view.zone_cards, strict=True):
            column.metric(
                card.label,
                card.value,
                card.delta,
                delta_color="off",
                delta_arrow="off",
                border=True,
            )
        _chart(view.figures["decisions"])
    st.caption(view.cost_caption)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        _chart(view.figures["errors"])
    with right:
        for pair in (view.error_cards[:2], view.error_cards[2:]):
            for column, card in zip(st.columns(2), pair, strict=True):
                column.metric(card.label, card.value, help=card.help, border=True)
    if view.confusion is not None:
        st.markdown(f"**{t('thresholds.confusion_title')}**")
        st.dataframe(view.confusion, hide_index=True, width="stretch")
