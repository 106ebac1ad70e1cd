"""Chart titles never sit under the toolbars (Plotly's modebar, Streamlit's element toolbar)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
import pytest

from app import charts
from core.decide.costs import CostModel
from core.decide.decisions import CostSurface

TITLES = defaultdict(lambda: "Un titre assez long pour atteindre le coin droit du graphique")


def _figures() -> dict[str, go.Figure]:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=300)
    y = (rng.uniform(size=300) < p).astype(int)
    ev = CostSurface(p, rng.uniform(100, 5000, 300), y, costs=CostModel()).evaluate(0.2, 0.8)
    values = np.linspace(0, 1, 11)
    points = [{"mean_predicted": v, "observed_rate": v, "count": 10} for v in (0.1, 0.5, 0.9)]
    return {
        "heatmap": charts.net_gain_map(
            rng.normal(size=(11, 11)),
            values,
            values,
            (0.2, 0.8),
            {"a": (0.1, 0.9)},
            lang="fr",
            titles=TITLES,
        ),
        "shares": charts.decision_shares(ev, lang="fr", titles=TITLES),
        "volumes": charts.decision_volumes(ev, lang="en", titles=TITLES),
        "errors": charts.zone_errors(ev, lang="fr", titles=TITLES),
        "reliability": charts.reliability_diagram(points, ece=0.01, lang="fr", titles=TITLES),
    }


@pytest.mark.parametrize("name", list(_figures()))
def test_the_title_starts_below_the_toolbars_and_the_margin_holds_it(name):
    layout = _figures()[name].layout
    assert layout.title.text
    assert layout.title.yref == "container" and layout.title.yanchor == "top"
    assert layout.title.pad.t >= charts.TOOLBAR_CLEARANCE >= 32  # a modebar is ~30 px high
    needed = charts.TOOLBAR_CLEARANCE + charts.TITLE_HEIGHT
    if layout.legend.y is not None and layout.legend.y >= 1:
        needed += charts.LEGEND_HEIGHT  # a legend above the plot sits under the title
    assert layout.margin.t >= needed


def test_a_figure_built_elsewhere_is_cleared_the_same_way():
    """Pages that build their own figure (drift history, monitoring) pass it through
    ``clear_toolbar``: a plain string title and a small top margin are fixed."""
    fig = go.Figure(layout={"title": "Titre", "margin": {"t": 40}, "legend": {"y": -0.25}})
    layout = charts.clear_toolbar(fig).layout
    assert layout.title.text == "Titre" and layout.title.yref == "container"
    assert layout.margin.t >= charts.TOOLBAR_CLEARANCE + charts.TITLE_HEIGHT
