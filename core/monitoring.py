"""Drift monitoring of stored batches: against the model's reference or the previous batch.

``drift_report`` is what the CLI and the Drift page call; ``drift_in_background`` is what
runs right after a batch is scored in the app, so the auditor sees the decisions at once
while the drift report (a few seconds, most of it Evidently) is computed and stored.
"""

from __future__ import annotations

import logging
import threading

from core.config import Config
from core.drift_store import (
    DriftReport,
    drift_after_scoring,
    drift_of_batch,
    previous_batch_reference,
)
from core.exceptions import WorkbenchError
from core.registry import Registry
from core.store import Store

log = logging.getLogger(__name__)

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
        log.warning("batch %s: drift not computed: %s", result.batch_id, exc)
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
