"""Performance of stored batches: their latest scoring joined with the labels gathered."""

from __future__ import annotations

from core.config.settings import Config
from core.monitor.performance import BatchPerformance, batch_performance
from core.scoring.stored import load_scores
from core.store.database import Store


def performance_of_batches(
    store: Store, cfg: Config, *, batch_id: int | None = None
) -> list[BatchPerformance]:
    """Estimated and realised performance of every scored batch (or one), oldest first.

    A claim's label is the one stored in ``labels`` (reviews, quality control, outcome files),
    else the one its file carried.
    """
    scorings = store.latest_scorings()
    ids = [batch_id] if batch_id is not None else sorted(scorings)
    out = []
    for bid in ids:
        if bid not in scorings:
            continue
        frame = load_scores(bid, store)
        labels = store.labels(bid)[["row_number", "label"]].rename(columns={"label": "stored"})
        frame = frame.merge(labels, on="row_number", how="left")
        own = frame["label"] if "label" in frame.columns else None
        frame["label"] = frame["stored"] if own is None else frame["stored"].fillna(own)
        out.append(batch_performance(bid, frame, cfg, scorings[bid].model_version))
    return out
