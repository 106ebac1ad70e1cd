"""In a real browser: the thresholds slider moved with the keyboard redraws the net gain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import add_scored_batch, prepare_data, serve, wait_app_idle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def thresholds_root(tmp_path_factory) -> Path:
    """This module's server data: a small model and one labelled batch scored with it,
    written before the server starts (one DuckDB writer per file)."""
    root = prepare_data(tmp_path_factory.mktemp("thresholds-e2e"))
    add_scored_batch(root, "lot_seuils.xlsx", n=800, seed=31, id_start=90_001)
    return root


@pytest.fixture(scope="module")
def server(thresholds_root: Path):
    with serve(thresholds_root) as url:
        yield url


def _initial_low(root: Path) -> float:
    """The low threshold the page starts from: the active model's published pair."""
    from core.model.registry import Registry
    from core.store.database import Store
    from tests.e2e.conftest import data_config

    cfg = data_config(root)
    with Store(cfg.paths.database) as store:
        version = Registry(cfg.paths.models_dir, store).active().version
        return round(store.active_thresholds(version).low, 2)


def _net_gain(page):
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Gain net attendu").first
    return card.locator('[data-testid="stMetricValue"]')


def test_keyboard_moves_the_slider_and_the_net_gain_follows(server, page, thresholds_root):
    # Through the sidebar navigation, as an auditor would go there.
    page.goto(server)
    wait_app_idle(page)
    page.get_by_role("link", name=re.compile("Seuils")).click()
    page.get_by_role("heading", name="Seuils de décision").wait_for()
    wait_app_idle(page)
    value = _net_gain(page)
    value.wait_for()
    before = value.inner_text()
    assert before.endswith("DH")
    slider = page.locator('[data-testid="stSlider"]').first
    thumb = slider.locator('input[type="range"]').first  # the low handle
    start = _initial_low(
        thresholds_root
    )  # the pair registered with the model, on the slider's grid
    expect(thumb).to_have_value(f"{start:g}")
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # French screen, French browser: the slider writes "0,33" (or "0,4" for 0.40)
    moved = f"{start + 0.05:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    thumb_value = slider.locator('[data-testid="stSliderThumbValue"]').first
    expect(thumb_value).to_have_text(re.compile(f"^{re.escape(moved)}0?$"))
    expect(value).not_to_have_text(before, timeout=30_000)
    wait_app_idle(page)
    after = value.inner_text()
    assert after != before and after.endswith("DH")
    # the heatmap and the decision charts are drawn once each when the fragment's reruns
    # settle (while a rerun is under way, Streamlit briefly shows the stale ones too)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(4, timeout=30_000)
