"""Browser end-to-end fixtures: a real Streamlit server and Debian's Chromium via Playwright.

The server runs the app exactly as `make run` does, on a free local port, with its own data
folder. On a failed test, a full-page screenshot is kept in tests/e2e/artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.helpers import ADMIN

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_answering(url: str, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} within {timeout} s")


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout} s")


def data_config(root: Path):
    """The default configuration with its database and models under ``root``."""
    from dataclasses import replace

    from core.config.loading import load_config

    base = load_config()
    paths = replace(
        base.paths, database=root / "data" / "workbench.duckdb", models_dir=root / "models"
    )
    return replace(base, paths=paths)


def prepare_data(root: Path) -> Path:
    """Data and models folders under ``root`` with a small model registered and active."""
    from core.model.registry import Registry
    from core.store.database import Store
    from tests.helpers import train_tiny_model

    cfg = data_config(root)
    model = train_tiny_model(cfg, n=3000)[0]
    with Store(cfg.paths.database) as store:
        Registry(cfg.paths.models_dir, store).register(model, actor=ADMIN, activate=True)
    return root


def add_scored_batch(
    root: Path, file_name: str, *, n: int, seed: int, id_start: int, drift: bool = True
) -> int:
    """Generate a batch file under ``root``, ingest it and score it with the active model,
    before the server starts (one DuckDB writer per file); returns its batch id."""
    from core.ingest.pipeline import ingest
    from core.model.registry import Registry
    from core.scoring.batch import score_batch
    from core.store.database import Store
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    cfg = data_config(root)
    frame, _ = generate_claims(n, seed=seed, year=2025, drift=drift, id_start=id_start)
    write_claims_xlsx(frame, root / file_name)
    with Store(cfg.paths.database) as store:
        batch_id = ingest(root / file_name, cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return batch_id


def server_pid(url: str) -> int:
    """The pid of the Streamlit server answering ``url`` (found by its --server.port)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    raise RuntimeError(f"no streamlit process serves {url}")


@contextlib.contextmanager
def serve(
    root: Path,
    *,
    secrets_file: Path | None = None,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """Serve the app as `make run` does, on a free port, with data in ``root``; yields the URL.

    Streamlit reads its secrets from ``secrets_file`` only (by default a file that does not exist:
    local mode, whatever secrets.toml the machine has). ``env`` adds environment variables
    (e.g. WORKBENCH_PROFILE) and ``args`` Streamlit options."""
    env = {**os.environ, **(env or {})}  # app.serve adds the server's memory settings
    env["WORKBENCH_DATA_DIR"] = str(root / "data")
    env["WORKBENCH_MODELS_DIR"] = str(root / "models")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "app.serve",  # as `make run`: exec's `streamlit run app/main.py`
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--secrets.files",
        str(secrets_file or root / "no-secrets.toml"),
        *args,
    ]
    with open(root / "streamlit.log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def oidc_provider(users: Sequence[Mapping[str, object]], log_path: Path) -> Iterator[str]:
    """A real OpenID Connect provider (oidc-provider-mock) in its own process, on a free
    localhost port; ``users`` are its predefined users (claims, each with a ``sub``), chosen
    by typing the ``sub`` in its authorization form. Yields its issuer URL."""
    port = _free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for claims in users:
        cmd += ["--user-claims", json.dumps(claims)]
    issuer = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        env = {**os.environ, "NO_COLOR": "1"}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_answering(f"{issuer}/.well-known/openid-configuration", proc, "the OIDC provider")
            yield issuer
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def write_auth_secrets(path: Path, issuer: str) -> Path:
    """Streamlit's secrets with an ``[auth]`` section for ``issuer`` (random, throwaway
    secrets; the redirect URI's ``{port}`` is filled in by Streamlit with the server's)."""
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "claims-triage-workbench"\n'
        f'client_secret = "{secrets.token_urlsafe(24)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def keep_local(context) -> None:
    """Abort every request of a browser context that leaves this machine (the provider's
    pages link a stylesheet on a CDN): tests only talk to 127.0.0.1."""
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda r: r.abort())


@pytest.fixture(scope="session")
def e2e_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared server's data and models folders, with a small model registered."""
    return prepare_data(tmp_path_factory.mktemp("e2e-data"))


@pytest.fixture(scope="session")
def server(e2e_data: Path) -> Iterator[str]:
    """The app served for the whole session (tests that need a known database use serve())."""
    with serve(e2e_data) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser page (1440x900, French); screenshot kept when the test fails."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def wait_app_idle(pg, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=timeout
    )
