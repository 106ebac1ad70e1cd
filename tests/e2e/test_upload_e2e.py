"""In a real browser: health check, upload the demo batch through the file input, bad file."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import wait_app_idle

pytestmark = pytest.mark.e2e


def test_health_endpoint_answers_ok(server):
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=5) as resp:
        assert resp.read().decode().strip() == "ok"


def test_upload_demo_batch_in_browser(server, page, demo_dir: Path):
    page.goto(server)
    page.get_by_text("Dépôt d'un lot de réclamations").wait_for()
    page.locator('input[type="file"]').set_input_files(str(demo_dir / "batch_nouvelles.xlsx"))
    page.get_by_text(re.compile(r"Lot n° \d+ enregistré")).wait_for(timeout=60_000)
    wait_app_idle(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "2 000" in body.replace("\u202f", " ") or "2000" in body
    assert "Lots enregistrés" in body


def test_bad_file_shows_error_table_not_traceback(server, page, tmp_path: Path):
    bad = tmp_path / "rapport.xlsx"
    bad.write_bytes(b"%PDF-1.7\n% a PDF renamed .xlsx\n")
    page.goto(server)
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text("Lot refusé", exact=False).first.wait_for(timeout=60_000)
    wait_app_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    assert "Traceback" not in page.content()
