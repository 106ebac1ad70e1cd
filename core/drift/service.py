"""Drift of stored batches: against the model's reference sample or the previous batch.

:func:`drift_report` is what the CLI and the Drift page call; :func:`drift_in_background`
runs right after a batch is scored in the app, so the auditor sees the decisions at once
while the drift report (a few seconds, most of it Evidently) is computed and stored.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import pandas as pd

from core.config.settings import Config
from core.drift.compute import compute_drift
from core.drift.report import DriftReport
from core.drift.storage import batch_frame, previous_batch_id, save_drift_report
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
    actor: str = "system",
) -> DriftReport:
    """Drift of a stored batch against the model's reference sample or the previous batch.

    ``version`` defaults to the model that scored the batch, else the active one.
    """
    if against == PREVIOUS:
        reference, name = previous_batch_reference(store, batch_id)
    elif against == MODEL:
        latest = store.latest_scoring(batch_id)
        chosen = version or (latest.model_version if latest else None)
        model = registry.load(chosen)
        if model.reference is None:
            raise WorkbenchError(
                "Ce modèle n'a pas d'échantillon de référence : réentraînez-le pour suivre la "
                "dérive. / This model carries no reference sample: retrain it to monitor drift."
            )
        reference, name = model.reference, f"model:{model.metadata['version']}"
    else:
        raise ValueError(f"against must be {MODEL!r} or {PREVIOUS!r}, not {against!r}")
    return drift_of_batch(store, cfg, batch_id, reference, name, save=save, actor=actor)


def drift_after_score(
    store: Store, registry: Registry, cfg: Config, result, *, actor: str = "system"
) -> DriftReport | None:
    """Drift of a just-scored batch (a ScoringResult) against its model; never raises."""
    try:
        model = registry.load(result.model_version)
    except WorkbenchError as exc:
        logger.warning("batch %s: drift not computed: %s", result.batch_id, exc)
        return None
    return drift_after_scoring(
        store,
        cfg,
        result.frame,
        batch_id=result.batch_id,
        reference=model.reference,
        reference_name=f"model:{result.model_version}",
        thresholds=(result.thresholds.low, result.thresholds.high),
        actor=actor,
    )


def drift_in_background(
    store: Store, registry: Registry, cfg: Config, result, *, actor: str = "system"
) -> threading.Thread:
    """Start ``drift_after_score`` on a daemon thread (its own DuckDB cursor) and return it."""
    thread = threading.Thread(
        target=drift_after_score,
        args=(store, registry, cfg, result),
        kwargs={"actor": actor},
        name=f"drift-batch-{result.batch_id}",
        daemon=True,
    )
    thread.start()
    return thread


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
