"""Light charts drawn as inline SVG (pure functions: data in, markup out; no Streamlit).

The Upload page is the first page every auditor opens and the one eight of them may use at
once. A Plotly figure there makes each fresh browser tab load and evaluate plotly.js (about
a second of CPU per tab on these machines) before the batch's decisions are usable; the
histogram of a batch needs none of Plotly's interactivity. The other pages keep Plotly.
The page shows it as an image (``st.image``: Streamlit's ``st.html`` strips SVG), so the
bins' ``<title>`` tooltips serve when the image is opened on its own.

Every text drawn is escaped (:func:`html.escape`): titles are the catalogue's, numbers are
formatted here, and nothing a file supplies is markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

import numpy as np

from app.theme import CHART_COLOURS, CODES, label
from core.formatting import fmt_number

WIDTH, HEIGHT = 640, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 64, 50  # plot margins inside the view box
_INK, _GRID, _FONT = "#1B1F24", "#E3E7ED", "system-ui, -apple-system, 'Segoe UI', sans-serif"


def nice_ticks(top: float, target: int = 5) -> list[float]:
    """Round count ticks from 0 to at least ``top``: 1, 2 or 5 times a power of ten apart,
    never less than 1 (counts are whole)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / target
    power = 10 ** math.floor(math.log10(raw))
    step = max(next(m * power for m in (1, 2, 5, 10) if m * power >= raw), 1)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def probability_histogram_svg(
    counts: Mapping[int, Sequence[int] | np.ndarray],
    low: float,
    high: float,
    *,
    lang: str,
    titles: Mapping[str, str],
) -> str:
    """Histogram of probabilities over equal bins of [0, 1], stacked by decision, with the two
    thresholds as dashed lines; each bin's counts are its tooltip (an SVG ``<title>``)."""
    bins = len(next(iter(counts.values())))
    stacks = {code: np.asarray(counts.get(code, np.zeros(bins)), dtype=float) for code in CODES}
    totals = sum(stacks.values())
    ticks = nice_ticks(float(totals.max()) if bins else 0.0)
    y_top = ticks[-1]
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x_of(p: float) -> float:
        return _LEFT + plot_w * min(max(p, 0.0), 1.0)

    def y_of(n: float) -> float:
        return _TOP + plot_h * (1 - n / y_top)

    title = escape(titles["title"])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}" '
        f'style="font-family:{_FONT}">',
        f"<title>{title}</title>",
        f'<text x="0" y="18" font-size="15" font-weight="600" fill="{_INK}">{title}</text>',
    ]
    parts += _legend(lang)
    for value in ticks:  # horizontal grid and the count axis
        y = y_of(value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{_INK}">{escape(fmt_number(value, lang))}</text>'
        )
    width = plot_w / bins if bins else 0.0
    for i in range(bins):
        parts.append(_bin(i, bins, stacks, x_of(i / bins), width, y_of, lang))
    for p in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):  # the probability axis
        parts.append(
            f'<text x="{x_of(p):.1f}" y="{_TOP + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="{_INK}">{escape(fmt_number(p, lang, 1))}</text>'
        )
    for value in (low, high):
        x = x_of(value)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP - 4}" y2="{_TOP + plot_h}" '
            f'stroke="{_INK}" stroke-opacity="0.7" stroke-width="1.5" stroke-dasharray="5 4">'
            f"<title>{escape(fmt_number(value, lang, 2))}</title></line>"
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" font-size="12" '
        f'text-anchor="middle" fill="{_INK}">{escape(titles["x"])}</text>'
    )
    parts.append(
        f'<text x="14" y="{_TOP + plot_h / 2:.1f}" font-size="12" text-anchor="middle" '
        f'fill="{_INK}" transform="rotate(-90 14 {_TOP + plot_h / 2:.1f})">'
        f"{escape(titles['y'])}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _legend(lang: str) -> list[str]:
    parts, x = [], 0.0
    for code in CODES:
        name = escape(label(code, lang))
        parts.append(
            f'<rect x="{x:.1f}" y="30" width="12" height="12" fill="{CHART_COLOURS[code]}"/>'
            f'<text x="{x + 17:.1f}" y="40.5" font-size="12" fill="{_INK}">{name}</text>'
        )
        x += 17 + 7.2 * len(label(code, lang)) + 20
    return parts


def _bin(i: int, bins: int, stacks, x: float, width: float, y_of, lang: str) -> str:
    """One bin: its stacked bars and a tooltip with the interval and the counts."""
    base, rects, lines = 0.0, [], []
    for code in CODES:
        n = float(stacks[code][i])
        colon = " : " if lang == "fr" else ": "
        lines.append(f"{label(code, lang)}{colon}{fmt_number(n, lang)}")
        if n <= 0:
            continue
        top, bottom = y_of(base + n), y_of(base)
        rects.append(
            f'<rect x="{x:.2f}" y="{top:.2f}" width="{width:.2f}" '
            f'height="{bottom - top:.2f}" fill="{CHART_COLOURS[code]}" '
            'shape-rendering="crispEdges"/>'
        )
        base += n
    if not rects:
        return ""
    interval = f"{fmt_number(i / bins, lang, 2)} – {fmt_number((i + 1) / bins, lang, 2)}"
    tip = escape("\n".join([interval, *lines]))
    return f"<g><title>{tip}</title>{''.join(rects)}</g>"
