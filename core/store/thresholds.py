"""The thresholds part of :class:`core.store.Store`: published (low, high) pairs per model."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

import core.store.audit as audit
from core.config.identity import Actor, require
from core.exceptions import InvalidThresholdsError, StoreError, WorkbenchError
from core.store.common import StoreAccess, _utcnow

if TYPE_CHECKING:  # pragma: no cover
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
    costs: dict[str, Any] | None = None  # the costs published with the pair (None: config's)


class ThresholdsMixin(StoreAccess):
    """Thresholds methods of :class:`core.store.Store`, which provides the attributes below."""

    def publish_thresholds(
        self,
        model_version: str | None,
        low: float,
        high: float,
        *,
        source: str,
        actor: Actor,
        reason: str,
        costs: Mapping[str, Any] | None = None,
    ) -> ThresholdsRecord:
        """Make (low, high) — and the costs it was chosen with — the one active pair of
        ``model_version`` (admins only; a reason is required); older pairs stay listed."""
        require(actor, "thresholds.publish" if costs is None else "costs.publish")
        with self.transaction("publish the thresholds") as cur:
            return publish_pair(
                cur, model_version, low, high, source=source, actor=actor, reason=reason,
                costs=costs,
            )  # fmt: skip

    def active_thresholds(
        self, model_version: str | None, fallback: ThresholdsConfig | None = None
    ) -> ThresholdsRecord | None:
        """The active pair of ``model_version``; else ``fallback`` as a record with id None."""
        with self.cursor("read the thresholds") as cur:
            row = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds "
                "WHERE active AND model_version IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
                [model_version],
            ).fetchone()
        if row is not None:
            return _record(row)
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
        with self.cursor("read the thresholds") as cur:
            row = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds WHERE id = ?", [thresholds_id]
            ).fetchone()
        if row is None:
            raise StoreError(f"Threshold pair {thresholds_id} does not exist in the database.")
        return _record(row)

    def thresholds_history(
        self, model_version: str | None = None, *, limit: int = 200
    ) -> list[ThresholdsRecord]:
        """Published pairs, newest first (all model versions when ``model_version`` is None)."""
        where = "" if model_version is None else "WHERE model_version = ?"
        params: list[Any] = [] if model_version is None else [model_version]
        with self.cursor("read the thresholds history") as cur:
            rows = cur.execute(
                f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds {where} "
                "ORDER BY published_at DESC, id DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [_record(row) for row in rows]


_THRESHOLD_COLUMNS = (
    "id, model_version, low, high, source, coalesce(reason, ''), published_by, published_at, "
    "active, costs"
)


def publish_pair(
    cur: duckdb.DuckDBPyConnection,
    model_version: str | None,
    low: float,
    high: float,
    *,
    source: str,
    actor: Actor,
    reason: str,
    costs: Mapping[str, Any] | None = None,
) -> ThresholdsRecord:
    """Inside the caller's write transaction: deactivate the model's pair, insert the new
    one, and record before -> after in the audit trail."""
    low, high = _check_pair(low, high)
    if not source:
        raise StoreError("A threshold pair needs a source (e.g. 'manual', 'cost-optimal').")
    if not reason.strip():
        raise WorkbenchError(
            "Indiquez la raison de cette publication. / Give the reason for this publication."
        )
    previous = cur.execute(
        f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds "
        "WHERE active AND model_version IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1",
        [model_version],
    ).fetchone()
    cur.execute(
        "UPDATE thresholds SET active = FALSE "
        "WHERE active AND model_version IS NOT DISTINCT FROM ?",
        [model_version],
    )
    row = cur.execute(
        f"""INSERT INTO thresholds (model_version, low, high, source, reason, published_by,
               published_at, active, costs)
           VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?) RETURNING {_THRESHOLD_COLUMNS}""",
        [model_version, low, high, source, reason.strip(), actor.id, _utcnow(),
         audit.to_json(dict(costs)) if costs is not None else None],
    ).fetchone()  # fmt: skip
    record = _record(row)
    audit.append(
        cur,
        actor,
        "thresholds.published",
        {"thresholds_id": record.id, "model_version": model_version, "source": source},
        before=_published(_record(previous)) if previous else None,
        after=_published(record),
        reason=reason,
    )
    return record


def _record(row: tuple) -> ThresholdsRecord:
    *fields, costs = row
    return ThresholdsRecord(*fields, costs=json.loads(costs) if costs else None)


def _published(record: ThresholdsRecord) -> dict[str, Any]:
    return {"id": record.id, "low": record.low, "high": record.high, "costs": record.costs}


def _check_pair(low: float, high: float) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not 0.0 <= low <= high <= 1.0:  # also False for NaN
        raise InvalidThresholdsError(
            f"Seuils invalides : il faut 0 <= bas <= haut <= 1 (reçu {low}, {high}). / "
            f"Invalid thresholds: need 0 <= low <= high <= 1 (got {low}, {high})."
        )
    return low, high
