"""Plotly figures of the SHAP explanations (pure functions: data in, figure out; no
Streamlit): a claim's waterfall, the beeswarm, the importance bars, the dependence plot.

Bar names, column labels and category values come from data: they are escaped here for
Plotly (:func:`app.safe.chart_text`); ``titles`` are the app's own texts (``i18n.t_chart``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.charts import _layout
from app.safe import chart_text
from app.theme import CHART_COLOURS

_LOW_HIGH = [[0.0, "#1F77B4"], [0.5, "#B9A7C9"], [1.0, "#D62728"]]  # value rank: low -> high


def shap_waterfall(
    names: list[str],
    deltas: list[float],
    texts: list[str],
    *,
    base: float,
    lang: str,
    titles: dict,
) -> go.Figure:
    """Horizontal waterfall: the base value, one bar per column (in the given order, top
    down), then the total. ``titles["format"]``: the axis' d3 format (".0%" for p)."""
    labels = [chart_text(name) for name in names]
    values, bar_texts = [float(v) for v in deltas], list(texts)
    path = base + np.cumsum([0.0, *values])
    low, high = min(0.0, float(path.min())), max(0.0, float(path.max()))
    pad = 0.25 * (high - low or 1.0)  # room for the labels written outside the bars
    xaxis: dict = {
        "title": titles["x"],
        "tickformat": titles.get("format", ""),
        "range": [low - pad, high + pad],
    }
    if low >= 0:  # probabilities: room on the left for labels, but no negative ticks
        steps = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0)
        step = next((v for v in steps if high / v <= 6), high / 5 or 1.0)
        xaxis |= {"tickmode": "array", "tickvals": list(np.arange(0, high + pad, step))}
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            measure=["absolute", *["relative"] * len(values), "total"],
            y=[titles["base"], *labels, titles["total"]],
            x=[base, *values, 0.0],
            text=[titles["base_text"], *bar_texts, titles["total_text"]],
            textposition="outside",
            increasing={"marker": {"color": CHART_COLOURS[1]}},
            decreasing={"marker": {"color": CHART_COLOURS[-1]}},
            totals={"marker": {"color": "#1F4E79"}},
            connector={"line": {"color": "#8A9099", "width": 1}},
            hovertemplate="%{y}: %{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    return _layout(
        fig,
        lang,
        height=140 + 34 * (len(labels) + 2),
        title=titles["title"],
        xaxis=xaxis,
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )


def _swarm_offsets(x: np.ndarray, width: float = 0.8, bins: int = 40) -> np.ndarray:
    """Vertical offsets of a beeswarm row: points sharing an x bin fan out around 0."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    which = np.zeros(n, dtype=int) if hi <= lo else ((x - lo) / (hi - lo) * (bins - 1)).astype(int)
    order = np.lexsort((np.arange(n), which))
    counts = np.bincount(which, minlength=bins)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n) - starts[which[order]]
    step = width / max(int(counts.max()), 1)
    side = np.where(rank % 2 == 0, 1.0, -1.0)
    return side * ((rank + 1) // 2) * step


def shap_beeswarm(
    contributions: np.ndarray,
    colour: np.ndarray,
    labels: list[str],
    *,
    lang: str,
    titles: dict,
) -> go.Figure:
    """One row per column (first = most important, at the top); a point per claim at its
    contribution, coloured by the rank of the column's value (blue low, red high)."""
    labels = [chart_text(text) for text in labels]
    xs, ys, cs, names = [], [], [], []
    for row, text in enumerate(labels):
        x = contributions[:, row]
        xs.append(x)
        ys.append(row + _swarm_offsets(x))
        cs.append(colour[:, row])
        names.append(np.full(len(x), text, dtype=object))
    x, y, c, name = (np.concatenate(a) if a else np.zeros(0) for a in (xs, ys, cs, names))
    known = ~np.isnan(c)
    fig = go.Figure()
    fig.add_trace(
        go.Scattergl(
            x=x[~known],
            y=y[~known],
            mode="markers",
            marker={"size": 4, "color": "#B0B4BA"},
            customdata=name[~known],
            name=titles["missing"],
            hovertemplate="%{customdata}: %{x:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattergl(
            x=x[known],
            y=y[known],
            mode="markers",
            marker={
                "size": 4,
                "color": c[known],
                "colorscale": _LOW_HIGH,
                "cmin": 0,
                "cmax": 1,
                "colorbar": {
                    "title": titles["colour"],
                    "tickvals": [0, 1],
                    "ticktext": [titles["low"], titles["high"]],
                },
            },
            customdata=name[known],
            name=titles["points"],
            hovertemplate="%{customdata}: %{x:.3f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="#8A9099", line_width=1)
    return _layout(
        fig,
        lang,
        height=120 + 32 * max(len(labels), 1),
        title=titles["title"],
        xaxis={"title": titles["x"], "zeroline": False},
        yaxis={
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "autorange": "reversed",
            "automargin": True,
        },
        showlegend=False,
    )


def shap_importance_bars(
    labels: list[str], values: list[float], *, lang: str, titles: dict
) -> go.Figure:
    """Mean |SHAP| per column, largest at the top."""
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[chart_text(text) for text in labels],
            orientation="h",
            marker_color="#1F4E79",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    return _layout(
        fig,
        lang,
        height=120 + 26 * max(len(labels), 1),
        title=titles["title"],
        xaxis={"title": titles["x"]},
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )


def shap_dependence(x: np.ndarray, y: np.ndarray, *, lang: str, titles: dict) -> go.Figure:
    """A column's value (numbers, or categories) against its contribution, one point per claim."""
    numeric = np.issubdtype(np.asarray(x).dtype, np.number)
    if not numeric:
        x = np.array([chart_text(v) if isinstance(v, str) else v for v in x], dtype=object)
    fig = go.Figure(
        go.Scattergl(
            x=x,
            y=y,
            mode="markers",
            marker={"size": 5, "color": "#1F4E79", "opacity": 0.45},
            hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color="#8A9099", line_width=1)
    return _layout(
        fig,
        lang,
        height=380 if numeric else 560,  # room for the category names under the axis
        title=titles["title"],
        xaxis={"title": titles["x"], "type": "linear"}
        if numeric
        else {"title": titles["x"], "type": "category", "categoryorder": "mean ascending"},
        yaxis={"title": titles["y"]},
        showlegend=False,
    )
