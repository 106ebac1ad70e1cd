"""The yearly cap of automatic validations holds when auditors score at the same time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.config.loading import PROJECT_ROOT, load_config
from core.config.settings import Config
from core.ingest.pipeline import ingest
from core.model.registry import InitialPair, Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR, train_tiny_model

N_BATCHES, N_CLIENTS, CAP = 8, 40, 1


@pytest.fixture(scope="module")
def tiny_model():
    return train_tiny_model(load_config())[0]


def _batches(folder: Path, seed: int) -> list[Path]:
    """8 batch files whose claims share 40 clients (each client in several batches)."""
    rng = np.random.default_rng(seed)
    pool = [f"{9_000_000 + i:07d}" for i in range(N_CLIENTS)]
    paths = []
    for i in range(N_BATCHES):
        frame, _ = generate_claims(60, seed=seed * 100 + i, year=2025, labelled=False)
        frame["ID Réclamation"] = [f"R{seed}-{i}-{k}" for k in range(len(frame))]
        frame["ID Client"] = rng.choice(pool, size=len(frame))
        frame["PNB analytique (vision commerciale) cumulé"] = 1e9  # only the cap can apply
        path = folder / f"lot_{i}.xlsx"
        write_claims_xlsx(frame, path)
        paths.append(path)
    return paths


def _prepare(cfg: Config, model) -> None:
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        pair = InitialPair(0.0, 0.0, "manual", "tout valider : test du plafond")  # all validated
        registry.register(model, actor=ADMIN, activate=True, initial_pair=pair)


def _over_the_cap(cfg: Config) -> int:
    """Clients with more automatic validations in a year than the cap, across all batches."""
    with Store(cfg.paths.database) as store, store.cursor() as cur:
        return cur.execute(
            """WITH latest AS (SELECT batch_id, max(scored_at) AS at FROM scores GROUP BY 1)
               SELECT count(*) FROM (
                   SELECT c.client_id, year(c.claim_date), count(*) AS n FROM scores s
                   JOIN latest l ON s.batch_id = l.batch_id AND s.scored_at = l.at
                   JOIN claims c ON c.batch_id = s.batch_id AND c.row_number = s.row_number
                   WHERE s.decision = 1 GROUP BY 1, 2) WHERE n > ?""",
            [CAP],
        ).fetchall()[0][0]


def _config(root: Path) -> Config:
    base = load_config()
    paths = replace(base.paths, database=root / "workbench.duckdb", models_dir=root / "models")
    return replace(base, paths=paths)


@pytest.mark.slow
def test_eight_auditors_scoring_at_once_never_exceed_the_yearly_cap(tmp_path, tiny_model):
    violations, validated = [], []
    for run in range(10):
        root = tmp_path / f"run{run}"
        root.mkdir()
        cfg = _config(root)
        _prepare(cfg, tiny_model)
        files = _batches(root, seed=run)
        store = Store(cfg.paths.database)
        registry = Registry(cfg.paths.models_dir, store)

        def upload_and_score(path: Path, store=store, registry=registry, cfg=cfg) -> int:
            batch = ingest(path, cfg, store, actor=AUDITOR).batch_id
            result = score_batch(batch, store, registry, cfg, actor=AUDITOR, queue_drift=False)
            return result.counts[1]

        with ThreadPoolExecutor(max_workers=N_BATCHES) as pool:
            validated.append(sum(pool.map(upload_and_score, files)))
        violations.append(_over_the_cap(cfg))
    assert violations == [0] * 10
    assert all(n > 0 for n in validated)  # the cap was exercised: validations did happen


SCORER = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from pathlib import Path
    from core.config.loading import load_config
    from core.config.identity import Actor
    from core.ingest.pipeline import ingest
    from core.model.registry import Registry
    from core.scoring.batch import score_batch
    from core.store.database import Store
    root = Path(sys.argv[1])
    base = load_config()
    paths = replace(base.paths, database=root / "workbench.duckdb", models_dir=root / "models")
    cfg = replace(base, paths=paths)
    actor = Actor(f"auditeur{sys.argv[2]}@banque.test", "A", "auditor")
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    for name in sys.argv[3:]:
        batch = ingest(root / name, cfg, store, actor=actor).batch_id
        score_batch(batch, store, registry, cfg, actor=actor, queue_drift=False)
    """
)


@pytest.mark.slow
def test_four_processes_scoring_at_once_never_exceed_the_yearly_cap(tmp_path, tiny_model):
    cfg = _config(tmp_path)
    _prepare(cfg, tiny_model)
    names = [p.name for p in _batches(tmp_path, seed=99)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCORER, str(tmp_path), str(i), *names[2 * i : 2 * i + 2]],
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    errors = [p.stderr.read() for p in procs]
    assert [p.wait(300) for p in procs] == [0] * 4, errors
    with Store(cfg.paths.database) as store:
        assert len(store.list_batches()) == N_BATCHES
    assert _over_the_cap(cfg) == 0
