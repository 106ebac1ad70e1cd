"""The scoring API as a real server (``python -m core serve``), against the core called directly.

Lines printed (one JSON object each):

* ``api_equals_batch`` — the demo batch (``data/demo/batch_nouvelles.xlsx``) scored by batch
  scoring in one store and by the API, one request per claim in date order, in another store
  with the same model, published pair and history (the 2025 demo claims, scored): how many
  decisions are equal.
* ``api_predict_latency`` — latency of the first 1,000 of those sequential single-claim
  requests (HTTP keep-alive, token check, validation, history, prediction, rules, record and
  audit row each), p50 / p95 / p99, with the server's own time for each (``server_ms``: from
  its access log, the request received to the response sent), next to the same work called
  in-process (:class:`core.api.service.ScoringService`, no HTTP) in the same run, wall and
  CPU time (the machine is shared: the load average is printed before and after).
* ``api_throughput_8_clients`` — claims per second with 8 concurrent clients sending single
  claims.

The model is a quick one (8,000 synthetic 2024 claims, 3 Optuna trials, no comparison).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.config.loading import PROJECT_ROOT, load_config
from core.config.settings import Config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.model.training import train
from core.model.training_data import keyed_frame
from core.scoring.batch import score_batch
from core.store.database import Store
from core.store.gate import gate_for
from core.synth.generator import generate_claims, generate_demo
from tests.helpers import ADMIN

SEQUENTIAL, CLIENTS, CONCURRENT = 1000, 8, 400


def run() -> list[dict]:
    import httpx

    demo = _demo_dir()
    load_before = round(os.getloadavg()[0], 1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = load_config()
        model = train(
            keyed_frame(generate_claims(8000, seed=11, year=2024)[0], base.schema),
            None,
            base,
            trials=3,
            compare=False,
        ).model
        cfg_a, cfg_b = _config(base, root / "batch"), _config(base, root / "api")
        expected = _batch_scored(cfg_a, model, demo)
        _prepare(cfg_b, model, demo)
        store = Store(cfg_b.paths.database)
        token = store.create_api_token("bench", actor=ADMIN)
        gate_for(store.path).release_now()
        claims = _claims(demo / "batch_nouvelles.xlsx")
        server = _Server(cfg_b)
        try:
            auth = {"Authorization": f"Bearer {token}"}
            latencies, decisions = [], []
            with httpx.Client(base_url=server.url, headers=auth, timeout=60) as client:
                for claim in claims:
                    start = time.perf_counter()
                    response = client.post("/predict", json=claim)
                    latencies.append(time.perf_counter() - start)
                    response.raise_for_status()
                    decisions.append(response.json()["Decision_Code"])
            throughput = _throughput(server.url, auth, claims)
        finally:
            server.stop()
        served = _served_ms(cfg_b.paths.data_dir / "api.log")[: len(claims)]
        direct, cpu = _direct(cfg_b, store, claims[:SEQUENTIAL])
    equal = int((np.array(decisions) == expected).sum())
    http = np.array(latencies[:SEQUENTIAL]) * 1000
    return [
        {"bench": "api_equals_batch", "claims": len(expected), "equal_decisions": equal},
        {
            "bench": "api_predict_latency",
            "requests": len(http),
            **_percentiles("ms", http),
            **_percentiles("server_ms", np.array(served[:SEQUENTIAL])),
            **_percentiles("direct_ms", np.array(direct) * 1000),
            **_percentiles("direct_cpu_ms", np.array(cpu) * 1000),
            "cores": os.cpu_count(),
            "load_average_before": load_before,
            "load_average": round(os.getloadavg()[0], 1),
        },
        {"bench": "api_throughput_8_clients", **throughput},
    ]


def _served_ms(log: Path) -> list[float]:
    """The server's milliseconds of each ``/predict`` request, in order (its access log)."""
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if '"api.request"' in line and '"path": "/predict"' in line:
            out.append(float(json.loads(line)["ms"]))
    return out


def _percentiles(prefix: str, values: np.ndarray) -> dict[str, float]:
    return {f"{prefix}_p{q}": round(float(np.percentile(values, q)), 1) for q in (50, 95, 99)}


def _demo_dir() -> Path:
    demo = PROJECT_ROOT / "data" / "demo"
    if not (demo / "batch_nouvelles.xlsx").exists():
        generate_demo(demo, seed=42)
    return demo


def _config(base: Config, root: Path) -> Config:
    root.mkdir(parents=True)
    paths = replace(
        base.paths, data_dir=root, database=root / "workbench.duckdb", models_dir=root / "models"
    )
    return replace(base, paths=paths)


def _prepare(cfg: Config, model: Any, demo: Path) -> Store:
    """The model active with its pair, and the 2025 demo claims stored and scored."""
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    registry.register(model, actor=ADMIN, activate=True)
    history = ingest(demo / "claims_2025.xlsx", cfg, store, actor=ADMIN).batch_id
    score_batch(history, store, registry, cfg, actor=ADMIN, queue_drift=False)
    return store


def _batch_scored(cfg: Config, model: Any, demo: Path) -> np.ndarray:
    """Decisions of batch scoring, in the order the API is sent the claims (date, row)."""
    store = _prepare(cfg, model, demo)
    batch = ingest(demo / "batch_nouvelles.xlsx", cfg, store, actor=ADMIN).batch_id
    registry = Registry(cfg.paths.models_dir, store)
    frame = score_batch(batch, store, registry, cfg, actor=ADMIN, queue_drift=False).frame
    gate_for(store.path).release_now()
    ordered = frame.sort_values(["date", "row_number"], kind="stable")
    return ordered["decision"].to_numpy()


def _claims(path: Path) -> list[dict]:
    """The file's claims as JSON objects (dates as the bank writes them), in date order."""
    frame = pd.read_excel(path, dtype={"ID Réclamation": str, "ID Client": str})
    frame = frame.sort_values("Date Réclamation", kind="stable")
    out = []
    for record in frame.to_dict("records"):
        claim = {}
        for name, value in record.items():
            if isinstance(value, pd.Timestamp):
                claim[name] = value.strftime("%d/%m/%Y")
            elif not pd.isna(value):
                claim[name] = value.item() if isinstance(value, np.generic) else value
        out.append(claim)
    return out


def _throughput(url: str, auth: dict[str, str], claims: list[dict]) -> dict[str, Any]:
    import httpx

    work = [dict(c, **{"ID Réclamation": f"T-{i}"}) for i, c in enumerate(claims[:CONCURRENT])]
    shares = [work[i::CLIENTS] for i in range(CLIENTS)]

    def client(share: list[dict]) -> int:
        with httpx.Client(base_url=url, headers=auth, timeout=120) as http:
            for claim in share:
                http.post("/predict", json=claim).raise_for_status()
        return len(share)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        done = sum(pool.map(client, shares))
    seconds = time.perf_counter() - start
    return {"clients": CLIENTS, "requests": done, "seconds": round(seconds, 2),
            "claims_per_second": round(done / seconds, 1)}  # fmt: skip


def _direct(cfg: Config, store: Store, claims: list[dict]) -> tuple[list[float], list[float]]:
    """The same single-claim work without HTTP: validation, scoring, rules, record; wall
    and CPU seconds of each (the CPU time does not count waiting for a busy machine)."""
    from core.api.claims import check_claims, claim_model
    from core.api.service import ScoringService

    service = ScoringService(cfg, store)
    model = claim_model(cfg.schema)
    times, cpu = [], []
    for i, claim in enumerate(claims):
        start, started_cpu = time.perf_counter(), time.process_time()
        stamp = service.stamp(None)
        checked = check_claims(
            [model.model_validate(dict(claim, **{"ID Réclamation": f"D-{i}"}))], cfg, "fr"
        )
        service.score(
            checked, caller="bench", model_version=stamp.model_version, request_id=f"d{i}"
        )
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu


class _Server:
    def __init__(self, cfg: Config) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "WORKBENCH_DATA_DIR": str(cfg.paths.data_dir)}
        env["WORKBENCH_MODELS_DIR"] = str(cfg.paths.models_dir)
        self.log = open(cfg.paths.data_dir / "api.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "core", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self._wait()

    def _wait(self) -> None:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the API server stopped while starting")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("the API server did not answer within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
