"""Drift reports in DuckDB: one row of ``drift_reports`` per report, with an audit entry.

The summary (``DriftReport.to_summary()`` as JSON), the drifted feature columns, the alert
level and the Evidently snapshot as ``Snapshot.dumps()`` text, which loads back with
``Snapshot.loads`` in a later process (``save_json`` writes a summary that does not). The
readers at the end give the drift page and the CLI a batch's frame and its neighbours.

Storage never imports the computation (:mod:`core.drift.compute`).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor
from core.drift.report import HISTORY_COLUMNS, DriftReport
from core.exceptions import DriftError

if TYPE_CHECKING:  # pragma: no cover
    from core.store.database import Store

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- storage


def save_drift_report(store: Store, report: DriftReport, *, actor: Actor) -> int:
    """Store the report (summary, drifted columns, alert, snapshot) and an audit entry in one
    transaction; return its id."""
    summary = json.dumps(report.to_summary(), ensure_ascii=False)
    detail = {
        "batch_id": report.batch_id,
        "reference": report.reference,
        "alert_level": report.alert_level,
        "drifted_columns": list(report.drifted_columns),
    }
    with store.transaction("save the drift report") as cur:
        row = cur.execute(
            """INSERT INTO drift_reports (batch_id, reference, created_at, summary,
                   drifted_columns, alert_level, snapshot)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [
                report.batch_id,
                report.reference,
                report.created_at,
                summary,
                list(report.drifted_columns),
                report.alert_level,
                report.snapshot_json or None,
            ],
        ).fetchone()
        report_id = int(row[0])
        audit.append(cur, actor, "drift.computed", {"report_id": report_id, **detail})
    logger.info("drift report %d stored (batch %s, %s)", report_id, report.batch_id, detail)
    return report_id


def save_snapshot(store: Store, report_id: int, snapshot_json: str) -> None:
    """Keep the Evidently snapshot built for a stored report (derived data: no audit row)."""
    with store.transaction("keep the Evidently report") as cur:
        cur.execute(
            "UPDATE drift_reports SET snapshot = ? WHERE id = ?", [snapshot_json, report_id]
        )


def load_drift_reports(
    store: Store,
    batch_id: int | None = None,
    *,
    include_snapshot: bool = True,
    limit: int | None = None,
) -> list[DriftReport]:
    """Stored reports, newest first (of one batch when ``batch_id`` is given).

    ``include_snapshot=False`` skips the Evidently text (a few hundred kB each): enough for
    lists and alerts; :func:`load_drift_report` fetches one report in full.
    """
    snapshot = "snapshot" if include_snapshot else "NULL"
    where = "" if batch_id is None else "WHERE batch_id = ?"
    params: list[Any] = [] if batch_id is None else [batch_id]
    sql = (
        f"SELECT id, summary, {snapshot} FROM drift_reports {where} "
        "ORDER BY created_at DESC, id DESC" + ("" if limit is None else f" LIMIT {int(limit)}")
    )
    return [_report(row) for row in _fetch(store, sql, params)]


def load_drift_report(store: Store, report_id: int) -> DriftReport:
    """One stored report with its snapshot."""
    rows = _fetch(
        store, "SELECT id, summary, snapshot FROM drift_reports WHERE id = ?", [report_id]
    )
    if not rows:
        raise DriftError(
            f"Rapport de dérive {report_id} introuvable. / No drift report {report_id}."
        )
    return _report(rows[0])


def drift_history(store: Store) -> pd.DataFrame:
    """One row per (stored report, column), oldest first: see ``HISTORY_COLUMNS``."""
    rows = _fetch(store, "SELECT id, summary FROM drift_reports ORDER BY created_at, id", [])
    records = []
    for report_id, text in rows:
        summary = json.loads(text)
        for c in summary["columns"]:
            records.append(
                {
                    "report_id": report_id,
                    "batch_id": summary["batch_id"],
                    "reference": summary["reference"],
                    "created_at": pd.Timestamp(summary["created_at"]),
                    **{k: c.get(k) for k in HISTORY_COLUMNS[4:11]},
                    "alert_level": summary["alert_level"],
                }
            )
    frame = pd.DataFrame.from_records(records, columns=list(HISTORY_COLUMNS))
    frame["score"] = frame["score"].astype(float)
    return frame.astype({"drifted": bool}) if len(frame) else frame


def _fetch(store: Store, sql: str, params: list[Any]) -> list[tuple]:
    with store.cursor("read the drift reports") as cur:
        return cur.execute(sql, params).fetchall()


def _report(row: tuple) -> DriftReport:
    report_id, summary, snapshot = row
    return DriftReport.from_summary(
        json.loads(summary), snapshot_json=snapshot or "", report_id=int(report_id)
    )


# --------------------------------------------------------------------------- batches


def latest_batch_id(store: Store) -> int:
    """The most recently uploaded batch (for ``--batch latest``)."""
    batches = store.list_batches(limit=1)
    if not batches:
        raise DriftError("Aucun lot enregistré. / No batch has been stored yet.")
    return batches[0].id


def previous_batch_id(store: Store, batch_id: int) -> int | None:
    """The batch uploaded just before ``batch_id`` (None for the first one)."""
    rows = _fetch(
        store,
        """SELECT b.id FROM batches b, (SELECT uploaded_at, id FROM batches WHERE id = ?) t
           WHERE b.uploaded_at < t.uploaded_at OR (b.uploaded_at = t.uploaded_at AND b.id < t.id)
           ORDER BY b.uploaded_at DESC, b.id DESC LIMIT 1""",
        [batch_id],
    )
    return int(rows[0][0]) if rows else None


def batch_frame(store: Store, batch_id: int) -> tuple[pd.DataFrame, tuple[float, float] | None]:
    """A stored batch's claims (by key) with ``probability`` from its latest scoring, and
    the (low, high) pair that scoring used (None, and no probability, if never scored)."""
    claims = store.load_claims(batch_id)
    latest = store.latest_scoring(batch_id)
    if latest is None:
        return claims, None
    scores = store.load_scores(batch_id, latest.scored_at)
    frame = claims.merge(scores[["row_number", "probability"]], on="row_number", how="left")
    if latest.thresholds_id is None:
        return frame, None
    record = store.get_thresholds(latest.thresholds_id)
    return frame, (record.low, record.high)
