"""In a real browser: a deep link /explain?claim=<ID> opens that claim with its waterfall."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import add_scored_batch, prepare_data, serve, wait_app_idle

pytestmark = pytest.mark.e2e

CLAIM = "REC-2025-008005"


@pytest.fixture(scope="module")
def explain_root(tmp_path_factory) -> Path:
    """A registered model and one small scored batch (REC-2025-008001..), before serving."""
    root = prepare_data(tmp_path_factory.mktemp("explain-e2e"))
    add_scored_batch(root, "lot.xlsx", n=200, seed=21, id_start=8001, drift=False)
    return root


@pytest.fixture(scope="module")
def server(explain_root: Path):
    with serve(explain_root) as url:
        yield url


def test_deep_link_shows_the_claim_and_its_waterfall(server, page):
    page.goto(f"{server}/explain?claim={CLAIM}")
    page.get_by_text(f"Réclamation {CLAIM}").wait_for(timeout=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=60_000)
    wait_app_idle(page)
    bars = chart.locator(".waterfalllayer .point")
    expect(bars.nth(2)).to_be_attached(timeout=30_000)  # base, columns, total: 3 or more
    expect(page.get_by_text("Les trois raisons principales")).to_be_visible()
    assert f"claim={CLAIM}" in page.url


def test_unknown_claim_in_the_link_says_so(server, page):
    page.goto(f"{server}/explain?claim=REC-0000-000000")
    page.get_by_text("Aucune réclamation « REC-0000-000000 »").wait_for(timeout=60_000)


def test_deep_link_on_a_fresh_server_runs_inside_the_app_navigation(server, page):
    page.goto(f"{server}/explain?claim={CLAIM}")
    page.get_by_text(f"Réclamation {CLAIM}").wait_for(timeout=60_000)
    wait_app_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Explication" in nav and "Dépôt des lots" in nav
