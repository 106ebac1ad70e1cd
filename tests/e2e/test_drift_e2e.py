"""In a real browser: the Drift page shows a stored report of a 2025-like batch (red or orange,
amount and segment named) and renders its full Evidently report, served after a restart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.drift.service import drift_report
from core.model.registry import Registry
from core.store.database import Store
from tests.e2e.conftest import add_scored_batch, data_config, prepare_data, serve, wait_app_idle
from tests.helpers import ADMIN

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def drift_root(tmp_path_factory) -> Path:
    """A model, a scored 2025-like batch and its stored drift report, all before the server
    starts: what the page shows comes from DuckDB, as after a restart."""
    root = prepare_data(tmp_path_factory.mktemp("drift-e2e"))
    batch_id = add_scored_batch(root, "lot_2025.xlsx", n=4000, seed=8, id_start=20_001)
    cfg = data_config(root)
    with Store(cfg.paths.database) as store:
        drift_report(store, Registry(cfg.paths.models_dir, store), cfg, batch_id, actor=ADMIN)
    return root


@pytest.fixture(scope="module")
def server(drift_root: Path):
    with serve(drift_root) as url:
        yield url


def test_drift_page_names_the_drifted_columns_and_renders_the_report(server, page):
    page.goto(server)
    wait_app_idle(page)
    page.get_by_role("link", name="Dérive").click()
    page.get_by_role("heading", name="Dérive des lots").wait_for()
    wait_app_idle(page)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # the alerts (a canvas)
    # The alert of the batch's report, and its drifted columns: the history chart follows
    # them by default (the multiselect's chips are text, unlike the table's canvas).
    expect(page.get_by_text(re.compile(r"(Rouge|Orange) — Référence du modèle"))).to_be_visible()
    chips = page.locator('[data-testid="stMultiSelect"]').first
    expect(chips).to_contain_text("Montant demandé", timeout=30_000)
    expect(chips).to_contain_text("Segment")
    page.get_by_text("Afficher le rapport technique détaillé d'Evidently (en anglais)").click()
    frame = page.locator("iframe").first
    frame.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
