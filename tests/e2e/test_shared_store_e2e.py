"""Two app servers on one data folder, eight auditors at once, the CLI beside them.

Every upload is stored and scored (8 of 8, no error shown), the command line works while the
servers are up (it waits for its turn when needed), and every batch gets its drift report —
run by a server's job runner, even for pages closed as soon as the decisions showed.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.drift.storage import load_drift_reports
from core.model.registry import Registry
from core.store.database import Store
from core.store.jobs import DONE
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, data_config, prepare_data, serve

pytestmark = pytest.mark.e2e

N_USERS = 8


def _files(root: Path) -> list[Path]:
    paths = []
    for i in range(N_USERS):
        frame, _ = generate_claims(300, seed=500 + i, year=2025, id_start=100_000 * (i + 1))
        path = root / f"lot_auditeur_{i}.xlsx"
        write_claims_xlsx(frame, path)
        paths.append(path)
    return paths


async def _upload(browser, url: str, path: Path) -> tuple[str, int]:
    """One auditor: upload, wait for the decisions, leave at once. (errors seen, batch id)."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = await context.new_page()
    page.set_default_timeout(240_000)
    try:
        await page.goto(url)
        await page.get_by_text("Dépôt d'un lot de réclamations").wait_for()
        await page.locator('input[type="file"]').set_input_files(str(path))
        heading = page.get_by_text(re.compile(r"Lot n° \d+ — décisions"))
        await heading.wait_for()
        batch_id = int(re.search(r"n° (\d+)", await heading.inner_text()).group(1))
        errors = await page.locator(
            '[data-testid="stException"], [data-testid="stAlertContentError"]'
        ).all_inner_texts()
        return " | ".join(errors), batch_id
    finally:
        await context.close()  # the page is left as soon as the decisions showed


async def _all_users(urls: list[str], files: list[Path]) -> list[tuple[str, int]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            jobs = [_upload(browser, urls[i % 2], f) for i, f in enumerate(files)]
            return await asyncio.gather(*jobs)
        finally:
            await browser.close()


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "WORKBENCH_DATA_DIR": str(root / "data"),
        "WORKBENCH_MODELS_DIR": str(root / "models"),
    }
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_two_servers_eight_auditors_and_the_cli_share_one_data_folder(tmp_path):
    root = prepare_data(tmp_path)
    files = _files(root)
    cli_file = root / "lot_cli.xlsx"
    frame, _ = generate_claims(200, seed=77, year=2025, id_start=900_000)
    write_claims_xlsx(frame, cli_file)
    with serve(root) as first, serve(root) as second:
        with ThreadPoolExecutor(1) as pool:  # its own event loop, beside the sync fixtures'
            outcomes = pool.submit(asyncio.run, _all_users([first, second], files)).result()
        # The command line while both servers are up (and their job runners working).
        listed = _cli(root, "models", "list")
        scored = _cli(root, "score", "--input", str(cli_file), "--output", str(root / "r.xlsx"))
        drift = _cli(root, "drift", "--batch", "latest")
        ingested = _cli(root, "ingest", str(files[0]))  # already stored by an auditor
        cfg = data_config(root)
        store = Store(cfg.paths.database)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and any(j.status != DONE for j in store.jobs()):
            time.sleep(1)  # the servers' job runners finish the drift reports
        jobs = store.jobs()
        batches = store.list_batches()
        reports = {b.id: load_drift_reports(store, b.id, include_snapshot=False) for b in batches}
        active = Registry(cfg.paths.models_dir, store).active()
    errors = [e for e, _ in outcomes if e]
    assert errors == [], errors
    browser_batches = sorted(batch for _, batch in outcomes)
    assert len(set(browser_batches)) == N_USERS  # 8 of 8 stored
    for done in (listed, scored, drift, ingested):
        assert done.returncode == 0, done.stderr
    assert active.version in listed.stdout
    assert "déjà enregistré" in ingested.stdout
    assert len(batches) == N_USERS + 1  # and the CLI's batch
    assert [j.status for j in jobs] == [DONE] * len(jobs) and len(jobs) == N_USERS + 1
    assert all(len(reports[b]) >= 1 for b in browser_batches), reports
