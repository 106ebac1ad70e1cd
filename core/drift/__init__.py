"""Drift: how far an incoming batch moved from the model's reference, and the alert.

Per-column distances and the Evidently report (``compute``), the report type and its
rendering (``report``), storage in DuckDB that never imports the computation (``storage``),
and the batch-level entry points used by the CLI and the app (``service``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.drift.compute import compute_drift
    from core.drift.report import ColumnDrift, DriftReport, alert_level, describe, render_html
    from core.drift.service import drift_report
    from core.drift.storage import (
        drift_history,
        load_drift_report,
        load_drift_reports,
        save_drift_report,
    )

_EXPORTS = {
    "compute_drift": "core.drift.compute",
    "ColumnDrift": "core.drift.report",
    "DriftReport": "core.drift.report",
    "alert_level": "core.drift.report",
    "describe": "core.drift.report",
    "render_html": "core.drift.report",
    "drift_report": "core.drift.service",
    "drift_history": "core.drift.storage",
    "load_drift_report": "core.drift.storage",
    "load_drift_reports": "core.drift.storage",
    "save_drift_report": "core.drift.storage",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ColumnDrift",
    "DriftReport",
    "alert_level",
    "compute_drift",
    "describe",
    "drift_history",
    "drift_report",
    "load_drift_report",
    "load_drift_reports",
    "render_html",
    "save_drift_report",
]
