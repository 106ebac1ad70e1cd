"""The batches part of :class:`core.store.database.Store`: batches and their claims.

Claims are stored in typed columns, one per schema role key; any other column of the
validated frame goes into one JSON object per row, ``extras``. The frame's columns and their
SQL types are recorded with the batch, so :meth:`BatchesMixin.load_claims` returns the same
columns, in the same order, with the extras expanded back.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor
from core.exceptions import StoreError
from core.store.common import STANDARD_COLUMNS, StoreAccess, _ident, _unregister, _utcnow, logger

_RESERVED = frozenset({"batch_id", "extras"})
_INTEGER_TYPES = frozenset(
    ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
)
_BATCH_COLUMNS = 'id, file_name, sha256, sheet, "rows", profile, uploaded_at, uploaded_by, status'


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    sha256: str
    sheet: str | None
    rows: int
    profile: str
    uploaded_at: datetime
    uploaded_by: str
    status: str


@dataclass(frozen=True)
class SaveResult:
    batch_id: int
    created: bool  # False: a batch with the same SHA-256 was already stored; nothing written


class BatchesMixin(StoreAccess):
    """Batch and claims methods of :class:`core.store.database.Store`."""

    def find_batch(self, sha256: str) -> BatchInfo | None:
        with self.cursor("look up the batch") as cur:
            return _find_batch(cur, sha256)

    def get_batch(self, batch_id: int) -> BatchInfo:
        with self.cursor("read the batch") as cur:
            row = cur.execute(
                f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", [batch_id]
            ).fetchone()
        if row is None:
            raise StoreError(f"Batch {batch_id} does not exist in the database.")
        return BatchInfo(*row)

    def get_report(self, batch_id: int) -> dict[str, Any]:
        """The validation report stored with the batch (``{}`` when none was given)."""
        with self.cursor("read the batch report") as cur:
            row = cur.execute("SELECT report FROM batches WHERE id = ?", [batch_id]).fetchone()
        if row is None:
            raise StoreError(f"Batch {batch_id} does not exist in the database.")
        return json.loads(row[0]) if row[0] else {}

    def list_batches(self, limit: int = 200) -> list[BatchInfo]:
        """Stored batches, newest first."""
        with self.cursor("list the batches") as cur:
            rows = cur.execute(
                f"SELECT {_BATCH_COLUMNS} FROM batches ORDER BY uploaded_at DESC, id DESC LIMIT ?",
                [limit],
            ).fetchall()
        return [BatchInfo(*row) for row in rows]

    def save_batch(
        self,
        frame: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        sheet: str | None,
        profile: str,
        actor: Actor,
        report_json: str,
    ) -> SaveResult:
        """Store the batch row, its claims (one bulk insert) and an audit entry atomically.

        A file already stored (same SHA-256) is not stored again: its id comes back with
        ``created=False``. Any failure rolls everything back and raises :class:`StoreError`.
        """
        staged = _stage(frame)
        meta = {
            "file_name": file_name,
            "sha256": sha256,
            "sheet": sheet,
            "profile": profile,
            "actor": actor,
            "report": report_json,
        }
        started = time.perf_counter()
        view = f"incoming_{uuid.uuid4().hex}"
        try:
            with self.transaction(f"save the batch {file_name!r}") as cur:
                cur.register(view, staged)
                try:
                    result = _write_batch(cur, view, len(staged), meta)
                finally:
                    _unregister(cur, view)
        except (duckdb.Error, StoreError) as exc:
            cause = exc.__cause__ or exc
            raise StoreError(
                f"The batch {file_name!r} could not be saved; nothing was written. Cause: {cause}"
            ) from exc
        outcome = "stored" if result.created else "already stored"
        elapsed = time.perf_counter() - started
        logger.info("batch %s %s (%d rows, %.3f s)", result.batch_id, outcome, len(staged), elapsed)
        return result

    def load_claims(self, batch_id: int, *, client_of: int | None = None) -> pd.DataFrame:
        """The claims of a batch, columns named by key as saved, ordered by row_number.

        ``client_of``: only the claim with this row number and its client's other claims of
        the batch (what explaining one claim reads), not the whole batch."""
        where, params = "", [batch_id]
        if client_of is not None:
            where = (
                " AND (row_number = ? OR client_id = (SELECT client_id FROM claims"
                " WHERE batch_id = ? AND row_number = ?))"
            )
            params += [client_of, batch_id, client_of]
        with self.cursor("load the claims") as cur:
            row = cur.execute(
                "SELECT frame_columns FROM batches WHERE id = ?", [batch_id]
            ).fetchone()
            if row is None:
                raise StoreError(f"Batch {batch_id} does not exist in the database.")
            columns: dict[str, str] = json.loads(row[0])
            claims = cur.execute(_load_sql(columns, where), params).df()
        if "label" in claims.columns:  # nullable whether or not this batch has NULL labels
            claims["label"] = claims["label"].astype("Int8")
        return claims


def _find_batch(cur: duckdb.DuckDBPyConnection, sha256: str) -> BatchInfo | None:
    sql = f"SELECT {_BATCH_COLUMNS} FROM batches WHERE sha256 = ?"
    rows = cur.execute(sql, [sha256]).fetchall()
    return BatchInfo(*rows[0]) if rows else None


def _write_batch(
    cur: duckdb.DuckDBPyConnection, view: str, rows: int, meta: dict[str, Any]
) -> SaveResult:
    """Inside the caller's transaction: the batch row, its claims, the audit row."""
    existing = _find_batch(cur, meta["sha256"])
    if existing is not None:
        return SaveResult(existing.id, created=False)
    columns = _frame_columns(cur, view)
    actor: Actor = meta["actor"]
    row = cur.execute(
        """INSERT INTO batches (file_name, sha256, sheet, "rows", profile, uploaded_at,
               uploaded_by, status, report, frame_columns)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?) RETURNING id""",
        [
            *(meta[k] for k in ("file_name", "sha256", "sheet")),
            rows,
            meta["profile"],
            _utcnow(),
            actor.id,
            meta["report"],
            json.dumps(columns, ensure_ascii=False),
        ],
    ).fetchone()
    batch_id = int(row[0])
    _insert_claims(cur, view, batch_id, list(columns))
    detail = {k: meta[k] for k in ("file_name", "sha256", "sheet", "profile")}
    audit.append(cur, actor, "batch.saved", {"batch_id": batch_id, "rows": rows, **detail})
    return SaveResult(batch_id, created=True)


def _stage(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as registered for the insert: string column names, a row_number column."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise StoreError("The batch has two columns with the same name; it cannot be stored.")
    reserved = _RESERVED.intersection(names)
    if reserved:
        raise StoreError(
            f"The batch has a column named {sorted(reserved)[0]!r}, which is reserved."
        )
    staged = frame if names == list(frame.columns) else frame.set_axis(names, axis=1)
    if "row_number" not in staged.columns:
        staged = staged.assign(row_number=np.arange(1, len(staged) + 1, dtype=np.int32))
    return staged


def _frame_columns(cur: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """{key: SQL type} of the staged frame, in order; extras get a type to restore them."""
    described = cur.execute(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall()
    return {
        key: STANDARD_COLUMNS[key][1] if key in STANDARD_COLUMNS else _extra_type(duck_type)
        for key, duck_type in described
    }


def _extra_type(duck_type: str) -> str:
    """The type an extra column is restored to when loaded back from its JSON."""
    upper = duck_type.upper()
    if upper in _INTEGER_TYPES:
        return "BIGINT"
    if upper in ("FLOAT", "DOUBLE") or upper.startswith("DECIMAL"):
        return "DOUBLE"
    if upper in ("BOOLEAN", "DATE"):
        return upper
    if upper in ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"):
        return "TIMESTAMP"
    if upper.endswith("]") or upper.startswith(("STRUCT", "MAP")):
        return "JSON"
    return "VARCHAR"  # VARCHAR, ENUM (pandas categorical), "NULL" (all missing), TIMESTAMPTZ


def _insert_claims(
    cur: duckdb.DuckDBPyConnection, view: str, batch_id: int, keys: list[str]
) -> None:
    targets, exprs = ["batch_id"], ["?"]
    for key in keys:
        if key in STANDARD_COLUMNS:
            column, sql_type = STANDARD_COLUMNS[key]
            expr = f"CAST(src.{_ident(key)} AS {sql_type})"
            targets.append(column)
            exprs.append(f"coalesce({expr}, FALSE)" if key == "label_excluded" else expr)
    extras = [k for k in keys if k not in STANDARD_COLUMNS]
    if extras:
        fields = ", ".join(f"{_ident(k)} := src.{_ident(k)}" for k in extras)
        targets.append("extras")
        exprs.append(f"to_json(struct_pack({fields}))")
    cur.execute(
        f"INSERT INTO claims ({', '.join(targets)}) SELECT {', '.join(exprs)} FROM {view} AS src",
        [batch_id],
    )


def _load_sql(columns: dict[str, str], where: str = "") -> str:
    extras = {k: t for k, t in columns.items() if k not in STANDARD_COLUMNS}
    select = []
    for key in columns:
        source = STANDARD_COLUMNS[key][0] if key in STANDARD_COLUMNS else f"x.{_ident(key)}"
        select.append(f"{source} AS {_ident(key)}")
    parsed = f"json_transform(extras, {_literal(json.dumps(extras))})" if extras else "NULL"
    return (
        f"SELECT {', '.join(select)} FROM "
        f"(SELECT *, {parsed} AS x FROM claims WHERE batch_id = ?{where}) ORDER BY row_number"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
