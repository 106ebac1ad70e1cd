"""Evidently: the full drift report a user opens, and the scores of methods numpy lacks.

Importing Evidently costs seconds (it pulls nltk, litestar, ...), so nothing else in the
workbench imports this module at start-up: the alert uses :mod:`core.drift.distances`, and
the report is built here when someone opens it, with the same per-column thresholds as the
alert, then kept with the stored report.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from core.config.drift import (
    CATEGORICAL,
    DECISION_MIX,
    FEATURE_KINDS,
    NUMERIC,
    PROBABILITY,
    DriftConfig,
    is_drifted,
)
from core.drift.plan import ColumnPlan
from core.drift.report import ColumnDrift

if TYPE_CHECKING:  # pragma: no cover
    from evidently.core.report import Snapshot


logger = logging.getLogger(__name__)


def evidently_scores(
    cur: pd.DataFrame,
    ref: pd.DataFrame,
    plans: list[ColumnPlan],
    dcfg: DriftConfig,
    reference_name: str,
    created: datetime,
) -> tuple[ColumnDrift, ...]:
    """Scores of the columns whose method only Evidently computes (fixed thresholds)."""
    snapshot = run_report(cur, ref, plans, dcfg, "batch", reference_name, created)
    return _scores(snapshot, plans)


def run_report(
    cur: pd.DataFrame,
    ref: pd.DataFrame,
    plans: list[ColumnPlan],
    dcfg: DriftConfig,
    name: str,
    reference_name: str,
    created: datetime,
) -> Snapshot:
    """Evidently: DataDriftPreset over the features, ValueDrift for probability and mix."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift
    from evidently.presets import DataDriftPreset

    features = [p for p in plans if p.kind in FEATURE_KINDS]
    definition = DataDefinition(
        numerical_columns=[p.label for p in plans if p.kind in (NUMERIC, PROBABILITY)],
        categorical_columns=[p.label for p in plans if p.kind in (CATEGORICAL, DECISION_MIX)],
    )
    preset = DataDriftPreset(
        columns=[p.label for p in features],
        drift_share=min(1.0, dcfg.red_from / len(features)),  # "dataset drift" <=> red
        per_column_method={p.label: p.method for p in features},
        per_column_threshold={p.label: p.threshold for p in features},
    )
    outputs = [p for p in plans if p.kind not in FEATURE_KINDS]
    extra = [ValueDrift(column=p.label, method=p.method, threshold=p.threshold) for p in outputs]
    report = Report([preset, *extra], metadata={"reference": reference_name})
    return report.run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
        timestamp=created,
        name=f"{name} vs {reference_name}",
    )


def _scores(snapshot: Snapshot, plans: list[ColumnPlan]) -> tuple[ColumnDrift, ...]:
    """Per-column scores read from the snapshot's ValueDrift results, in plan order."""
    by_label = {p.label: p for p in plans}
    found: dict[str, ColumnDrift] = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config") or {}
        plan = by_label.get(config.get("column"))
        if plan is None or not str(config.get("type", "")).endswith("ValueDrift"):
            continue
        score = float(metric["value"])
        drifted = is_drifted(plan.method, score, plan.threshold)
        found[plan.label] = ColumnDrift(
            plan.key, plan.method, score, plan.threshold, drifted, plan.kind, plan.label
        )
    lost = [p.label for p in plans if p.label not in found]
    if lost:
        logger.warning("no drift score came back for %s", lost)
    return tuple(found[p.label] for p in plans if p.label in found)
