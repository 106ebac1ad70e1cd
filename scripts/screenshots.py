"""Take the README screenshots: `make screenshots` (a real server, Debian's Chromium).

Builds a fresh data folder with the demo data and a quick default model, uploads the demo
batch through the browser, then captures every page into docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, serve, wait_app_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _prepare(root: Path) -> None:
    env = {
        **os.environ,
        "WORKBENCH_DATA_DIR": str(root / "data"),
        "WORKBENCH_MODELS_DIR": str(root / "models"),
    }
    subprocess.run(
        [sys.executable, "-m", "core", "synth", "--out", str(root / "data" / "demo")],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "core", "ensure-model", "--quick"], cwd=ROOT, env=env, check=True
    )


def _shot(page, name: str) -> None:
    wait_app_idle(page)
    page.wait_for_timeout(1500)  # let plotly finish drawing
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
    print("wrote", OUT / f"{name}.png")


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _prepare(root)
        demo = root / "data" / "demo"
        with serve(root) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
            page.set_default_timeout(120_000)
            page.goto(url)  # the upload page is the default page, served at "/"
            page.locator('input[type="file"]').set_input_files(str(demo / "batch_nouvelles.xlsx"))
            page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for()
            _shot(page, "upload")
            claim = page.locator('[data-testid="stDataFrame"]').first
            claim.wait_for()
            for name in ("thresholds", "review", "drift", "model"):
                page.goto(f"{url}/{name}")
                page.locator("h1").first.wait_for()
                _shot(page, name)
            first_id = _first_claim_id(demo / "batch_nouvelles.csv")
            page.goto(f"{url}/explain?claim={first_id}")
            page.locator("h1").first.wait_for()
            _shot(page, "explain")
            browser.close()


def _first_claim_id(csv: Path) -> str:
    line = csv.read_text(encoding="utf-8").splitlines()[1]
    return line.split(";")[0]


if __name__ == "__main__":
    main()
