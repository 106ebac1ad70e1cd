"""Drift of stored batches: against the model's reference sample or the previous batch.

:func:`drift_report` is what the CLI, the Drift page and the drift job queued with every
scoring (:mod:`core.jobs`) call. The batch is read, then the database is let go while the
distances and the Evidently report are computed, then the report is stored.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pandas as pd

from core.config.identity import Actor
from core.config.settings import Config
from core.drift.compute import build_snapshot, compute_drift
from core.drift.report import DriftReport
from core.drift.storage import batch_frame, previous_batch_id, save_drift_report, save_snapshot
from core.exceptions import DriftError, WorkbenchError
from core.model.registry import Registry
from core.store.database import Store

logger = logging.getLogger(__name__)

MODEL, PREVIOUS = "model", "previous"


def drift_report(
    store: Store,
    registry: Registry,
    cfg: Config,
    batch_id: int,
    *,
    against: str = MODEL,
    version: str | None = None,
    save: bool = True,
    actor: Actor | None = None,
) -> DriftReport:
    """Drift of a stored batch against the model's reference sample or the previous batch.

    ``version`` defaults to the model that scored the batch, else the active one.
    """
    if against == PREVIOUS:
        reference, name = previous_batch_reference(store, batch_id)
    elif against == MODEL:
        latest = store.latest_scoring(batch_id)
        chosen = version or (latest.model_version if latest else None)
        if chosen is None:
            active = registry.active()
            chosen = active.version if active else None
        reference = registry.load_reference(chosen)
        if reference is None:
            raise WorkbenchError(
                "Ce modèle n'a pas d'échantillon de référence : réentraînez-le pour suivre la "
                "dérive. / This model carries no reference sample: retrain it to monitor drift."
            )
        name = f"model:{chosen}"
    else:
        raise ValueError(f"against must be {MODEL!r} or {PREVIOUS!r}, not {against!r}")
    return drift_of_batch(store, cfg, batch_id, reference, name, save=save, actor=actor)


def drift_of_batch(
    store: Store,
    cfg: Config,
    batch_id: int,
    reference: pd.DataFrame,
    reference_name: str,
    *,
    save: bool = True,
    actor: Actor | None = None,
) -> DriftReport:
    """Drift of a stored batch (claims + probabilities of its latest scoring, decided with
    that scoring's thresholds) against ``reference``; stored when ``save``."""
    frame, pair = batch_frame(store, batch_id)
    report = compute_drift(
        frame, reference, cfg, batch_id=batch_id, reference_name=reference_name, thresholds=pair
    )
    if save:
        if actor is None:
            raise WorkbenchError("A drift report that is stored needs the identity of who asked.")
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


def with_snapshot(
    store: Store, registry: Registry, cfg: Config, report: DriftReport
) -> DriftReport:
    """The report with its full Evidently snapshot, built now (seconds) when it was not yet,
    then kept with the stored report for the next reader."""
    if report.snapshot_json:
        return report
    if report.batch_id is None:
        raise DriftError("Ce rapport n'est lié à aucun lot. / This report has no batch.")
    current, pair = batch_frame(store, report.batch_id)
    kind, _, ref = report.reference.partition(":")
    if kind == "model":
        reference = registry.load_reference(ref)
        if reference is None:
            raise DriftError(f"Model {ref} carries no reference sample.")
    else:
        reference = batch_frame(store, int(ref))[0]
    snapshot = build_snapshot(current, reference, cfg, report, thresholds=pair)
    if report.report_id is not None:
        save_snapshot(store, report.report_id, snapshot)
    return replace(report, snapshot_json=snapshot)
