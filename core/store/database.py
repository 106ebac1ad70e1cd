"""The DuckDB store: one database file holding batches, claims, scores, reviews and the trail.

Processes share the file (:mod:`core.store.gate`): the app, the command line and a second app
instance each hold it only for the length of an operation, and wait — bounded, saying for
what — while another holds it. Inside a process, every thread and every :class:`Store` on the
file share one connection while operations overlap; each operation has its own cursor.

Three ways in:
- :meth:`Store.cursor` — a read (or a statement of its own);
- :meth:`Store.transaction` — a write: one transaction, serialised with every other write of
  any thread or process, whose audit rows are chained and whose commit refreshes the anchor
  file (:mod:`core.store.audit`);
- :meth:`Store.exclusive` — a read-then-write unit (count the prior automatic validations,
  decide, write the scores): nothing else writes between its read and its write.

Claims are stored in typed columns, one per schema role key (``id`` -> ``claim_id``,
``date`` -> ``claim_date``, the rest under their key); any other column of the validated
frame (profile-specific extras) goes into one JSON object per row, ``extras``. Timestamps
are naive UTC. The schema is created and upgraded by :mod:`core.store.migrations`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

import core.store.audit as audit
from core.config.identity import Actor
from core.config.settings import Config
from core.exceptions import StoreError
from core.store.api_records import ApiRecordsMixin
from core.store.batches import BatchesMixin, BatchInfo, SaveResult
from core.store.common import STANDARD_COLUMNS, _transaction
from core.store.decision_pages import DecisionPagesMixin
from core.store.gate import Waiting, gate_for
from core.store.jobs import JobsMixin
from core.store.labels import LabelsMixin
from core.store.migrations import applied_version, check_version, migrate
from core.store.reviews import ReviewsMixin
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


class Store(
    BatchesMixin,
    ThresholdsMixin,
    ScoresMixin,
    ReviewsMixin,
    LabelsMixin,
    JobsMixin,
    DecisionPagesMixin,
    ApiRecordsMixin,
):
    """The workbench database; see the module docstring.

    One mixin per table family: batches and claims (:mod:`core.store.batches`), thresholds
    (:mod:`core.store.thresholds`), scores (:mod:`core.store.scores`), reviews
    (:mod:`core.store.reviews`), jobs (:mod:`core.store.jobs`), the API's tokens and records
    (:mod:`core.store.api_records`).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        wait_seconds: float = 60.0,
        anchor: Path | str | None = None,
        on_wait: Waiting | None = None,
    ) -> None:
        self._path = str(path)
        self._gate = gate_for(path)
        self.wait_seconds = wait_seconds
        self.on_wait = on_wait
        db = Path(self._path)
        self.anchor_path = Path(anchor) if anchor else db.with_name(db.stem + ".anchor.json")
        self._closed = False
        self._prepare_schema()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self._path

    def close(self) -> None:
        """Nothing stays open between operations; this only refuses further use."""
        self._closed = True

    @property
    def schema_version(self) -> int:
        with self.cursor("read the schema version") as cur:
            return applied_version(cur)

    # ------------------------------------------------------------------ the three ways in
    @contextmanager
    def cursor(self, action: str = "read the database") -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one operation; the database is held until the block ends."""
        if self._closed:
            raise StoreError("The database is closed.")
        with self._gate.hold(action, wait_seconds=self.wait_seconds, on_wait=self.on_wait) as conn:
            cur = conn.cursor()
            try:
                yield cur
            except duckdb.Error as exc:
                raise StoreError(f"Could not {action}: {exc}") from exc
            finally:
                cur.close()

    @contextmanager
    def transaction(self, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction, serialised with every other write; refreshes the anchor."""
        with self.exclusive(action), self.cursor(action) as cur:
            before = audit.head(cur)
            with _transaction(cur):
                yield cur
            after = audit.anchor_state(cur)  # the head and the models' hashes in one read
            if (after.head_id, after.head_hash) != before:
                self._write_anchor(cur, action, after)

    @contextmanager
    def exclusive(self, action: str) -> Iterator[None]:
        """A read-then-write unit: no other write of any thread or process interleaves."""
        if self._closed:
            raise StoreError("The database is closed.")
        with self._gate.exclusive(action, wait_seconds=self.wait_seconds, on_wait=self.on_wait):
            yield

    def record(
        self, actor: Actor, action: str, detail: Mapping[str, Any], *, reason: str = ""
    ) -> int:
        """One audit row for an action that writes no table of its own (an export)."""
        with self.transaction(f"record {action}") as cur:
            return audit.append(cur, actor, action, detail, reason=reason)

    # ------------------------------------------------------------------ internals
    def _write_anchor(
        self, cur: duckdb.DuckDBPyConnection, action: str, state: audit.AnchorState | None = None
    ) -> None:
        try:
            audit.write_anchor(cur, self.anchor_path, state)
        except OSError as exc:
            raise StoreError(
                f"« {action} » was saved, but the audit anchor {self.anchor_path} could not be "
                f"written ({exc.strerror}): check the folder's permissions and free space; "
                "`python -m core audit verify` will report the gap."
            ) from exc

    def _prepare_schema(self) -> None:
        with self.exclusive("prepare the database schema"), self.cursor("migrate") as cur:
            check_version(applied_version(cur))
            if migrate(cur) and audit.head(cur)[0] is not None:
                self._write_anchor(cur, "migrate")


def open_store(cfg: Config, *, on_wait: Waiting | None = None) -> Store:
    """The store named by the configuration (created and migrated when needed)."""
    return Store(
        cfg.paths.database,
        wait_seconds=cfg.store.wait_seconds,
        anchor=cfg.paths.audit_anchor,
        on_wait=on_wait,
    )
