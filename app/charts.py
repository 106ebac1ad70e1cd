"""Plotly figures for the pages (pure functions: data in, figure out; no Streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.theme import CHART_COLOURS, CODES, label
from core.costs import Evaluation
from core.formatting import fmt_number

_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    # below the plot: above it, the legend collides with the title
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
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


def _light(data: list, lang: str, **layout: object) -> go.Figure:
    base = {
        "template": "none",
        "separators": ", " if lang == "fr" else ".,",
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        "plot_bgcolor": "#FFFFFF",
        "paper_bgcolor": "#FFFFFF",
    }
    title = layout.pop("title", None)
    if title is not None:
        base["title"] = {"text": title, "x": 0, "xanchor": "left", "y": 0.97, "yanchor": "top"}
    return go.Figure(data=data, layout={**base, **layout})


def _grid_axis(title: str, **extra: object) -> dict:
    return {"title": {"text": title}, "gridcolor": "#E6E9EF", "zeroline": False, **extra}


def net_gain_map(
    grid: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    current: tuple[float, float],
    suggestions: dict[str, tuple[float, float]],
    *,
    lang: str,
    titles: dict,
) -> go.Figure:
    """Net gain (DH) over (low, high), colours centred on 0 and clipped at +/- the best gain
    (so the profitable region keeps its contrast); suggestions and the current pair marked."""
    z = np.round(grid.T)
    finite = z[np.isfinite(z)]
    top = float(finite.max()) if finite.size else 1.0
    span = top if top > 0 else (float(-finite.min()) if finite.size else 1.0)
    data: list = [
        go.Heatmap(
            z=z,
            x=lows,
            y=highs,
            colorscale="RdYlGn",
            zmid=0,
            zmin=-span,
            zmax=span,
            colorbar={"title": {"text": titles["colorbar"]}, "thickness": 14},
            hovertemplate=titles["hover"] + "<extra></extra>",
        )
    ]
    symbols = ["diamond", "square", "triangle-up", "star", "cross"]
    for i, (name, (lo, hi)) in enumerate(suggestions.items()):
        data.append(
            go.Scatter(
                x=[lo],
                y=[hi],
                mode="markers",
                name=name,
                marker={
                    "symbol": symbols[i % len(symbols)],
                    "size": 12,
                    "color": "#FFFFFF",
                    "line": {"width": 2, "color": "#1B1F24"},
                },
                hovertemplate=f"{name}<br>%{{x:.3f}} – %{{y:.3f}}<extra></extra>",
            )
        )
    data.append(
        go.Scatter(
            x=[current[0]],
            y=[current[1]],
            mode="markers",
            name=titles["current"],
            marker={"size": 16, "color": "#1F4E79", "line": {"width": 2, "color": "#FFFFFF"}},
            hovertemplate=f"{titles['current']}<br>%{{x:.2f}} – %{{y:.2f}}<extra></extra>",
        )
    )
    return _light(
        data,
        lang,
        height=470,
        title=titles["title"],
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        xaxis=_grid_axis(titles["x"], range=[-0.005, 1.005], tickformat=".1f"),
        yaxis=_grid_axis(titles["y"], range=[-0.005, 1.005], tickformat=".1f"),
    )


def decision_shares(evaluation: Evaluation, *, lang: str, titles: dict) -> go.Figure:
    """One horizontal bar split by decision: the automation rate at a glance."""
    pct = " %" if lang == "fr" else "%"
    data = [
        go.Bar(
            x=[100.0 * evaluation.shares[code]],
            y=[""],
            orientation="h",
            name=label(code, lang),
            marker_color=CHART_COLOURS[code],
            text=[f"{100.0 * evaluation.shares[code]:.1f}{pct}"],
            textposition="inside",
            hovertemplate=f"{label(code, lang)} : %{{x:.1f}}{pct}<extra></extra>",
        )
        for code in CODES
    ]
    return _light(
        data,
        lang,
        barmode="stack",
        height=190,
        title=titles["title"],
        xaxis=_grid_axis(titles["x"], range=[0, 100], ticksuffix=pct),
        yaxis={"visible": False},
    )


def decision_volumes(evaluation: Evaluation, *, lang: str, titles: dict) -> go.Figure:
    """Claims (left axis) and requested amounts (right axis, hatched) per decision."""
    names = [label(c, lang) for c in CODES]
    colours = [CHART_COLOURS[c] for c in CODES]
    counts = [evaluation.counts[c] for c in CODES]
    data = [
        go.Bar(
            x=names,
            y=counts,
            marker_color=colours,
            name=titles["count"],
            offsetgroup=0,
            text=[fmt_number(v, lang) for v in counts],
            textposition="outside",
        ),
        go.Bar(
            x=names,
            y=[evaluation.amounts[c] for c in CODES],
            marker={"color": colours, "pattern": {"shape": "/"}},
            name=titles["amount"],
            yaxis="y2",
            offsetgroup=1,
            opacity=0.6,
        ),
    ]
    return _light(
        data,
        lang,
        height=330,
        title=titles["title"],
        barmode="group",
        yaxis=_grid_axis(titles["count"]),
        yaxis2={"title": {"text": titles["amount"]}, "overlaying": "y", "side": "right"},
    )


def zone_errors(evaluation: Evaluation, *, lang: str, titles: dict) -> go.Figure:
    """Expected wrongful validations and rejections, with the realised ones when labelled."""
    x = [titles["wrong_validations"], titles["wrong_rejections"]]
    colours = [CHART_COLOURS[1], CHART_COLOURS[-1]]
    expected = [evaluation.expected_wrongful_validations, evaluation.expected_wrongful_rejections]
    data = [
        go.Bar(
            x=x,
            y=expected,
            marker_color=colours,
            name=titles["expected"],
            text=[fmt_number(v, lang, 1) for v in expected],
            textposition="outside",
        )
    ]
    if evaluation.has_labels:
        realised = [
            evaluation.realised_wrongful_validations,
            evaluation.realised_wrongful_rejections,
        ]
        data.append(
            go.Bar(
                x=x,
                y=realised,
                marker={"color": colours, "pattern": {"shape": "x"}},
                opacity=0.55,
                name=titles["realised"],
                text=[fmt_number(v, lang) for v in realised],
                textposition="outside",
            )
        )
    return _light(
        data,
        lang,
        height=330,
        title=titles["title"],
        barmode="group",
        yaxis=_grid_axis(titles["y"]),
    )


def reliability_diagram(
    points: list[dict], *, ece: float | None, lang: str, titles: dict
) -> go.Figure:
    """Observed rate against mean predicted probability per bin, with the diagonal.

    ``points``: ``core.calibration.reliability_curve`` rows (mean_predicted, observed_rate,
    count); marker area grows with the bin's count.
    """
    counts = [pt["count"] for pt in points]
    biggest = max(counts, default=1) or 1
    data = [
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=titles["diagonal"],
            line={"dash": "dash", "color": "#8A9099"},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=[pt["mean_predicted"] for pt in points],
            y=[pt["observed_rate"] for pt in points],
            mode="lines+markers",
            name=titles["model"],
            customdata=counts,
            line={"color": "#1F4E79"},
            marker={
                "size": [8 + 18 * (c / biggest) ** 0.5 for c in counts],
                "color": "#1F4E79",
            },
            hovertemplate=titles["hover"],
        ),
    ]
    title = titles["title"] if ece is None else f"{titles['title']} — {titles['ece']}"
    return _light(
        data,
        lang,
        height=420,
        title=title,
        xaxis=_grid_axis(titles["x"], range=[0, 1], tickformat=".1f"),
        yaxis=_grid_axis(titles["y"], range=[0, 1], tickformat=".1f"),
    )


# --------------------------------------------------------------- explanations (SHAP)

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
    labels, values, bar_texts = list(names), [float(v) for v in deltas], list(texts)
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
            y=labels,
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
