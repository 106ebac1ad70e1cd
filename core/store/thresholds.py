"""The thresholds part of :class:`core.store.Store`: published (low, high) pairs per model."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.exceptions import InvalidThresholdsError, StoreError
from core.store.common import _insert_log, _transaction, _utcnow

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from core.config.settings import ThresholdsConfig


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


class ThresholdsMixin:
    """Thresholds methods of :class:`core.store.Store`, which provides the attributes below."""

    _write_lock: threading.Lock

    if TYPE_CHECKING:  # pragma: no cover

        def _cursor(self, action: str) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

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


_THRESHOLD_COLUMNS = (
    "id, model_version, low, high, source, coalesce(reason, ''), published_by, published_at, active"
)


def _check_pair(low: float, high: float) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not 0.0 <= low <= high <= 1.0:  # also False for NaN
        raise InvalidThresholdsError(
            f"Seuils invalides : il faut 0 <= bas <= haut <= 1 (reçu {low}, {high}). / "
            f"Invalid thresholds: need 0 <= low <= high <= 1 (got {low}, {high})."
        )
    return low, high
