"""In a real browser: every page at its own address, and the decisions readable at once (the
table at the page's full width, the probability and the decision on screen, whole amounts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import prepare_data, serve, wait_app_idle

pytestmark = pytest.mark.e2e

ADDRESSES = {
    "": "Dépôt d'un lot de réclamations",
    "upload": "Dépôt d'un lot de réclamations",
    "thresholds": "Seuils",
    "explain": "Explication",
    "review": "Revue",
    "drift": "Dérive",
    "monitoring": "Suivi",
    "model": "Modèle",
    "journal": "Journal",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = prepare_data(tmp_path_factory.mktemp("workflow-e2e"))
    with serve(root) as url:
        yield url


@pytest.mark.parametrize("path", list(ADDRESSES))
def test_every_page_answers_at_its_own_address(server, page, path):
    page.goto(f"{server}/{path}")
    wait_app_idle(page)
    page.get_by_role("heading", name=re.compile(ADDRESSES[path])).first.wait_for(timeout=30_000)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_decisions_table_uses_the_full_width_with_probability_and_decision_first(
    server, page, demo_dir: Path
):
    page.goto(f"{server}/upload")
    page.get_by_text("Dépôt d'un lot de réclamations").wait_for()
    page.locator('input[type="file"]').set_input_files(str(demo_dir / "batch_nouvelles.xlsx"))
    page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for(timeout=120_000)
    wait_app_idle(page)
    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Probabilité fondée")
    table.first.wait_for(timeout=60_000)
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    box = table.first.bounding_box()
    assert box["width"] >= 0.9 * (main["width"] - 2 * 48), (box, main)  # minus the padding
    headers = table.first.locator('[role="columnheader"]').all_inner_texts()
    names = [h.strip() for h in headers if h.strip()]
    assert names[:4] == ["ID Réclamation", "Probabilité fondée", "Décision", "Motif règle"], names
    truncated = page.locator('[data-testid="stMetricValue"]').evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
    )
    assert truncated == [], truncated  # every card shows its whole value ("88 443 DH", ...)
    page.goto(f"{server}/thresholds")  # the batch just scored is the Thresholds page's claims
    page.get_by_text("Règles métier incluses", exact=False).first.wait_for(timeout=60_000)
    wait_app_idle(page)
    truncated = page.locator('[data-testid="stMetricValue"]').evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
    )
    assert truncated == [], truncated
