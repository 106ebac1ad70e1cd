"""In a real browser: the Drift page shows a stored report of a 2025-like batch (red or orange,
amount and segment named) and renders its full Evidently report, served after a restart."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.config import load_config
from core.ingest import ingest
from core.monitoring import drift_report
from core.registry import Registry
from core.scoring import score_batch
from core.store import Store
from core.synth import generate_claims, write_claims_xlsx
from tests.e2e.conftest import prepare_data, serve, wait_app_idle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def drift_root(tmp_path_factory) -> Path:
    """A model, a scored 2025-like batch and its stored drift report, all before the server
    starts: what the page shows comes from DuckDB, as after a restart."""
    root = prepare_data(tmp_path_factory.mktemp("drift-e2e"))
    base = load_config()
    paths = replace(
        base.paths, database=root / "data" / "workbench.duckdb", models_dir=root / "models"
    )
    cfg = replace(base, paths=paths)
    frame, _ = generate_claims(4000, seed=8, year=2025, drift=True, id_start=20_001)
    write_claims_xlsx(frame, root / "lot_2025.xlsx")
    with Store(paths.database) as store:
        registry = Registry(paths.models_dir, store)
        batch_id = ingest(root / "lot_2025.xlsx", cfg, store).batch_id
        score_batch(batch_id, store, registry, cfg)
        drift_report(store, registry, cfg, batch_id)
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
    page.get_by_text("Afficher le rapport Evidently complet").click()
    frame = page.locator("iframe").first
    frame.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
