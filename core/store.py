"""The DuckDB store: one database file holding batches, claims, scores, reviews and the log.

Concurrency model: DuckDB allows ONE writer process per database file. The app runs in one
process and opens one :class:`Store` (one DuckDB connection), shared by every Streamlit
session and thread; each method works on its own ``cursor()`` (a cursor is a connection of
its own to the same database, with its own transaction), so threads never share one.
A second process may open the file only with ``read_only=True`` while nobody writes.

Claims are stored in typed columns, one per schema role key (``id`` -> ``claim_id``,
``date`` -> ``claim_date``, the rest under their key); any other column of the validated
frame (profile-specific extras) goes into one JSON object per row, ``extras``. The frame's
columns and their SQL types are recorded with the batch, so :meth:`Store.load_claims`
returns the same columns, in the same order, with the extras expanded back.
Timestamps are naive UTC. The schema is created and upgraded by :mod:`core.migrations`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from core.config import Config, ThresholdsConfig
from core.exceptions import InvalidThresholdsError, StoreError
from core.migrations import applied_version, check_version, latest_version, migrate

logger = logging.getLogger(__name__)

# frame key -> (claims column, SQL type)
STANDARD_COLUMNS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "row_number": ("row_number", "INTEGER"),
        "id": ("claim_id", "VARCHAR"),
        "client_id": ("client_id", "VARCHAR"),
        "date": ("claim_date", "TIMESTAMP"),
        "amount": ("amount", "DOUBLE"),
        "family": ("family", "VARCHAR"),
        "category": ("category", "VARCHAR"),
        "subcategory": ("subcategory", "VARCHAR"),
        "segment": ("segment", "VARCHAR"),
        "market": ("market", "VARCHAR"),
        "delay": ("delay", "DOUBLE"),
        "tenure": ("tenure", "DOUBLE"),
        "pnb": ("pnb", "DOUBLE"),
        "label": ("label", "TINYINT"),
        "label_excluded": ("label_excluded", "BOOLEAN"),
    }
)
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


@dataclass(frozen=True)
class ThresholdsRecord:
    """A published (low, high) pair, or the configuration's default (``id`` None)."""

    id: int | None
    model_version: str | None
    low: float
    high: float
    source: str  # "cost-optimal", "closed-form", "capacity", "guarantee", "manual", "config"
    reason: str
    published_by: str
    published_at: datetime | None
    active: bool


@dataclass(frozen=True)
class ScoringInfo:
    """One stored scoring of a batch (every row of it shares ``scored_at``)."""

    batch_id: int
    scored_at: datetime
    model_version: str
    thresholds_id: int | None
    rows: int


class Store:
    """The workbench database. Open one per process; see the module docstring."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self._path = str(path)
        self._read_only = read_only
        self._lock = threading.Lock()  # guards the connection object itself
        self._write_lock = threading.Lock()  # batches are written one at a time per process
        self._conn: duckdb.DuckDBPyConnection | None = _connect(self._path, read_only)
        try:
            self._prepare_schema()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor: use one per thread / unit of work, and close it when done."""
        with self._lock:
            if self._conn is None:
                raise StoreError("The database is closed.")
            try:
                return self._conn.cursor()
            except duckdb.Error as exc:
                raise StoreError(f"Cannot use the database {self._path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def schema_version(self) -> int:
        with self._cursor("read the schema version") as cur:
            return applied_version(cur)

    # ------------------------------------------------------------------ batches

    def find_batch(self, sha256: str) -> BatchInfo | None:
        with self._cursor("look up the batch") as cur:
            return _find_batch(cur, sha256)

    def get_batch(self, batch_id: int) -> BatchInfo:
        with self._cursor("read the batch") as cur:
            row = cur.execute(
                f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", [batch_id]
            ).fetchone()
        if row is None:
            raise StoreError(f"Batch {batch_id} does not exist in the database.")
        return BatchInfo(*row)

    def get_report(self, batch_id: int) -> dict[str, Any]:
        """The validation report stored with the batch (``{}`` when none was given)."""
        with self._cursor("read the batch report") as cur:
            row = cur.execute("SELECT report FROM batches WHERE id = ?", [batch_id]).fetchone()
        if row is None:
            raise StoreError(f"Batch {batch_id} does not exist in the database.")
        return json.loads(row[0]) if row[0] else {}

    def list_batches(self, limit: int = 200) -> list[BatchInfo]:
        """Stored batches, newest first."""
        with self._cursor("list the batches") as cur:
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
        uploaded_by: str,
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
            "uploaded_by": uploaded_by,
            "report": report_json,
        }
        started = time.perf_counter()
        with self._write_lock, self._cursor(f"save the batch {file_name!r}") as cur:
            view = f"incoming_{uuid.uuid4().hex}"
            cur.register(view, staged)
            try:
                result = _write_batch(cur, view, len(staged), meta)
            except duckdb.Error as exc:
                raise StoreError(
                    f"The batch {file_name!r} could not be saved; nothing was written. Cause: {exc}"
                ) from exc
            finally:
                cur.unregister(view)
        outcome = "stored" if result.created else "already stored"
        elapsed = time.perf_counter() - started
        logger.info("batch %s %s (%d rows, %.3f s)", result.batch_id, outcome, len(staged), elapsed)
        return result

    def load_claims(self, batch_id: int) -> pd.DataFrame:
        """The claims of a batch, columns named by key as saved, ordered by row_number."""
        with self._cursor("load the claims") as cur:
            row = cur.execute(
                "SELECT frame_columns FROM batches WHERE id = ?", [batch_id]
            ).fetchone()
            if row is None:
                raise StoreError(f"Batch {batch_id} does not exist in the database.")
            columns: dict[str, str] = json.loads(row[0])
            claims = cur.execute(_load_sql(columns), [batch_id]).df()
        if "label" in claims.columns:  # nullable whether or not this batch has NULL labels
            claims["label"] = claims["label"].astype("Int8")
        return claims

    def log(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Append an entry to the audit log."""
        with self._cursor("write the audit log") as cur:
            _insert_log(cur, actor, action, detail)

    # ------------------------------------------------------------------ thresholds

    def publish_thresholds(
        self,
        model_version: str | None,
        low: float,
        high: float,
        *,
        source: str,
        published_by: str,
        reason: str = "",
    ) -> ThresholdsRecord:
        """Make (low, high) the one active pair of ``model_version``; older pairs stay listed."""
        low, high = _check_pair(low, high)
        if not source:
            raise StoreError("A threshold pair needs a source (e.g. 'manual', 'cost-optimal').")
        now = _utcnow()
        with self._write_lock, self._cursor("publish the thresholds") as cur, _transaction(cur):
            cur.execute(
                "UPDATE thresholds SET active = FALSE "
                "WHERE active AND model_version IS NOT DISTINCT FROM ?",
                [model_version],
            )
            row = cur.execute(
                f"""INSERT INTO thresholds (model_version, low, high, source, reason,
                       published_by, published_at, active)
                   VALUES (?, ?, ?, ?, ?, ?, ?, TRUE) RETURNING {_THRESHOLD_COLUMNS}""",
                [model_version, low, high, source, reason, published_by, now],
            ).fetchone()
            detail = {
                "thresholds_id": row[0],
                "model_version": model_version,
                "low": low,
                "high": high,
                "source": source,
                "reason": reason,
            }
            _insert_log(cur, published_by, "thresholds.published", detail)
        return ThresholdsRecord(*row)

    def active_thresholds(
        self, model_version: str | None, fallback: ThresholdsConfig | None = None
    ) -> ThresholdsRecord | None:
        """The active pair of ``model_version``; else ``fallback`` as a record with id None."""
        with self._cursor("read the thresholds") as cur:
            row = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds "
                "WHERE active AND model_version IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
                [model_version],
            ).fetchone()
        if row is not None:
            return ThresholdsRecord(*row)
        if fallback is None:
            return None
        return ThresholdsRecord(
            None,
            model_version,
            fallback.low,
            fallback.high,
            "config",
            "configuration par défaut (thresholds dans config/default.yaml)",
            "config",
            None,
            True,
        )

    def get_thresholds(self, thresholds_id: int) -> ThresholdsRecord:
        with self._cursor("read the thresholds") as cur:
            row = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds WHERE id = ?", [thresholds_id]
            ).fetchone()
        if row is None:
            raise StoreError(f"Threshold pair {thresholds_id} does not exist in the database.")
        return ThresholdsRecord(*row)

    def thresholds_history(
        self, model_version: str | None = None, *, limit: int = 200
    ) -> list[ThresholdsRecord]:
        """Published pairs, newest first (all model versions when ``model_version`` is None)."""
        where = "" if model_version is None else "WHERE model_version = ?"
        params: list[Any] = [] if model_version is None else [model_version]
        with self._cursor("read the thresholds history") as cur:
            rows = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds {where} "
                "ORDER BY published_at DESC, id DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [ThresholdsRecord(*row) for row in rows]

    # ------------------------------------------------------------------ scores

    def save_scores(
        self,
        batch_id: int,
        scores: pd.DataFrame,
        *,
        model_version: str,
        thresholds_id: int | None,
        actor: str = "system",
    ) -> ScoringInfo:
        """Store one scoring of a batch in one bulk insert (plus an audit entry).

        ``scores`` holds ``row_number``, ``probability``, ``decision``, ``decision_model``,
        ``rule_flags`` and ``rule_reason``. Earlier scorings are kept; readers use the latest.
        """
        missing = [c for c in _SCORE_INPUTS if c not in scores.columns]
        if missing:
            raise StoreError(f"Scores cannot be saved: columns {missing} are missing.")
        scored_at = _utcnow()
        view = f"scores_{uuid.uuid4().hex}"
        with self._write_lock, self._cursor(f"save the scores of batch {batch_id}") as cur:
            cur.register(view, scores[list(_SCORE_INPUTS)])
            try:
                with _transaction(cur):
                    _insert_scores(cur, view, batch_id, model_version, thresholds_id, scored_at)
                    cur.execute("UPDATE batches SET status = 'scored' WHERE id = ?", [batch_id])
                    detail = {
                        "batch_id": batch_id,
                        "model_version": model_version,
                        "thresholds_id": thresholds_id,
                        "rows": len(scores),
                    }
                    _insert_log(cur, actor, "batch.scored", detail)
            finally:
                cur.unregister(view)
        return ScoringInfo(batch_id, scored_at, model_version, thresholds_id, len(scores))

    def latest_scoring(self, batch_id: int) -> ScoringInfo | None:
        """The most recent scoring of the batch, or None when it was never scored."""
        with self._cursor("read the scores") as cur:
            row = cur.execute(
                """SELECT batch_id, scored_at, any_value(model_version),
                       any_value(thresholds_id), count(*)
                   FROM scores WHERE batch_id = ? GROUP BY batch_id, scored_at
                   ORDER BY scored_at DESC LIMIT 1""",
                [batch_id],
            ).fetchone()
        return ScoringInfo(*row) if row else None

    def load_scores(self, batch_id: int, scored_at: datetime | None = None) -> pd.DataFrame:
        """The rows of the latest scoring of a batch (or of ``scored_at``), by row_number."""
        if scored_at is None:
            info = self.latest_scoring(batch_id)
            if info is None:
                return pd.DataFrame(columns=list(_SCORE_COLUMNS))
            scored_at = info.scored_at
        with self._cursor("read the scores") as cur:
            frame = cur.execute(
                f"SELECT {', '.join(_SCORE_COLUMNS)} FROM scores "
                "WHERE batch_id = ? AND scored_at = ? ORDER BY row_number",
                [batch_id, scored_at],
            ).df()
        return frame

    def auto_validation_counts(
        self, client_ids: pd.Series | np.ndarray | list, *, exclude_batch_id: int | None
    ) -> pd.DataFrame:
        """Automatic validations (decision 1) of the latest scoring of every other batch,
        counted per (client_id, year of the claim date): columns client_id, year, n."""
        clients = _distinct_clients(client_ids)
        view = f"clients_{uuid.uuid4().hex}"
        with self._cursor("count the stored automatic validations") as cur:
            cur.register(view, clients)
            try:
                return cur.execute(_AUTO_VALIDATIONS_SQL.format(view=view), [exclude_batch_id]).df()
            finally:
                cur.unregister(view)

    def client_history(
        self, client_ids: pd.Series | np.ndarray | list, *, exclude_batch_id: int | None
    ) -> pd.DataFrame:
        """Stored claims of these clients from other batches, standard columns by key."""
        clients = _distinct_clients(client_ids)
        select = ", ".join(
            f"c.{col} AS {_ident(key)}" for key, (col, _) in STANDARD_COLUMNS.items()
        )
        view = f"clients_{uuid.uuid4().hex}"
        with self._cursor("read the clients' history") as cur:
            cur.register(view, clients)
            try:
                frame = cur.execute(
                    f"SELECT c.batch_id, {select} FROM claims c "
                    f"JOIN {view} w ON c.client_id = w.client_id "
                    "WHERE c.batch_id IS DISTINCT FROM ? ORDER BY c.claim_date, c.batch_id, "
                    "c.row_number",
                    [exclude_batch_id],
                ).df()
            finally:
                cur.unregister(view)
        frame["label"] = frame["label"].astype("Int8")
        return frame

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _cursor(self, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.cursor()
        try:
            yield cur
        except duckdb.Error as exc:
            raise StoreError(f"Could not {action}: {exc}") from exc
        finally:
            cur.close()

    def _prepare_schema(self) -> None:
        with self._cursor("prepare the database schema") as cur:
            if not self._read_only:
                migrate(cur)
                return
            current = applied_version(cur)
            check_version(current)
            if current < latest_version():
                raise StoreError(
                    f"The database {self._path} has schema version {current}, this workbench "
                    f"needs {latest_version()}: open it once without read_only to upgrade it."
                )


def open_store(cfg: Config, *, read_only: bool = False) -> Store:
    """Open (creating and migrating when needed) the database named by the configuration."""
    return Store(cfg.paths.database, read_only=read_only)


# ---------------------------------------------------------------------- helpers


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _connect(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    if path != ":memory:" and not read_only:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder of the database {path}: {exc}") from exc
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc)
        if "not a valid DuckDB database" in text:
            reason = "the file is not a DuckDB database (wrong path, or a damaged file)"
        elif "lock" in text.lower():
            reason = "another process is using it (only one workbench process may write)"
        else:
            reason = text
        raise StoreError(f"Cannot open the database {path}: {reason}.") from exc


def _find_batch(cur: duckdb.DuckDBPyConnection, sha256: str) -> BatchInfo | None:
    row = cur.execute(f"SELECT {_BATCH_COLUMNS} FROM batches WHERE sha256 = ?", [sha256]).fetchone()
    return BatchInfo(*row) if row else None


def _insert_log(
    cur: duckdb.DuckDBPyConnection, actor: str, action: str, detail: dict[str, Any]
) -> None:
    cur.execute(
        "INSERT INTO audit_log (logged_at, actor, action, detail) VALUES (?, ?, ?, ?)",
        [_utcnow(), actor, action, json.dumps(detail, default=str, ensure_ascii=False)],
    )


@contextmanager
def _transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        try:
            cur.execute("ROLLBACK")
        except duckdb.Error as exc:  # already rolled back by the failed statement
            logger.debug("rollback: %s", exc)
        raise
    cur.execute("COMMIT")


def _write_batch(
    cur: duckdb.DuckDBPyConnection, view: str, rows: int, meta: dict[str, Any]
) -> SaveResult:
    with _transaction(cur):
        existing = _find_batch(cur, meta["sha256"])
        if existing is not None:
            return SaveResult(existing.id, created=False)
        columns = _frame_columns(cur, view)
        row = cur.execute(
            """INSERT INTO batches (file_name, sha256, sheet, "rows", profile, uploaded_at,
                   uploaded_by, status, report, frame_columns)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?) RETURNING id""",
            [
                *(meta[k] for k in ("file_name", "sha256", "sheet")),
                rows,
                meta["profile"],
                _utcnow(),
                meta["uploaded_by"],
                meta["report"],
                json.dumps(columns, ensure_ascii=False),
            ],
        ).fetchone()
        batch_id = int(row[0])
        _insert_claims(cur, view, batch_id, list(columns))
        detail = {k: meta[k] for k in ("file_name", "sha256", "sheet", "profile")}
        _insert_log(cur, meta["uploaded_by"], "batch.saved", {"batch_id": batch_id, **detail})
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


def _load_sql(columns: dict[str, str]) -> str:
    extras = {k: t for k, t in columns.items() if k not in STANDARD_COLUMNS}
    select = []
    for key in columns:
        source = STANDARD_COLUMNS[key][0] if key in STANDARD_COLUMNS else f"x.{_ident(key)}"
        select.append(f"{source} AS {_ident(key)}")
    parsed = f"json_transform(extras, {_literal(json.dumps(extras))})" if extras else "NULL"
    return (
        f"SELECT {', '.join(select)} FROM "
        f"(SELECT *, {parsed} AS x FROM claims WHERE batch_id = ?) ORDER BY row_number"
    )


_THRESHOLD_COLUMNS = (
    "id, model_version, low, high, source, coalesce(reason, ''), published_by, published_at, active"
)
_SCORE_INPUTS = (
    "row_number",
    "probability",
    "decision",
    "decision_model",
    "rule_flags",
    "rule_reason",
)
_SCORE_COLUMNS = (*_SCORE_INPUTS, "model_version", "thresholds_id", "scored_at")
_AUTO_VALIDATIONS_SQL = """
WITH latest AS (
    SELECT batch_id, max(scored_at) AS scored_at FROM scores
    WHERE batch_id IS DISTINCT FROM ? GROUP BY batch_id
)
SELECT c.client_id, CAST(year(c.claim_date) AS BIGINT) AS year, count(*) AS n
FROM scores s
JOIN latest l ON s.batch_id = l.batch_id AND s.scored_at = l.scored_at
JOIN claims c ON c.batch_id = s.batch_id AND c.row_number = s.row_number
JOIN {view} w ON c.client_id = w.client_id
WHERE s.decision = 1 AND c.claim_date IS NOT NULL
GROUP BY c.client_id, year
"""


def _check_pair(low: float, high: float) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not 0.0 <= low <= high <= 1.0:  # also False for NaN
        raise InvalidThresholdsError(
            f"Seuils invalides : il faut 0 <= bas <= haut <= 1 (reçu {low}, {high}). / "
            f"Invalid thresholds: need 0 <= low <= high <= 1 (got {low}, {high})."
        )
    return low, high


def _distinct_clients(client_ids: pd.Series | np.ndarray | list) -> pd.DataFrame:
    values = pd.Series(np.asarray(client_ids, dtype=object)).dropna().astype(str).unique()
    return pd.DataFrame({"client_id": pd.Series(values, dtype=object)})


def _insert_scores(
    cur: duckdb.DuckDBPyConnection,
    view: str,
    batch_id: int,
    model_version: str,
    thresholds_id: int | None,
    scored_at: datetime,
) -> None:
    cur.execute(
        f"""INSERT INTO scores (batch_id, row_number, model_version, probability, decision,
               decision_model, rule_flags, rule_reason, thresholds_id, scored_at)
           SELECT ?, CAST(row_number AS INTEGER), ?, CAST(probability AS DOUBLE),
               CAST(decision AS TINYINT), CAST(decision_model AS TINYINT),
               nullif(CAST(rule_flags AS VARCHAR), ''), nullif(CAST(rule_reason AS VARCHAR), ''),
               ?, ?
           FROM {view}""",
        [batch_id, model_version, thresholds_id, scored_at],
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
