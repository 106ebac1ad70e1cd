"""Drift reports: what one holds (per-column scores, alert level, Evidently snapshot), and
how it is shown (plain text for the command line, Evidently's HTML for the page).

A :class:`DriftReport` is computed by :func:`core.drift.compute.compute_drift` and stored by
:mod:`core.drift.storage`; this module imports neither.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from core.config.drift import FEATURE_KINDS
from core.exceptions import DriftError

if TYPE_CHECKING:  # pragma: no cover
    from evidently.core.report import Snapshot

GREEN, ORANGE, RED = "green", "orange", "red"
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
    floor: float | None = None  # the configured threshold (smallest shift worth an alert)
    noise: float | None = None  # the noise quantile at this batch's size (None: not sized)

    @property
    def sized_by_noise(self) -> bool:
        """True when the batch's own size, not the configured value, set the threshold."""
        return self.noise is not None and self.floor is not None and self.noise > self.floor


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
            c["threshold"] = c["threshold"] if math.isfinite(c["threshold"]) else None
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
            "Le rapport Evidently de ce lot n'est pas encore construit (il l'est à la première "
            "ouverture). / This report's Evidently snapshot is not built yet (it is built the "
            "first time it is opened: core.drift.service.with_snapshot)."
        )
    return Snapshot.loads(report.snapshot_json)


def render_html(report: DriftReport) -> str:
    """The full Evidently report as one standalone HTML page (iframe or download).

    Evidently writes the report's data (column names, the batch's category values) as JSON
    inside a ``<script>`` element, unescaped: a value holding ``</script><script>...`` would
    end that element and run as a script of its own. Its JSON is therefore written with
    ``<``, ``>`` and ``&`` as ``\\u`` escapes, which JavaScript reads as the same strings.
    The values a chart draws (strings in lists: the categories on a distribution's axis)
    also get ``<``, ``>`` and ``&`` as HTML entities, since Plotly reads ``<a href>`` or
    ``<b>`` in them and shows entities as the characters themselves.
    """
    _script_safe_evidently_json()
    return load_snapshot(report).get_html_str(as_iframe=False)


def _script_safe_evidently_json() -> None:
    """Make the JSON encoder of Evidently's HTML templates escape ``<``, ``>`` and ``&``
    (once per process; the JSON means the same, so every report may share it)."""
    from evidently.legacy.utils import dashboard

    encoder = dashboard.NumpyEncoder
    if not getattr(encoder, "script_safe", False):
        dashboard.NumpyEncoder = type(
            "ScriptSafeEncoder", (_ScriptSafeJson, encoder), {"script_safe": True}
        )


class _ScriptSafeJson:
    """JSON that can sit inside an HTML ``<script>`` element, its chart values shown as text
    by Plotly (mixed into an encoder class)."""

    def encode(self, o: Any) -> str:
        text = super().encode(_chart_values_as_text(o))  # type: ignore[misc]
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _chart_values_as_text(value: Any, in_list: bool = False) -> Any:
    """``value`` with every string held in a list HTML-escaped (Plotly shows it as typed)."""
    if isinstance(value, str):
        return html.escape(value, quote=False) if in_list else value
    if isinstance(value, dict):
        return {k: _chart_values_as_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_chart_values_as_text(v, in_list=True) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
        return _chart_values_as_text(value.tolist())
    return value


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
        sized = (
            (" = " + ("noise at this size" if en else "bruit à cette taille"))
            if c.sized_by_noise
            else ""
        )
        lines.append(
            f"  {c.label or c.column:<50} {c.method:<14} {c.score:8.4f}  "
            f"({'threshold' if en else 'seuil'} {c.threshold:.4g}{sized})  {flag}"
            + ("" if c.kind in FEATURE_KINDS else aside)
        )
    if report.missing_columns:
        missing = ", ".join(report.missing_columns)
        lines.append(f"  {'Missing columns' if en else 'Colonnes absentes'}: {missing}")
    return lines
