"""In a real browser: health, upload + score the demo batch, 50k-row timing, download, bad file."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.trained import TrainedModel
from core.scoring.batch import score_batch
from core.store.database import Store
from tests.e2e.conftest import ARTIFACTS, prepare_data, serve, wait_app_idle
from tests.helpers import ADMIN

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def upload_root(tmp_path_factory) -> Path:
    """This module's own server data: the database state is known (no other test writes)."""
    return prepare_data(tmp_path_factory.mktemp("upload-e2e"))


@pytest.fixture(scope="module")
def server(upload_root: Path):
    with serve(upload_root) as url:
        yield url


def _core_counts(upload_root: Path, file: Path, tmp: Path) -> dict[int, int]:
    """The same file scored by the core alone, with the same model, in a fresh database."""
    (version_dir,) = [d for d in (upload_root / "models").iterdir() if d.is_dir()]
    model = TrainedModel.load(version_dir)
    cfg = load_config()
    with Store(tmp / "core.duckdb") as store:
        registry = Registry(tmp / "models", store)
        registry.register(model, actor=ADMIN, activate=True)
        batch_id = ingest(file, cfg, store, actor=ADMIN).batch_id
        result = score_batch(batch_id, store, registry, cfg, actor=ADMIN)
    return result.counts


def _digits(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def _metric(page, label: str) -> int:
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return _digits(card.locator('[data-testid="stMetricValue"]').inner_text())


def _upload(page, server: str, path: Path) -> float:
    """Upload through the real file input; seconds from the upload to the decisions shown."""
    page.goto(server)  # the upload page is the default page, served at "/"
    page.get_by_text("Dépôt d'un lot de réclamations").wait_for()
    page.locator('input[type="file"]').set_input_files(str(path))
    start = time.perf_counter()
    page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for(timeout=120_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=120_000)
    wait_app_idle(page)
    return time.perf_counter() - start


def test_health_endpoint_answers_ok(server):
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=5) as resp:
        assert resp.read().decode().strip() == "ok"


def test_upload_demo_batch_shows_decisions_matching_the_core(
    server, page, upload_root, demo_dir, tmp_path
):
    file = demo_dir / "batch_nouvelles.xlsx"
    _upload(page, server, file)
    assert _metric(page, "Réclamations") == 2000
    counts = _core_counts(upload_root, file, tmp_path)
    assert _metric(page, "Rejet Auto") == counts.get(-1, 0)
    assert _metric(page, "Audit Humain") == counts.get(0, 0)
    assert _metric(page, "Validation Auto") == counts.get(1, 0)
    # the histogram is drawn (an SVG image: st.html would strip it in the browser)
    histogram = page.get_by_role("img", name="Probabilité d'être fondée, par décision")
    expect(histogram).to_be_visible()
    drawn = page.evaluate("(e) => e.complete && e.naturalWidth", histogram.element_handle())
    assert drawn == 640
    assert histogram.bounding_box()["height"] > 150

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile("Télécharger les résultats")).click()
    target = tmp_path / "download.xlsx"
    info.value.save_as(target)
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2001
    assert {"Probabilite_Fondee", "Decision_Code", "Motif_Regle"} <= set(rows[0])


# Every animation frame, the opacities of the elements Streamlit marks stale during a rerun.
STALE_SAMPLER = """
window.__stale = {frames: 0, opacities: new Set()};
const sample = () => {
  const stale = document.querySelectorAll('[data-testid="stElementContainer"][data-stale="true"]');
  if (stale.length) window.__stale.frames += 1;
  for (const el of stale) {
    window.__stale.opacities.add(Math.round(parseFloat(getComputedStyle(el).opacity) * 100) / 100);
  }
  requestAnimationFrame(sample);
};
requestAnimationFrame(sample);
"""


@pytest.mark.slow
def test_50k_rows_show_their_decisions(server, page):
    """A 50,000-claim file reaches its decisions (timed in make bench: bench_pages, not here);
    while it runs, the last run's elements dim in one step, never through a fade (app.theme)."""
    from bench.common import claims_workbook

    page.add_init_script(STALE_SAMPLER)
    seconds = _upload(page, server, claims_workbook(50_000))
    assert _metric(page, "Réclamations") == 50_000
    stale = page.evaluate(
        "() => ({frames: window.__stale.frames, opacities: [...window.__stale.opacities]})"
    )
    assert stale["frames"] > 0, "the rerun never marked the page's elements stale"
    # Streamlit's own rule fades 1 -> 0.33 over a second: intermediate values in every frame
    assert set(stale["opacities"]) <= {1.0, 0.33}, stale["opacities"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record = {"bench": "e2e_upload_50k_to_decisions", "seconds": round(seconds, 2)}
    with (ARTIFACTS / "e2e_timings.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record))  # information only: these machines are noisy
    # the table's first page of 200 claims, out of the 50,000 (never the whole batch)
    expect(page.get_by_text(re.compile(r"Lignes 1 à 200 sur 50\s000"))).to_be_visible()


def test_bad_file_shows_error_table_not_traceback(server, page, tmp_path: Path):
    bad = tmp_path / "rapport.xlsx"
    bad.write_bytes(b"%PDF-1.7\n% a PDF renamed .xlsx\n")
    page.goto(server)
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text("Lot refusé", exact=False).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)  # the report
    wait_app_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.content()
