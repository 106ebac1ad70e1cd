"""Plotly figures for the pages (pure functions: data in, figure out; no Streamlit); the
SHAP explanation figures are in app.charts_shap.

Plotly reads tags (``<b>``, ``<br>``, ``<a href>``) in every text it draws. ``titles`` are
the app's own texts (``i18n.t_chart``: catalogue markup, escaped fields); names and labels
that come from data are escaped here with :func:`app.safe.chart_text`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.safe import chart_text
from app.theme import CHART_COLOURS, CODES, label
from core.decide.costs import Evaluation
from core.formatting import fmt_number, fmt_pct

_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    # below the plot: above it, the legend collides with the title
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
    "template": "plotly_white",
    "separators": ", ",
}


# The toolbars (Plotly's modebar, Streamlit's element toolbar) sit over the top right corner
# of a chart, about 30 px high: titles start below them and the top margin leaves the room.
TOOLBAR_CLEARANCE = 36  # px from the top where a title may start
TITLE_HEIGHT = 28  # px of a one-line title
LEGEND_HEIGHT = 26  # px of a one-row legend drawn above the plot


def clear_toolbar(fig: go.Figure) -> go.Figure:
    """Put the title under the toolbars (never under them) and grow the top margin to fit
    it, with the legend when it is drawn above the plot."""
    title = fig.layout.title.text
    top = fig.layout.margin.t or 0
    if title:
        fig.update_layout(
            title={
                "text": title,
                "x": 0,
                "xanchor": "left",
                "yref": "container",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": TOOLBAR_CLEARANCE},
            }
        )
        legend_above = fig.layout.legend.y is not None and fig.layout.legend.y >= 1
        needed = TOOLBAR_CLEARANCE + TITLE_HEIGHT + (LEGEND_HEIGHT if legend_above else 0)
        fig.update_layout(margin={"t": max(top, needed)})
    else:
        fig.update_layout(margin={"t": max(top, TOOLBAR_CLEARANCE)})
    return fig


def _layout(fig: go.Figure, lang: str, **extra: object) -> go.Figure:
    fig.update_layout(**{**_LAYOUT, "separators": ", " if lang == "fr" else ".,", **extra})
    return clear_toolbar(fig)


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
        base["title"] = {"text": title}
    return clear_toolbar(go.Figure(data=data, layout={**base, **layout}))


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
    for i, (source, (lo, hi)) in enumerate(suggestions.items()):
        name = chart_text(source)
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
    pct = "\u00a0%" if lang == "fr" else "%"
    data = [
        go.Bar(
            x=[100.0 * evaluation.shares[code]],
            y=[""],
            orientation="h",
            name=label(code, lang),
            marker_color=CHART_COLOURS[code],
            text=[fmt_pct(evaluation.shares[code], lang)],
            textposition="inside",
            hovertemplate=f"{label(code, lang)}{' : ' if lang == 'fr' else ': '}"
            f"%{{x:.1f}}{pct}<extra></extra>",
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
