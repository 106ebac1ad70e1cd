"""Plotly figures for the pages (pure functions: data in, figure out; no Streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.theme import CHART_COLOURS, CODES, label
from core.costs import Evaluation

_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    "template": "plotly_white",
    "separators": ", ",
}


def _layout(fig: go.Figure, lang: str, **extra: object) -> go.Figure:
    fig.update_layout(**{**_LAYOUT, "separators": ", " if lang == "fr" else ".,", **extra})
    return fig


def probability_histogram(
    p: np.ndarray, decisions: np.ndarray, low: float, high: float, *, lang: str, titles: dict
) -> go.Figure:
    """Histogram of probabilities (50 bins), stacked by decision, thresholds as lines."""
    edges = np.linspace(0.0, 1.0, 51)
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure()
    for code in CODES:
        counts, _ = np.histogram(p[decisions == code], bins=edges)
        fig.add_bar(
            x=centres,
            y=counts,
            width=0.02,
            name=label(code, lang),
            marker_color=CHART_COLOURS[code],
        )
    for value in (low, high):
        fig.add_vline(x=value, line_dash="dash", line_color="#1B1F24", opacity=0.6)
    return _layout(
        fig,
        lang,
        barmode="stack",
        height=320,
        title=titles["title"],
        xaxis_title=titles["x"],
        yaxis_title=titles["y"],
        bargap=0,
    )


def net_gain_heatmap(
    grid: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    current: tuple[float, float],
    suggestions: dict[str, tuple[float, float]],
    *,
    lang: str,
    titles: dict,
) -> go.Figure:
    """Net gain (DH) over (low, high); the current pair and each suggestion as markers."""
    fig = go.Figure(
        go.Heatmap(
            z=grid.T,
            x=lows,
            y=highs,
            colorscale="RdYlGn",
            zmid=0,
            colorbar={"title": titles["colorbar"]},
            hovertemplate=titles["hover"] + "<extra></extra>",
        )
    )
    symbols = ["diamond", "square", "triangle-up", "star", "cross"]
    for i, (name, (lo, hi)) in enumerate(suggestions.items()):
        fig.add_scatter(
            x=[lo],
            y=[hi],
            mode="markers",
            name=name,
            marker={
                "symbol": symbols[i % len(symbols)],
                "size": 11,
                "color": "#FFFFFF",
                "line": {"width": 2, "color": "#1B1F24"},
            },
        )
    fig.add_scatter(
        x=[current[0]],
        y=[current[1]],
        mode="markers",
        name=titles["current"],
        marker={
            "symbol": "circle",
            "size": 15,
            "color": "#1F4E79",
            "line": {"width": 2, "color": "#FFFFFF"},
        },
    )
    return _layout(
        fig,
        lang,
        height=430,
        title=titles["title"],
        xaxis_title=titles["x"],
        yaxis_title=titles["y"],
    )


def decision_bars(evaluation: Evaluation, *, lang: str, titles: dict) -> go.Figure:
    """Claims and amounts per decision, side by side."""
    names = [label(c, lang) for c in CODES]
    colours = [CHART_COLOURS[c] for c in CODES]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=[evaluation.counts[c] for c in CODES],
        marker_color=colours,
        name=titles["count"],
        yaxis="y",
        offsetgroup=0,
        text=[evaluation.counts[c] for c in CODES],
        textposition="outside",
    )
    fig.add_bar(
        x=names,
        y=[evaluation.amounts[c] for c in CODES],
        marker_color=colours,
        marker_pattern_shape="/",
        name=titles["amount"],
        yaxis="y2",
        offsetgroup=1,
        opacity=0.6,
    )
    return _layout(
        fig,
        lang,
        height=320,
        title=titles["title"],
        barmode="group",
        yaxis={"title": titles["count"]},
        yaxis2={"title": titles["amount"], "overlaying": "y", "side": "right"},
        showlegend=True,
    )


def errors_per_zone(evaluation: Evaluation, *, lang: str, titles: dict) -> go.Figure:
    """Expected wrongful validations and rejections (counts), with realised ones when known."""
    x = [titles["wrong_validations"], titles["wrong_rejections"]]
    fig = go.Figure()
    fig.add_bar(
        x=x,
        y=[evaluation.expected_wrongful_validations, evaluation.expected_wrongful_rejections],
        marker_color=[CHART_COLOURS[1], CHART_COLOURS[-1]],
        name=titles["expected"],
    )
    if evaluation.has_labels:
        fig.add_bar(
            x=x,
            y=[evaluation.realised_wrongful_validations, evaluation.realised_wrongful_rejections],
            marker_color=[CHART_COLOURS[1], CHART_COLOURS[-1]],
            opacity=0.55,
            marker_pattern_shape="x",
            name=titles["realised"],
        )
    return _layout(fig, lang, height=320, title=titles["title"], barmode="group")
