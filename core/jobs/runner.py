"""Run queued jobs: one at a time per process, in a thread of the server or on the CLI."""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.config.settings import Config
from core.drift.service import MODEL, drift_report
from core.exceptions import WorkbenchError
from core.jobs.turns import INTERACTIVE, Turns
from core.model.registry import Registry
from core.scoring.batch import DRIFT_JOB
from core.store.database import Store
from core.store.jobs import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Store, Registry, Config, Job], str]


def _drift(store: Store, registry: Registry, cfg: Config, job: Job) -> str:
    """The drift report of a scored batch against the model that scored it."""
    batch_id = int(job.payload["batch_id"])
    report = drift_report(
        store,
        registry,
        cfg,
        batch_id,
        against=MODEL,
        version=job.payload.get("version"),
        actor=job.actor,
    )
    return f"batch {batch_id}: drift {report.alert_level} (report {report.report_id})"


HANDLERS: Mapping[str, Handler] = {DRIFT_JOB: _drift}


@dataclass(frozen=True)
class JobOutcome:
    job_id: int
    kind: str
    ok: bool
    message: str


def run_job(store: Store, registry: Registry, cfg: Config, job: Job) -> JobOutcome:
    """Run one claimed job and record how it ended; never raises for the job's own failure.

    A WorkbenchError (too few rows, no reference sample, ...) would fail again: the job is
    marked failed at once. Anything else is retried by a later run, up to the attempt limit.
    """
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise WorkbenchError(f"unknown job kind {job.kind!r}")
        message = handler(store, registry, cfg, job)
    except WorkbenchError as exc:
        store.finish_job(job.id, error=str(exc), permanent=True)
        logger.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
        return JobOutcome(job.id, job.kind, False, str(exc))
    except Exception as exc:  # retried: a bug or a passing condition must not lose the job
        store.finish_job(job.id, error=f"{type(exc).__name__}: {exc}")
        logger.exception("job %s (%s) failed; it will be retried", job.id, job.kind)
        return JobOutcome(job.id, job.kind, False, f"{type(exc).__name__}: {exc}")
    store.finish_job(job.id)
    logger.info("job %s (%s) done: %s", job.id, job.kind, message)
    return JobOutcome(job.id, job.kind, True, message)


def run_pending(
    store: Store,
    registry: Registry,
    cfg: Config,
    *,
    job_ids: tuple[int, ...] | None = None,
    limit: int | None = None,
) -> list[JobOutcome]:
    """Run pending jobs (only ``job_ids`` when given) until none is left or ``limit``."""
    outcomes: list[JobOutcome] = []
    while limit is None or len(outcomes) < limit:
        job = store.claim_job(tuple(HANDLERS), job_ids=job_ids)
        if job is None:
            break
        outcomes.append(run_job(store, registry, cfg, job))
    return outcomes


_RUNNERS: weakref.WeakSet[JobRunner] = weakref.WeakSet()  # started in this process


def stop_runners(timeout: float = 5.0) -> None:
    """Stop every runner of this process (at exit, and between tests)."""
    for runner in list(_RUNNERS):
        runner.stop(timeout)


atexit.register(stop_runners)


class JobRunner:
    """A daemon thread that runs pending jobs for a server process.

    At start it requeues the jobs left running by processes that died; then it polls for
    pending jobs every ``poll_seconds`` (at once after a job, in case more are waiting).
    ``wake()`` makes it look now (called right after an action queued a job). Before each
    job it lets interactive work go first (:mod:`core.jobs.turns`): while uploads are being
    ingested and scored in this process, a job waits, ``max_delay`` seconds at most.
    """

    def __init__(
        self,
        store: Store,
        registry: Registry,
        cfg: Config,
        *,
        poll_seconds: float = 2.0,
        turns: Turns = INTERACTIVE,
        max_delay: float = 30.0,
    ) -> None:
        self.store, self.registry, self.cfg = store, registry, cfg
        self.poll_seconds = poll_seconds
        self.turns, self.max_delay = turns, max_delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="workbench-jobs", daemon=True)
        self.done = 0

    def start(self) -> JobRunner:
        self._thread.start()
        _RUNNERS.add(self)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        try:
            requeued = self.store.requeue_abandoned()
            if requeued:
                logger.info("%d job(s) left by a stopped process will run again", requeued)
        except WorkbenchError as exc:
            logger.warning("could not requeue abandoned jobs: %s", exc)
        while not self._stop.is_set():
            self.turns.wait_until_quiet(self.max_delay, self._stop)
            if self._stop.is_set():
                break
            try:
                ran = run_pending(self.store, self.registry, self.cfg, limit=1)
            except WorkbenchError as exc:  # the database was busy: try again later
                logger.warning("jobs: %s", exc)
                ran = []
            except Exception:  # keep the thread alive whatever happens
                logger.exception("jobs: unexpected error")
                ran = []
            self.done += len(ran)
            if not ran:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
            time.sleep(0)
