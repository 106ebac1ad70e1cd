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
Timestamps are naive UTC. The schema is created and upgraded by :mod:`core.store.migrations`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from core.config.settings import Config
from core.exceptions import StoreError
from core.store.batches import BatchesMixin, BatchInfo, SaveResult
from core.store.common import (
    STANDARD_COLUMNS,
    _insert_log,
)
from core.store.migrations import applied_version, check_version, latest_version, migrate
from core.store.scores import ScoresMixin, ScoringInfo
from core.store.thresholds import ThresholdsMixin, ThresholdsRecord

__all__ = [
    "STANDARD_COLUMNS",
    "BatchInfo",
    "SaveResult",
    "ScoringInfo",
    "Store",
    "ThresholdsRecord",
    "open_store",
]


class Store(BatchesMixin, ThresholdsMixin, ScoresMixin):
    """The workbench database. Open one per process; see the module docstring.

    One mixin per table family: batches and claims (:mod:`core.store.batches`), thresholds
    (:mod:`core.store.thresholds`), scores (:mod:`core.store.scores`).
    """

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

    def log(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Append an entry to the audit log."""
        with self._cursor("write the audit log") as cur:
            _insert_log(cur, actor, action, detail)

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
