"""The Upload page's histogram drawn as inline SVG: well formed, faithful to the counts,
localised, and never markup from its texts."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from app.charts_svg import HEIGHT, WIDTH, nice_ticks, probability_histogram_svg
from app.theme import CHART_COLOURS

NS = {"s": "http://www.w3.org/2000/svg"}
TITLES = {"title": "Probabilité d'être fondée", "x": "Probabilité", "y": "Réclamations"}


def _counts(seed: int = 0, bins: int = 50) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {code: rng.integers(0, 40, bins) for code in (-1, 0, 1)}


def _svg(counts, low=0.2, high=0.7, lang="fr", titles=TITLES) -> ET.Element:
    return ET.fromstring(probability_histogram_svg(counts, low, high, lang=lang, titles=titles))


def test_each_bin_stacks_its_counts_in_the_decision_colours():
    counts = _counts()
    root = _svg(counts)
    groups = root.findall("s:g", NS)
    assert len(groups) == 50  # every bin has claims here
    heights = {code: [] for code in counts}
    colour_code = {colour: code for code, colour in CHART_COLOURS.items()}
    for group in groups:
        seen = {
            colour_code[r.get("fill")]: float(r.get("height")) for r in group.findall("s:rect", NS)
        }
        for code in counts:
            heights[code].append(seen.get(code, 0.0))
    # heights are proportional to the counts, one scale for every bar (to the 0.01 px drawn)
    i = int(np.argmax(counts[0]))
    scale = heights[0][i] / counts[0][i]
    for code in counts:
        assert np.asarray(heights[code]) == pytest.approx(counts[code] * scale, abs=0.02)
    # the tooltip of a bin gives its interval and each decision's count
    tip = groups[10].find("s:title", NS).text
    assert tip.startswith("0,20 – 0,22")
    assert f"Rejet Auto : {counts[-1][10]}" in tip


def test_thresholds_are_drawn_where_they_are():
    root = _svg(_counts(), low=0.25, high=0.75)
    dashed = [line for line in root.findall("s:line", NS) if line.get("stroke-dasharray")]
    xs = sorted(float(line.get("x1")) for line in dashed)
    left, right = 56, WIDTH - 12
    assert xs == pytest.approx(
        [left + 0.25 * (right - left), left + 0.75 * (right - left)], abs=0.1
    )


def test_numbers_follow_the_language():
    fr = probability_histogram_svg(_counts(), 0.2, 0.7, lang="fr", titles=TITLES)
    en = probability_histogram_svg(_counts(), 0.2, 0.7, lang="en", titles=TITLES)
    assert ">0,4<" in fr and ">0.4<" not in fr
    assert ">0.4<" in en and ">0,4<" not in en
    assert "Validation Auto" in fr and "Auto-validate" not in fr


def test_texts_are_data_never_markup():
    hostile = {
        "title": '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
        "x": "<b>x</b>",
        "y": "&lt;y",
    }
    text = probability_histogram_svg(_counts(), 0.2, 0.7, lang="fr", titles=hostile)
    root = ET.fromstring(text)  # still well formed
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert root.find("s:title", NS).text == hostile["title"]


def test_an_empty_batch_draws_axes_without_bars():
    zeros = {code: np.zeros(50, dtype=int) for code in (-1, 0, 1)}
    text = probability_histogram_svg(zeros, 0.2, 0.7, lang="fr", titles=TITLES)
    root = ET.fromstring(text)
    assert root.findall("s:g", NS) == []
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"


@pytest.mark.parametrize("top", [0, 1, 3, 7, 10, 37, 99, 100, 101, 1234, 52_000])
def test_count_ticks_are_whole_round_and_cover_the_tallest_bar(top):
    ticks = nice_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert step >= 1 and step == int(step)
    assert re.fullmatch(r"[125]0*", str(int(step)))
    assert len(ticks) <= 11
