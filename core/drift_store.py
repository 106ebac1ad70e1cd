"""Drift reports: what they hold, how they are stored in DuckDB, loaded and rendered.

A :class:`DriftReport` (computed by :func:`core.drift.compute_drift`) is stored as one row of
``drift_reports``: its summary (``to_summary()`` as JSON), the drifted feature columns, the
alert level and the Evidently snapshot as ``Snapshot.dumps()`` text, which loads back with
``Snapshot.loads`` in a later process (``save_json`` writes a summary that does not). The
helpers at the end give the drift page and the CLI a batch's frame and its neighbours.

This module imports nothing from :mod:`core.drift` (which re-exports it), nor the store at
run time: :class:`core.store.Store` is used through ``cursor()`` and its public readers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from core.exceptions import StoreError, WorkbenchError

if TYPE_CHECKING:  # pragma: no cover
    from evidently.core.report import Snapshot

    from core.config import Config
    from core.store import Store

logger = logging.getLogger(__name__)

GREEN, ORANGE, RED = "green", "orange", "red"
NUMERIC, CATEGORICAL = "numeric", "categorical"
PROBABILITY, DECISION_MIX = "probability", "decision_mix"
FEATURE_KINDS = (NUMERIC, CATEGORICAL)
HISTORY_COLUMNS = (
    "report_id",
    "batch_id",
    "reference",
    "created_at",
    "column",
    "label",
    "kind",
    "method",
    "score",
    "threshold",
    "drifted",
    "alert_level",
)


class DriftError(WorkbenchError):
    """Drift cannot be computed or shown (too few rows, no column to compare, ...)."""


def alert_level(n_drifted: int, *, orange_from: int = 1, red_from: int = 3) -> str:
    """green below ``orange_from`` drifted feature columns, red from ``red_from``."""
    if n_drifted >= red_from:
        return RED
    return ORANGE if n_drifted >= orange_from else GREEN


@dataclass(frozen=True)
class ColumnDrift:
    """Drift of one column: ``score`` compared with ``threshold`` by ``method``."""

    column: str  # key ("amount"), or "probability" / "decision_mix"
    method: str
    score: float
    threshold: float
    drifted: bool
    kind: str  # "numeric" | "categorical" | "probability" | "decision_mix"
    label: str = ""  # the column as named in the Evidently report (French header)


@dataclass(frozen=True)
class DriftReport:
    """Drift of one batch against one reference, with its Evidently snapshot."""

    batch_id: int | None
    reference: str  # "model:<version>" or "batch:<id>"
    created_at: datetime  # naive UTC
    columns: tuple[ColumnDrift, ...]
    share_drifted: float  # drifted feature columns / feature columns compared
    alert_level: str  # "green" | "orange" | "red"
    drifted_columns: tuple[str, ...]  # feature keys only
    snapshot_json: str = field(default="", repr=False)  # Snapshot.dumps(); "" if not loaded
    missing_columns: tuple[str, ...] = ()  # monitored, but absent or empty in a frame
    n_current: int = 0
    n_reference: int = 0
    report_id: int | None = None  # id in drift_reports once stored

    @property
    def features(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.kind in FEATURE_KINDS)

    @property
    def outputs(self) -> tuple[ColumnDrift, ...]:
        """Probability and decision-mix drift (not counted in the alert level)."""
        return tuple(c for c in self.columns if c.kind not in FEATURE_KINDS)

    def column(self, key: str) -> ColumnDrift | None:
        return next((c for c in self.columns if c.column == key), None)

    def to_summary(self) -> dict[str, Any]:
        """Plain JSON types: what is stored in ``drift_reports.summary``."""
        columns = [asdict(c) for c in self.columns]
        for c in columns:
            c["score"] = c["score"] if math.isfinite(c["score"]) else None
        return {
            "format": 1,
            "batch_id": self.batch_id,
            "reference": self.reference,
            "created_at": self.created_at.isoformat(),
            "alert_level": self.alert_level,
            "share_drifted": self.share_drifted,
            "drifted_columns": list(self.drifted_columns),
            "missing_columns": list(self.missing_columns),
            "n_current": self.n_current,
            "n_reference": self.n_reference,
            "columns": columns,
        }

    @classmethod
    def from_summary(
        cls, summary: Mapping[str, Any], *, snapshot_json: str = "", report_id: int | None = None
    ) -> DriftReport:
        """The report back from :meth:`to_summary` (and the stored snapshot text)."""
        columns = tuple(
            ColumnDrift(**{**c, "score": math.nan if c["score"] is None else float(c["score"])})
            for c in summary["columns"]
        )
        return cls(
            batch_id=summary["batch_id"],
            reference=summary["reference"],
            created_at=datetime.fromisoformat(summary["created_at"]),
            columns=columns,
            share_drifted=float(summary["share_drifted"]),
            alert_level=summary["alert_level"],
            drifted_columns=tuple(summary["drifted_columns"]),
            snapshot_json=snapshot_json,
            missing_columns=tuple(summary.get("missing_columns", ())),
            n_current=int(summary.get("n_current", 0)),
            n_reference=int(summary.get("n_reference", 0)),
            report_id=report_id,
        )


# --------------------------------------------------------------------------- rendering


def load_snapshot(report: DriftReport) -> Snapshot:
    """The Evidently snapshot of a report (``Snapshot.loads`` of the stored text)."""
    from evidently.core.report import Snapshot

    if not report.snapshot_json:
        raise DriftError(
            "Ce rapport de dérive a été chargé sans son détail Evidently. / This drift report "
            "was loaded without its Evidently snapshot (load it with include_snapshot=True)."
        )
    return Snapshot.loads(report.snapshot_json)


def render_html(report: DriftReport) -> str:
    """The full Evidently report as one standalone HTML page (iframe or download)."""
    return load_snapshot(report).get_html_str(as_iframe=False)


def describe(report: DriftReport, lang: str = "fr") -> list[str]:
    """Plain-text lines for the command line: alert, then one line per column."""
    en = lang == "en"
    level = {GREEN: "VERT", ORANGE: "ORANGE", RED: "ROUGE"}.get(report.alert_level, "?")
    named = ", ".join(report.drifted_columns) or ("none" if en else "aucune")
    number = "" if report.batch_id is None else f" #{report.batch_id}"
    head = (
        f"Batch{number} vs {report.reference}: alert {report.alert_level.upper()}"
        f" - drifted columns: {named}"
        if en
        else f"Lot{number} vs {report.reference} : alerte {level} - colonnes en dérive : {named}"
    )
    lines = [head]
    aside = "  [not in the alert]" if en else "  [hors alerte]"
    for c in report.columns:
        flag = "DRIFT" if c.drifted else "ok"
        lines.append(
            f"  {c.label or c.column:<50} {c.method:<14} {c.score:8.4f}  "
            f"({'threshold' if en else 'seuil'} {c.threshold:g})  {flag}"
            + ("" if c.kind in FEATURE_KINDS else aside)
        )
    if report.missing_columns:
        missing = ", ".join(report.missing_columns)
        lines.append(f"  {'Missing columns' if en else 'Colonnes absentes'}: {missing}")
    return lines


# --------------------------------------------------------------------------- storage


@contextmanager
def _transaction(store: Store, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
    cur = store.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        yield cur
        cur.execute("COMMIT")
    except duckdb.Error as exc:
        with contextlib.suppress(duckdb.Error):  # a failed statement has rolled back already
            cur.execute("ROLLBACK")
        raise StoreError(f"Could not {action}: {exc}") from exc
    finally:
        cur.close()


def save_drift_report(store: Store, report: DriftReport, *, actor: str = "system") -> int:
    """Store the report (summary, drifted columns, alert, snapshot) and an audit entry in one
    transaction; return its id."""
    if not report.snapshot_json:
        raise DriftError("A drift report without its Evidently snapshot cannot be stored.")
    summary = json.dumps(report.to_summary(), ensure_ascii=False)
    now = datetime.now(UTC).replace(tzinfo=None)
    detail = {
        "batch_id": report.batch_id,
        "reference": report.reference,
        "alert_level": report.alert_level,
        "drifted_columns": list(report.drifted_columns),
    }
    with _transaction(store, "save the drift report") as cur:
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
                report.snapshot_json,
            ],
        ).fetchone()
        report_id = int(row[0])
        cur.execute(
            "INSERT INTO audit_log (logged_at, actor, action, detail) VALUES (?, ?, ?, ?)",
            [now, actor, "drift.computed", json.dumps({"report_id": report_id, **detail})],
        )
    logger.info("drift report %d stored (batch %s, %s)", report_id, report.batch_id, detail)
    return report_id


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
    cur = store.cursor()
    try:
        return cur.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"Could not read the drift reports: {exc}") from exc
    finally:
        cur.close()


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


def drift_of_batch(
    store: Store,
    cfg: Config,
    batch_id: int,
    reference: pd.DataFrame,
    reference_name: str,
    *,
    save: bool = True,
    actor: str = "system",
) -> DriftReport:
    """Drift of a stored batch (claims + probabilities of its latest scoring, decided with
    that scoring's thresholds) against ``reference``; stored when ``save``."""
    from core.drift import compute_drift  # here: core.drift imports this module

    frame, pair = batch_frame(store, batch_id)
    report = compute_drift(
        frame, reference, cfg, batch_id=batch_id, reference_name=reference_name, thresholds=pair
    )
    if save:
        report = replace(report, report_id=save_drift_report(store, report, actor=actor))
    return report


def previous_batch_reference(store: Store, batch_id: int) -> tuple[pd.DataFrame, str]:
    """(frame, "batch:<id>") of the batch uploaded before ``batch_id``, as a reference."""
    previous = previous_batch_id(store, batch_id)
    if previous is None:
        raise DriftError(
            f"Le lot n° {batch_id} est le premier : aucun lot précédent à comparer. / "
            f"Batch #{batch_id} is the first one: there is no previous batch to compare with."
        )
    return batch_frame(store, previous)[0], f"batch:{previous}"


def drift_after_scoring(
    store: Store,
    cfg: Config,
    frame: pd.DataFrame,
    *,
    batch_id: int,
    reference: pd.DataFrame | None,
    reference_name: str,
    thresholds: tuple[float, float] | None = None,
    actor: str = "system",
) -> DriftReport | None:
    """Compute and store drift right after a batch is scored, without ever failing the
    scoring: no reference, too few rows or a database error is logged and gives None."""
    from core.drift import compute_drift  # here: core.drift imports this module

    if reference is None:
        logger.warning("batch %s: the model carries no drift reference", batch_id)
        return None
    try:
        report = compute_drift(
            frame,
            reference,
            cfg,
            batch_id=batch_id,
            reference_name=reference_name,
            thresholds=thresholds,
        )
        return replace(report, report_id=save_drift_report(store, report, actor=actor))
    except WorkbenchError as exc:
        logger.warning("batch %s: drift not computed: %s", batch_id, exc)
        return None
