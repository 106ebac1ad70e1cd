"""The scoring API as a real server: ``python -m core serve`` on a free local port.

- tokens made with ``python -m core api-token create``; 401 / 413 / 422 over real HTTP;
- the yearly cap holds when the API server and batch scoring in another process decide for
  the same clients at the same time;
- ``kill -9`` of the server in the middle of a batch request's transaction leaves no partial
  record, and the audit trail still verifies after a restart.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import InitialPair, Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.store.gate import gate_for
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR, train_tiny_model

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CAP = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    root: Path
    env: dict[str, str]
    url: str = ""
    token: str = ""
    proc: subprocess.Popen | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(self, launcher: list[str] | None = None) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = launcher or [sys.executable, "-m", "core", "serve"]
        log = open(self.root / f"server-{port}.log", "w")  # noqa: SIM115 (kept for the process)
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(port)], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.root / f"server-{port}.log").read_text()
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError("the API did not answer /health within 90 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def count(self, sql: str) -> int:
        store = Store(self.root / "data" / "workbench.duckdb")
        with store.cursor() as cur:
            value = int(cur.execute(sql).fetchone()[0])
        gate_for(store.path).release_now()
        return value


@pytest.fixture(scope="module")
def tiny_model():
    return train_tiny_model(load_config())[0]


def _prepared(root: Path, model, pair: InitialPair | None) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["WORKBENCH_DATA_DIR"] = str(root / "data")
    env["WORKBENCH_MODELS_DIR"] = str(root / "models")
    store = Store(root / "data" / "workbench.duckdb")
    Registry(root / "models", store).register(model, actor=ADMIN, activate=True, initial_pair=pair)
    gate_for(store.path).release_now()
    server = Server(root, env)
    created = server.cli("api-token", "create", "crm")
    assert created.returncode == 0, created.stderr
    server.token = created.stdout.strip()
    return server


@pytest.fixture
def server(tmp_path, tiny_model) -> Iterator[Server]:
    srv = _prepared(tmp_path, tiny_model, None)
    srv.start()
    yield srv
    srv.stop()


def _claim(i: int, client: str = "0012345", day: str = "14/03/2025") -> dict:
    return {
        "ID Réclamation": f"E2E-{i:05d}",
        "ID Client": client,
        "Date Réclamation": day,
        "Montant demandé": 900 + i,
        "Famille Produit": "Cartes",
        "Catégorie": "Opérations par carte",
        "Sous-catégorie": "Double débit carte",
        "PNB analytique (vision commerciale) cumulé": 1e9,
    }


def test_the_real_server_scores_and_refuses_over_http(server: Server):
    health = httpx.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["model_loaded"] is True
    ok = httpx.post(f"{server.url}/predict", json=_claim(1), headers=server.auth)
    assert ok.status_code == 200, ok.text
    assert ok.json()["Decision_Code"] in (-1, 0, 1)
    assert httpx.post(f"{server.url}/predict", json=_claim(2)).status_code == 401
    bad = dict(_claim(3), **{"Montant demandé": "beaucoup"})
    refused = httpx.post(f"{server.url}/predict", json=bad, headers=server.auth)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "Montant demandé"
    big = httpx.post(f"{server.url}/predict", content=b"x" * 2_000_000, headers=server.auth)
    assert big.status_code == 413
    assert httpx.get(f"{server.url}/docs").status_code == 200
    server.stop()
    assert server.count("SELECT count(*) FROM api_claims") == 1
    assert server.count("SELECT count(*) FROM api_refusals") == 3
    revoked = server.cli("api-token", "revoke", "crm")
    assert revoked.returncode == 0, revoked.stderr
    listed = server.cli("api-token", "list").stdout
    assert "crm" in listed and "revoked" in listed
    verify = server.cli("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.slow
def test_the_cap_holds_across_the_api_server_and_batch_scoring(tmp_path, tiny_model):
    everything = InitialPair(0.0, 0.0, "manual", "tout valider : le plafond seul décide")
    srv = _prepared(tmp_path, tiny_model, everything)
    srv.start()
    pool = [f"{7_000_000 + i:07d}" for i in range(12)]
    rng = np.random.default_rng(3)
    files = []
    for b in range(3):
        frame, _ = generate_claims(40, seed=40 + b, year=2025, labelled=False)
        frame["ID Client"] = rng.choice(pool, size=len(frame))
        frame["PNB analytique (vision commerciale) cumulé"] = 1e9
        path = tmp_path / f"lot_{b}.xlsx"
        write_claims_xlsx(frame, path)
        files.append(path)
    cfg = load_config()
    store = Store(tmp_path / "data" / "workbench.duckdb")
    registry = Registry(tmp_path / "models", store)

    def batch(path: Path) -> int:
        batch_id = ingest(path, cfg, store, actor=AUDITOR).batch_id
        result = score_batch(batch_id, store, registry, cfg, actor=AUDITOR, queue_drift=False)
        return result.counts[1]

    def api(i: int) -> int:
        claim = _claim(i, client=pool[i % len(pool)], day=f"{1 + i % 27:02d}/0{1 + i % 9}/2025")
        response = httpx.post(f"{srv.url}/predict", json=claim, headers=srv.auth, timeout=120)
        assert response.status_code == 200, response.text
        return int(response.json()["Decision_Code"] == 1)

    try:
        with ThreadPoolExecutor(max_workers=11) as threads:
            batches = [threads.submit(batch, f) for f in files]
            calls = list(threads.map(api, range(48)))
            validated = sum(f.result() for f in batches) + sum(calls)
    finally:
        gate_for(store.path).release_now()
        srv.stop()
    over = srv.count(
        f"""WITH latest AS (SELECT batch_id, max(scored_at) AS at FROM scores GROUP BY 1),
           validated AS (
               SELECT c.client_id, c.claim_date FROM scores s
               JOIN latest l ON s.batch_id = l.batch_id AND s.scored_at = l.at
               JOIN claims c ON c.batch_id = s.batch_id AND c.row_number = s.row_number
               WHERE s.decision = 1
               UNION ALL SELECT client_id, claim_date FROM api_claims WHERE decision = 1)
           SELECT count(*) FROM (SELECT client_id, year(claim_date), count(*) AS n
                                 FROM validated GROUP BY 1, 2) WHERE n > {CAP}"""
    )
    assert over == 0
    assert validated == len(pool)  # each client got exactly its one automatic validation


KILLABLE = textwrap.dedent(
    """
    # The real server, with one change: the record of a batch request pauses inside its
    # transaction (after the claims are inserted, before the commit) and says so in a file.
    import sys, time
    from pathlib import Path
    import core.store.audit as audit
    real = audit.append
    def paused(cur, actor, action, *args, **kwargs):
        row = real(cur, actor, action, *args, **kwargs)
        if action == "api.predict":
            Path(sys.argv[1]).write_text("inside the transaction")
            time.sleep(120)
        return row
    audit.append = paused
    from core.cli.main import main
    sys.exit(main(["serve", *sys.argv[2:]]))
    """
)


@pytest.mark.slow
def test_kill_9_during_a_batch_request_leaves_no_partial_record(tmp_path, tiny_model):
    srv = _prepared(tmp_path, tiny_model, None)
    marker = tmp_path / "inside.txt"
    srv.start([sys.executable, "-c", KILLABLE, str(marker)])
    claims = [_claim(i, client=f"{8_000_000 + i:07d}") for i in range(1, 301)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        request = pool.submit(
            lambda: httpx.post(
                f"{srv.url}/predict/batch", json={"claims": claims}, headers=srv.auth, timeout=60
            )
        )
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, "the batch request never reached its transaction"
            time.sleep(0.05)
        srv.proc.send_signal(signal.SIGKILL)  # kill -9 in the middle of the transaction
        srv.proc.wait(10)
        with pytest.raises(httpx.HTTPError):
            request.result()
    assert srv.count("SELECT count(*) FROM api_claims WHERE claim_id LIKE 'E2E-%'") == 0
    assert srv.count("SELECT count(*) FROM audit_log WHERE action = 'api.predict'") == 0
    verify = srv.cli("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    srv.start()  # the real server, restarted on the same data folder
    again = httpx.post(f"{srv.url}/predict/batch", json={"claims": claims}, headers=srv.auth)
    srv.stop()
    assert again.status_code == 200, again.text
    assert srv.count("SELECT count(*) FROM api_claims") == len(claims)
    assert srv.cli("audit", "verify").returncode == 0
