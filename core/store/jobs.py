"""Durable background work: the ``jobs`` table.

Work started after an action (the drift report of a scored batch, ...) is a row written in
the same transaction as the action, so it cannot be lost: a server process runs pending jobs
(:mod:`core.jobs`), a page left early or a closed tab changes nothing, and after a restart the
jobs still pending — or left running by a process that died — are run again.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from core.config.identity import Actor
from core.store.common import StoreAccess, _utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MAX_ATTEMPTS = 3
_COLUMNS = (
    "id, kind, payload, status, created_at, created_by, created_role, started_at, finished_at, "
    "worker, attempts, error"
)


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    status: str
    created_at: datetime
    created_by: str
    created_role: str
    started_at: datetime | None
    finished_at: datetime | None
    worker: str | None
    attempts: int
    error: str | None

    @property
    def actor(self) -> Actor:
        """Who queued the job: it runs on their behalf."""
        return Actor(self.created_by, self.created_by, self.created_role, via="job")


def worker_name() -> str:
    """This process, as recorded on the jobs it runs: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue_job(
    cur: duckdb.DuckDBPyConnection, kind: str, payload: Mapping[str, Any], actor: Actor
) -> int:
    """Inside the caller's transaction: queue one job; return its id."""
    row = cur.execute(
        "INSERT INTO jobs (kind, payload, status, created_at, created_by, created_role) "
        "VALUES (?, ?, 'pending', ?, ?, ?) RETURNING id",
        [kind, json.dumps(dict(payload), sort_keys=True), _utcnow(), actor.id, actor.role],
    ).fetchone()
    return int(row[0])


class JobsMixin(StoreAccess):
    """Job methods of :class:`core.store.database.Store`."""

    def enqueue(self, kind: str, payload: Mapping[str, Any], actor: Actor) -> int:
        with self.transaction(f"queue a {kind} job") as cur:
            return enqueue_job(cur, kind, payload, actor)

    def claim_job(
        self,
        kinds: tuple[str, ...],
        *,
        job_ids: tuple[int, ...] | None = None,
        worker: str | None = None,
    ) -> Job | None:
        """Take the oldest pending job of these kinds (among ``job_ids`` when given) for this
        worker; None when there is none."""
        worker = worker or worker_name()
        only = "" if job_ids is None else " AND list_contains(?, id)"
        params: list[Any] = [list(kinds)] + ([] if job_ids is None else [list(job_ids)])
        with self.transaction("claim a job") as cur:
            row = cur.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE status = 'pending' AND list_contains(?, kind)"
                f"{only} ORDER BY id LIMIT 1",
                params,
            ).fetchone()
            if row is None:
                return None
            cur.execute(
                "UPDATE jobs SET status = 'running', started_at = ?, worker = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                [_utcnow(), worker, row[0]],
            )
            return self._job(cur, int(row[0]))

    def finish_job(self, job_id: int, *, error: str | None = None, permanent: bool = False) -> None:
        """Mark a job done; after an error, failed when ``permanent`` or out of attempts,
        else pending again (retried by a later run)."""
        with self.transaction("finish a job") as cur:
            attempts = cur.execute("SELECT attempts FROM jobs WHERE id = ?", [job_id]).fetchone()
            if error is None:
                status = DONE
            elif permanent or (attempts and attempts[0] >= MAX_ATTEMPTS):
                status = FAILED
            else:
                status = PENDING
            cur.execute(
                "UPDATE jobs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                [status, _utcnow(), error, job_id],
            )

    def requeue_abandoned(self, *, stale_after: timedelta = timedelta(minutes=30)) -> int:
        """Jobs left running by a process of this host that is gone (or running for longer
        than ``stale_after``) become pending again; return how many."""
        host = socket.gethostname()
        with self.transaction("requeue abandoned jobs") as cur:
            running = cur.execute(
                "SELECT id, worker, started_at FROM jobs WHERE status = 'running'"
            ).fetchall()
            stale = [
                job_id
                for job_id, worker, started in running
                if _abandoned(worker, started, host, stale_after)
            ]
            if stale:
                cur.execute(
                    "UPDATE jobs SET status = 'pending', worker = NULL WHERE list_contains(?, id)",
                    [stale],
                )
        return len(stale)

    def jobs(self, *, status: str | None = None, limit: int = 200) -> list[Job]:
        """Jobs, newest first (of one status when given)."""
        where = "" if status is None else "WHERE status = ?"
        params: list[Any] = [] if status is None else [status]
        with self.cursor("read the jobs") as cur:
            rows = cur.execute(
                f"SELECT {_COLUMNS} FROM jobs {where} ORDER BY id DESC LIMIT ?", [*params, limit]
            ).fetchall()
        return [_job_from(row) for row in rows]

    def _job(self, cur: duckdb.DuckDBPyConnection, job_id: int) -> Job:
        row = cur.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id]).fetchone()
        return _job_from(row)


def _job_from(row: tuple) -> Job:
    job_id, kind, payload, *rest = row
    return Job(int(job_id), kind, json.loads(payload), *rest)


def _abandoned(worker: str | None, started: datetime | None, host: str, stale: timedelta) -> bool:
    if started is not None and _utcnow() - started > stale:
        return True
    if not worker or ":" not in worker:
        return True
    worker_host, _, pid = worker.rpartition(":")
    if worker_host != host or not pid.isdigit():
        return False  # another machine's process: only the age tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
