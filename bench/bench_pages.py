"""What users wait for in the browser: page loads, concurrent uploads, server memory, bytes.

A real server (`python -m app.serve`, as `make run`) on its own data folder, driven by
Debian's Chromium through Playwright. Lines printed:

* ``page_load_<page>`` — median of 20 fresh loads (new browser session each) of one page
  with a scored 2,000-claim batch stored: from navigation to the script's end with the
  page's title visible. Target: <= 1.5 s.
* ``uploads_8_concurrent`` — 8 browser users uploading a 2,000-claim file each at once (all
  eight have the page open, then choose their file at the same moment): median (and max)
  seconds from the file input's ``change`` event to the first frame painted with the batch's
  decisions table, against one user alone in the same run. Three rounds of eight on the same
  server (fresh files each round): the figure is the median of the 24 users, and each round's
  median is printed beside it, since one round on these noisy machines can swing by a second
  or more. Target: median <= 3 s. Timed in
  the page (a MutationObserver, then the next frame), not by Playwright: its locator waits
  poll at 20, 50, 100, 100, then every 500 ms, evaluating a text selector over the whole page
  each time, and handing eight files to eight pages through its one driver takes it up to a
  second; both are the harness, not what a user waits for. The Playwright-side figure (from
  ``set_input_files`` to its wait seeing the heading) is printed beside it, as is the time
  to the decisions' heading. ``uploads_8_while_pages_load`` is the same with each user
  uploading as soon as its own page is open, the others' pages still loading.
* ``server_rss`` — the server's resident memory at start, after a 50k upload, after a 100k
  upload, and after those sessions closed (Streamlit's disconnected-session TTL + 30 s).
  Targets: <= 800 MB after both, back within 100 MB of the start.
* ``upload_rerun_bytes_100k`` — bytes the server sends to the browser for one rerun of the
  Upload page showing the 100k batch (the table's next page). Target: <= 1 MB.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.common import row

PAGES = ("upload", "thresholds", "explain", "review", "drift", "monitoring", "model", "journal")
LOADS = 20
USERS = 8
ROUNDS = 3  # rounds of USERS uploads at once (uploads_8_concurrent)
SETTLE = 2.0  # seconds between the last page open and the eight files chosen together


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server is one process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _idle(page, timeout: float = 120_000) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
               && document.querySelector('h1')""",
        timeout=timeout,
    )


def _page_loads(browser, url: str) -> list[dict]:
    rows = []
    for name in PAGES:
        times = []
        for _ in range(LOADS):
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/{name}")
            _idle(page)
            times.append(time.perf_counter() - start)
            context.close()
        median = statistics.median(times)
        rows.append(
            row(
                f"page_load_{name}",
                median,
                p90=round(sorted(times)[int(0.9 * LOADS) - 1], 3),
                loads=LOADS,
                claims_stored=2000,
                within_target=median <= 1.5,
                target="<= 1.5 s (median, main content visible)",
            )
        )
    return rows


def _upload_alone(url: str, path: Path) -> UploadTimes:
    """One user alone, timed as each of the eight (:func:`_upload_async`)."""
    return _concurrent_uploads(url, [path])[0]


def _upload_once(browser, url: str, path: Path) -> float:
    import re

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(600_000)
    try:
        page.goto(url)
        _idle(page)
        start = time.perf_counter()
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for()
        return time.perf_counter() - start
    finally:
        context.close()


# In the page, before the upload: the time the file input changes, then the first frame
# painted (next animation frame, then a task) after the decisions' heading is in the DOM and
# after the batch's decisions table (the first data grid after that heading) is.
MARKS_JS = """() => {
  const T = (window.__marks = {chosen: null, heading: null, table: null});
  const painted = (key) => requestAnimationFrame(() => setTimeout(() => {
    T[key] = performance.now();
  }, 0));
  let heading = false, table = false;
  document.addEventListener('change', (e) => {
    if (e.target && e.target.type === 'file' && T.chosen === null) T.chosen = performance.now();
  }, true);
  new MutationObserver(() => {
    if (T.chosen === null || table) return;
    let h = null;
    for (const el of document.querySelectorAll('h3')) {
      if (/Lot n° \\d+ — décisions/.test(el.textContent)) { h = el; break; }
    }
    if (!h) return;
    if (!heading) { heading = true; painted('heading'); }
    for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
      if ((h.compareDocumentPosition(grid) & Node.DOCUMENT_POSITION_FOLLOWING)
          && grid.querySelector('canvas')) { table = true; painted('table'); break; }
    }
  }).observe(document.body, {subtree: true, childList: true});
}"""


@dataclass(frozen=True)
class UploadTimes:
    """One user's upload, in seconds: in-page from the file's change event to the painted
    heading and table; and as Playwright saw it (from set_input_files to its wait)."""

    heading: float
    table: float
    playwright: float


async def _upload_async(browser, url: str, path: Path, ready=None) -> UploadTimes:
    """One user: opens the app, waits at ``ready`` (an asyncio.Barrier) until every user has
    the page open, then uploads; see :data:`MARKS_JS` for what is timed."""
    import asyncio
    import re

    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = await context.new_page()
    page.set_default_timeout(600_000)
    try:
        await page.goto(url)
        await page.wait_for_function(
            """() => document.querySelector('input[type="file"]')
                   && !document.querySelector('[data-testid="stStatusWidget"]')"""
        )
        await page.evaluate(MARKS_JS)
        if ready is not None:
            await ready.wait()
            await asyncio.sleep(SETTLE)
        start = time.perf_counter()
        await page.locator('input[type="file"]').set_input_files(str(path))
        await page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for()
        seen = time.perf_counter() - start
        await page.wait_for_function("() => window.__marks.table !== null", polling=100)
        marks = await page.evaluate("window.__marks")
        return UploadTimes(
            heading=(marks["heading"] - marks["chosen"]) / 1000,
            table=(marks["table"] - marks["chosen"]) / 1000,
            playwright=seen,
        )
    finally:
        await context.close()


def _concurrent_uploads(url: str, files: list[Path], *, together: bool = True) -> list[UploadTimes]:
    """Each user's times to decisions. ``together``: every user first has the page open,
    then all choose their file at the same moment (the acceptance's "at once"); otherwise
    each uploads as soon as its own page is open, while the others' pages still load."""
    import asyncio

    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    async def all_users() -> list[UploadTimes]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                ready = asyncio.Barrier(len(files)) if together else None
                return await asyncio.gather(*(_upload_async(browser, url, f, ready) for f in files))
            finally:
                await browser.close()

    return asyncio.run(all_users())


def _rerun_bytes(browser, url: str, path: Path) -> tuple[float, int]:
    """(seconds to decisions, bytes received over the websocket for one rerun (the next page))."""
    import re

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(900_000)
    received: list[int] = []

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda payload: received.append(len(payload)))

    page.on("websocket", on_socket)
    try:
        page.goto(url)
        _idle(page)
        start = time.perf_counter()
        page.locator('input[type="file"]').set_input_files(str(path))
        page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for()
        seconds = time.perf_counter() - start
        page.set_default_timeout(120_000)
        _idle(page)
        received.clear()
        page.get_by_role("button", name="Page suivante").click(timeout=60_000)  # one rerun
        page.get_by_text(re.compile(r"Lignes 201 à 400")).wait_for(timeout=120_000)
        _idle(page)
        return seconds, sum(received)
    finally:
        context.close()


def _claims_file(root: Path, n: int, seed: int, id_start: int) -> Path:
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    frame, _ = generate_claims(n, seed=seed, year=2025, drift=True, id_start=id_start)
    path = root / f"lot_{n}_{seed}.xlsx"
    write_claims_xlsx(frame.drop(columns="Fondée"), path)
    return path


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, add_scored_batch, prepare_data, serve

    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = prepare_data(Path(tmp))
        add_scored_batch(root, "lot_2000.xlsx", n=2000, seed=11, id_start=900_000)
        rounds = [
            [
                _claims_file(
                    root, 2000, 600 + 10 * r + i, 100_000_000 + 1_000_000 * (USERS * r + i)
                )
                for i in range(USERS)
            ]
            for r in range(ROUNDS)
        ]
        staggered = [
            _claims_file(root, 2000, 700 + i, 50_000_000 + 1_000_000 * i) for i in range(USERS)
        ]
        big = [
            _claims_file(root, 50_000, 71, 20_000_000),
            _claims_file(root, 100_000, 72, 30_000_000),
        ]
        with serve(root) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            rows += _page_loads(browser, url)
            # its own event loop, in a thread beside the sync API's
            with ThreadPoolExecutor(1) as pool:
                alone = pool.submit(
                    _upload_alone, url, _claims_file(root, 2000, 599, 40_000_000)
                ).result()
                together = [pool.submit(_concurrent_uploads, url, f).result() for f in rounds]
                apart = pool.submit(_concurrent_uploads, url, staggered, together=False).result()
            every = [t for one in together for t in one]
            rows.append(_uploads_row("uploads_8_concurrent", every, alone,
                                     rounds=len(together),
                                     round_medians=[round(_median(one, "table"), 3)
                                                    for one in together],
                                     within_target=_median(every, "table") <= 3.0,
                                     target="median <= 3 s, files chosen at once"))  # fmt: skip
            rows.append(_uploads_row("uploads_8_while_pages_load", apart, alone,
                                     note="each user uploads once its page is open, while the "
                                          "others' pages still load"))  # fmt: skip
            browser.close()
        try:
            rows += _memory(root, big)
        except Exception as exc:  # the page loads above still print
            rows.append({"bench": "server_rss", "error": repr(exc)})
    return rows


def _median(times: list[UploadTimes], field: str) -> float:
    return statistics.median(getattr(t, field) for t in times)


def _uploads_row(name: str, times: list[UploadTimes], alone: UploadTimes, **extra) -> dict:
    """Median seconds to the painted decisions table (the figure), with the max, the time to
    the heading, Playwright's view and one user alone."""
    return row(
        name,
        _median(times, "table"),
        naive=None,
        max_seconds=round(max(t.table for t in times), 3),
        heading_median_seconds=round(_median(times, "heading"), 3),
        playwright_median_seconds=round(_median(times, "playwright"), 3),
        alone_seconds=round(alone.table, 3),
        alone_playwright_seconds=round(alone.playwright, 3),
        users=USERS,  # at once; `uploads` counts them over the rounds
        uploads=len(times),
        claims_each=2000,
        measured="in the page: file input change -> first frame with the decisions table",
        **extra,
    )


def _session_ttl() -> int:
    """The server's server.disconnectedSessionTTL (our config, else Streamlit's default)."""
    from streamlit import config

    return int(config.get_option("server.disconnectedSessionTTL"))


def _memory(root: Path, big: list[Path]) -> list[dict]:
    """A fresh server, so that the figures are those of these uploads alone."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, serve, server_pid

    rows: list[dict] = []
    with serve(root) as url, sync_playwright() as pw:
        pid = server_pid(url)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        warm = context.new_page()
        warm.goto(url)
        _idle(warm)
        start_mb = _rss_mb(pid)
        _upload_once(browser, url, big[0])
        after_50k = _rss_mb(pid)
        seconds_100k, sent = _rerun_bytes(browser, url, big[1])
        after_100k = _rss_mb(pid)
        context.close()
        browser.close()
        # Streamlit keeps a closed tab's session (its state, its uploaded file) for
        # server.disconnectedSessionTTL seconds in case the tab reconnects; after that
        # the batches are closed for good
        time.sleep(_session_ttl() + 30)
        closed = _rss_mb(pid)
    rows.append(row("server_rss", after_100k, start_mb=start_mb, after_50k_mb=after_50k,
                    after_100k_mb=after_100k, after_close_mb=closed,
                    seconds_after_close=_session_ttl() + 30,
                    within_target=after_100k <= 800 and closed - start_mb <= 100,
                    target="<= 800 MB after 50k + 100k; <= start + 100 MB once closed",
                    unit="MB"))  # fmt: skip
    rows.append(
        row(
            "upload_rerun_bytes_100k",
            seconds_100k,
            bytes_per_rerun=sent,
            within_target=sent <= 1_000_000,
            target="<= 1 MB per rerun",
            what="seconds: 100k upload to decisions; bytes: one rerun (the table's next page)",
        )
    )
    return rows
