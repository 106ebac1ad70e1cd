"""The audit trail: one append-only, hash-chained row per action that changes state.

Each row says who (identity and role), when, what (action and detail), before -> after and
why (the reason a person gave). Its ``row_hash`` is the SHA-256 of the previous row's hash
and of its own content, so rewriting or deleting a row breaks every hash after it.
The head of the chain (last id and hash) and the SHA-256 of every registered model are also
written outside the database, in the *anchor* file (``<database>.anchor.json`` unless
configured elsewhere), after each committed change: deleting the last rows, rewriting the
whole chain, or swapping a model together with its recorded hash is detected by comparing
the two (:func:`verify_chain`, ``python -m core audit verify``).

Rows are appended only inside the store's write transactions, which are serialised across
threads and processes, so each row reads the true previous hash.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from core.config.identity import Actor
from core.store.common import _utcnow

GENESIS = "0" * 64
ANCHOR_FORMAT = 1
_COLUMNS = "id, logged_at, actor, actor_role, action, detail, before, after, reason, prev_hash"
# The last row's hash (NULL when the chain is empty or the row has none). One aggregate: on
# DuckDB, half the cost of ``ORDER BY id DESC LIMIT 1``, which it runs as a self-join.
_LAST_HASH = "arg_max_null(row_hash, id)"
_HEAD_HASH = f"SELECT {_LAST_HASH} FROM audit_log"


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    id: int
    logged_at: datetime
    actor: str
    role: str
    action: str
    detail: dict[str, Any]
    before: Any
    after: Any
    reason: str
    prev_hash: str
    row_hash: str


@dataclass(frozen=True)
class AuditProblem:
    """Where the trail is broken: the row (None when the chain's end or a model) and why."""

    row_id: int | None
    message: str


@dataclass(frozen=True)
class ChainCheck:
    """The result of walking the chain and comparing it with the anchor."""

    rows: int
    head_id: int | None
    head_hash: str
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def to_json(value: Any) -> str | None:
    """Canonical JSON (sorted keys, no spaces): what is stored and hashed."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_hash(prev_hash: str, fields: tuple[Any, ...]) -> str:
    """SHA-256 of the previous hash and the row's stored fields (as stored, in order)."""
    payload = json.dumps([prev_hash, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(row: tuple) -> tuple[Any, ...]:
    """The hashed fields of a row read with ``_COLUMNS`` (prev_hash excluded)."""
    row_id, logged_at, actor, role, action, detail, before, after, reason, _prev = row
    stamp = logged_at.isoformat(timespec="microseconds")
    return (int(row_id), stamp, actor, role, action, detail, before, after, reason or "")


def append(
    cur: duckdb.DuckDBPyConnection,
    actor: Actor,
    action: str,
    detail: Mapping[str, Any] | None = None,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> int:
    """Append one row to the chain (call inside a write transaction); return its id."""
    prev, row_id = cur.execute(f"SELECT ({_HEAD_HASH}), {NEXT_ID}").fetchone()
    fields = (actor, action, detail, before, after, reason)
    return _insert(cur, prev or GENESIS, int(row_id), *fields)[0]


NEXT_ID = "nextval('audit_log_id_seq')"  # the next row's id (the chain's sequence)


def append_after(
    cur: duckdb.DuckDBPyConnection,
    prev_hash: str,
    row_id: int,
    actor: Actor,
    action: str,
    detail: Mapping[str, Any] | None = None,
    *,
    before: Any = None,
    after: Any = None,
) -> tuple[int, str]:
    """:func:`append` when the chain's head hash is already known — read in the same
    serialised unit, so no row can have been appended since — and the row's id was drawn
    from :data:`NEXT_ID` in the same transaction; return the new head (id, hash)."""
    return _insert(cur, prev_hash, int(row_id), actor, action, detail, before, after, "")


def _insert(
    cur: duckdb.DuckDBPyConnection,
    prev: str,
    row_id: int,
    actor: Actor,
    action: str,
    detail: Mapping[str, Any] | None,
    before: Any,
    after: Any,
    reason: str,
) -> tuple[int, str]:
    row = (
        row_id,
        _utcnow(),
        actor.id,
        actor.role,
        action,
        to_json(dict(detail or {})),
        to_json(before),
        to_json(after),
        reason.strip(),
        prev,
    )
    digest = row_hash(prev, _fields(row))
    cur.execute(
        f"INSERT INTO audit_log ({_COLUMNS}, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*row, digest],
    )
    return row_id, digest


def entries(
    cur: duckdb.DuckDBPyConnection,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """Rows of the trail, newest first, filtered by actor id, action prefix and date."""
    where, params = [], []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("starts_with(action, ?)")
        params.append(action)
    if since is not None:
        where.append("logged_at >= ?")
        params.append(since)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = cur.execute(
        f"SELECT {_COLUMNS}, row_hash FROM audit_log {clause} ORDER BY id DESC LIMIT ?",
        [*params, int(limit)],
    ).fetchall()
    return [_entry(row) for row in rows]


def _entry(row: tuple) -> AuditEntry:
    row_id, logged_at, actor, role, action, detail, before, after, reason, prev, digest = row
    return AuditEntry(
        int(row_id),
        logged_at,
        actor,
        role or "",
        action,
        json.loads(detail) if detail else {},
        json.loads(before) if before else None,
        json.loads(after) if after else None,
        reason or "",
        prev or "",
        digest or "",
    )


# --------------------------------------------------------------------------- the anchor


def head(cur: duckdb.DuckDBPyConnection) -> tuple[int | None, str]:
    """(id, hash) of the last row of the chain ((None, GENESIS) when empty)."""
    row_id, digest = cur.execute(f"SELECT max(id), {_LAST_HASH} FROM audit_log").fetchone()
    return (None, GENESIS) if row_id is None else (int(row_id), digest)


@dataclass(frozen=True)
class AnchorState:
    """What the anchor file records: the chain's head and every registered model's hash."""

    head_id: int | None
    head_hash: str
    models: dict[str, str]


def anchor_state(cur: duckdb.DuckDBPyConnection) -> AnchorState:
    """The chain's head and the models' hashes, in one read."""
    row_id, digest, models = cur.execute(
        f"SELECT max(id), {_LAST_HASH}, (SELECT list([version, sha256]) FROM model_versions) "
        "FROM audit_log"
    ).fetchone()
    if row_id is None:
        return AnchorState(None, GENESIS, dict(models or []))
    return AnchorState(int(row_id), digest, dict(models or []))


def write_anchor(
    cur: duckdb.DuckDBPyConnection, path: Path, state: AnchorState | None = None
) -> None:
    """Write the chain's head and the models' hashes outside the database; ``state``: as
    :func:`anchor_state` reads it now, when the caller already knows it.

    The anchor is written over the previous one in place, in one ``pwrite`` (a few hundred
    bytes, about a hundred more per model), padded with spaces to the previous length (JSON
    allows them after the object).
    Writing a new file and renaming it over the anchor cost about a millisecond, four at the
    95th percentile: on ext4 that rename first flushes the new file's data to disk
    (``auto_da_alloc``), once per scored claim for the API. What it guarded against does
    not arise here: writers are serialised (the end of a write transaction, which holds the
    database across processes); a write of a page or so is not left half done by a process
    that dies; and a reader that reads while the one write runs reads again
    (:func:`read_anchor`). Neither way syncs the file to disk: after a power cut the anchor
    may lag the database (whose commits are synced), which `audit verify` reports.
    """
    state = state or anchor_state(cur)
    anchor = {
        "format": ANCHOR_FORMAT,
        "head_id": state.head_id,
        "head_hash": state.head_hash,
        "models": dict(sorted(state.models.items())),
        "written_at": _utcnow().isoformat(timespec="seconds"),
    }
    data = json.dumps(anchor, indent=1, sort_keys=True).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        padded = data.ljust(os.fstat(fd).st_size, b" ")
        if os.pwrite(fd, padded, 0) != len(padded):
            raise OSError(errno.EIO, "short write", str(path))
    finally:
        os.close(fd)


_READ_AGAIN = (0.002, 0.01, 0.05)  # seconds before each new read of an anchor read half written


def read_anchor(path: Path) -> dict[str, Any] | None:
    """The anchor, or None when it does not exist (a store never written to). An anchor
    read while it was being written (not JSON yet) is read again, briefly."""
    for pause in (*_READ_AGAIN, None):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            if pause is None:
                return {"error": f"unreadable anchor {path}: {exc}"}
            time.sleep(pause)
            continue
        return data if isinstance(data, dict) else {"error": f"unreadable anchor {path}"}
    return None  # not reached: the last pass returns


# --------------------------------------------------------------------------- verification


def _walk(cur: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    result = cur.execute(f"SELECT {_COLUMNS}, row_hash FROM audit_log ORDER BY id")
    while batch := result.fetchmany(10_000):
        yield from batch


def verify_chain(cur: duckdb.DuckDBPyConnection, anchor_path: Path) -> ChainCheck:
    """Recompute every row's hash, follow the links, and compare the end with the anchor."""
    problems: list[AuditProblem] = []
    prev, last_id, n = GENESIS, None, 0
    for row in _walk(cur):
        n += 1
        row_id, stored = int(row[0]), row[-1]
        if row[-2] != prev:
            after = f"row {last_id}" if last_id is not None else "the start of the chain"
            problems.append(
                AuditProblem(
                    row_id,
                    f"row {row_id} does not follow {after}: a row before it was deleted or its "
                    "link rewritten",
                )
            )
        if row_hash(row[-2] or GENESIS, _fields(row[:-1])) != stored:
            rewritten = f"row {row_id} was rewritten: its content no longer matches its hash"
            problems.append(AuditProblem(row_id, rewritten))
        prev, last_id = stored, row_id
    anchor = read_anchor(anchor_path)
    problems += _compare_anchor(anchor, anchor_path, last_id, prev)
    return ChainCheck(n, last_id, prev, tuple(problems))


def _compare_anchor(
    anchor: dict[str, Any] | None, path: Path, last_id: int | None, last_hash: str
) -> list[AuditProblem]:
    if anchor is None:
        if last_id is None:
            return []
        return [AuditProblem(None, f"the anchor file {path} is missing")]
    if "error" in anchor:
        return [AuditProblem(None, str(anchor["error"]))]
    head_id, head_hash = anchor.get("head_id"), anchor.get("head_hash")
    if head_id == last_id and head_hash == last_hash:
        return []
    if last_id is None or (head_id is not None and head_id > last_id):
        return [
            AuditProblem(
                head_id,
                f"rows up to {head_id} were recorded but the chain ends at {last_id}: "
                "the last rows were deleted",
            )
        ]
    return [
        AuditProblem(
            head_id,
            f"the chain does not end as the anchor recorded (row {head_id}, hash "
            f"{str(head_hash)[:12]}…; found row {last_id}, {last_hash[:12]}…): rows were "
            "rewritten or added outside the workbench",
        )
    ]
