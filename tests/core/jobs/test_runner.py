"""core.jobs: the drift job queued with each scoring is run by a runner, whatever happens."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.config.loading import load_config
from core.drift.storage import load_drift_reports
from core.ingest.pipeline import ingest
from core.jobs.runner import JobRunner, run_pending
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.store.jobs import DONE, FAILED, PENDING, RUNNING
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, AUDITOR, held_turn, train_tiny_model


@pytest.fixture(scope="module")
def tiny_model():
    return train_tiny_model(load_config(), n=1500)[0]


@pytest.fixture
def env(cfg, tiny_model):
    store = Store(cfg.paths.database)
    registry = Registry(cfg.paths.models_dir, store)
    registry.register(tiny_model, actor=ADMIN, activate=True)
    return cfg, store, registry


def _scored(cfg, store, registry, tmp_path: Path, n: int = 300, name: str = "lot") -> int:
    raw, _ = generate_claims(n, seed=n, year=2025, labelled=False)
    path = tmp_path / f"{name}.xlsx"
    write_claims_xlsx(raw, path)
    batch = ingest(path, cfg, store, actor=AUDITOR).batch_id
    result = score_batch(batch, store, registry, cfg, actor=AUDITOR)
    assert len(result.job_ids) == 1
    return batch


def test_scoring_queues_the_drift_job_in_its_transaction_and_a_run_stores_the_report(env, tmp_path):
    cfg, store, registry = env
    batch = _scored(cfg, store, registry, tmp_path)
    [job] = store.jobs()
    assert (job.kind, job.status, job.payload["batch_id"]) == ("drift", PENDING, batch)
    assert job.created_by == AUDITOR.id  # it runs on behalf of who scored
    [outcome] = run_pending(store, registry, cfg)
    assert outcome.ok, outcome.message
    assert store.jobs()[0].status == DONE
    [report] = load_drift_reports(store, batch, include_snapshot=False)
    assert report.reference.startswith("model:")
    with store.cursor() as cur:
        actor = cur.execute(
            "SELECT actor FROM audit_log WHERE action = 'drift.computed'"
        ).fetchall()
    assert actor == [(AUDITOR.id,)]


def test_a_job_that_cannot_succeed_fails_once_and_says_why(env, tmp_path):
    cfg, store, registry = env
    _scored(cfg, store, registry, tmp_path, n=12)  # below drift.min_rows
    [outcome] = run_pending(store, registry, cfg)
    assert not outcome.ok and "30" in outcome.message
    [job] = store.jobs()
    assert job.status == FAILED and job.attempts == 1 and job.error


def test_a_job_left_running_by_a_dead_process_runs_again(env, tmp_path):
    cfg, store, registry = env
    _scored(cfg, store, registry, tmp_path)
    with store.transaction("simulate a crash") as cur:  # claimed by a process that died
        cur.execute("UPDATE jobs SET status = 'running', worker = 'vm-x:999999'")
    [job] = store.jobs()
    assert job.status == RUNNING
    import socket

    with store.transaction("same host") as cur:
        cur.execute("UPDATE jobs SET worker = ?", [f"{socket.gethostname()}:999999"])
    assert store.requeue_abandoned() == 1
    assert store.jobs()[0].status == PENDING
    assert run_pending(store, registry, cfg)[0].ok


def test_the_runner_thread_runs_what_was_queued_while_it_was_away(env, tmp_path):
    cfg, store, registry = env
    batches = [_scored(cfg, store, registry, tmp_path, 300 + i, f"lot{i}") for i in range(2)]
    runner = JobRunner(store, registry, cfg, poll_seconds=0.2).start()  # "after a restart"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(j.status != DONE for j in store.jobs()):
            time.sleep(0.2)
    finally:
        runner.stop()
    assert [j.status for j in store.jobs()] == [DONE, DONE]
    for batch in batches:
        assert len(load_drift_reports(store, batch, include_snapshot=False)) == 1


def test_the_runner_holds_a_job_back_while_an_upload_has_its_turn(env, tmp_path):
    from core.jobs.turns import Turns

    cfg, store, registry = env
    _scored(cfg, store, registry, tmp_path)
    turns = Turns(quiet_seconds=0.1)
    runner = JobRunner(store, registry, cfg, poll_seconds=0.1, turns=turns, max_delay=60)
    try:
        with held_turn(turns):
            runner.start()
            time.sleep(1.0)
            assert [j.status for j in store.jobs()] == [PENDING]  # held back by the upload
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and store.jobs()[0].status != DONE:
            time.sleep(0.1)
    finally:
        runner.stop()
    assert store.jobs()[0].status == DONE
