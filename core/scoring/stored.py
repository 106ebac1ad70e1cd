"""A batch's latest stored scoring, read back: claims joined with their scores."""

from __future__ import annotations

import pandas as pd

from core.config.settings import Config
from core.exceptions import StoreError, WorkbenchError
from core.scoring.evaluation import evaluate_decisions
from core.scoring.results import AppliedThresholds, StoredScoring
from core.store.database import Store


def load_scoring(batch_id: int, store: Store, cfg: Config) -> StoredScoring:
    """The batch's latest scoring with the thresholds it used and its cost evaluation."""
    frame = load_scores(batch_id, store)
    thresholds_id = frame["thresholds_id"].iloc[0] if len(frame) else None
    if thresholds_id is None or pd.isna(thresholds_id):
        thresholds = AppliedThresholds(cfg.thresholds.low, cfg.thresholds.high, None, "config")
    else:
        record = store.get_thresholds(int(thresholds_id))
        thresholds = AppliedThresholds(record.low, record.high, record.id, record.source)
    return StoredScoring(
        batch_id=batch_id,
        model_version=str(frame["model_version"].iloc[0]),
        scored_at=frame["scored_at"].iloc[0],
        thresholds=thresholds,
        frame=frame,
        evaluation=evaluate_decisions(frame, cfg, thresholds),
    )


def load_scores(batch_id: int, store: Store) -> pd.DataFrame:
    """The claims of a batch with their latest scores (plus model_version, thresholds_id,
    scored_at), ordered by row number."""
    latest = store.latest_scoring(batch_id)
    if latest is None:
        raise not_scored_error(batch_id)
    scores = store.load_scores(batch_id, latest.scored_at)
    return join_scores(store.load_claims(batch_id), scores)


def join_scores(claims: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    if len(scores) != len(claims):
        raise StoreError(
            f"The stored scores ({len(scores)} rows) do not match the batch ({len(claims)} "
            "claims): score the batch again."
        )
    joined = claims.merge(scores, on="row_number", how="left", validate="one_to_one")
    for column in ("rule_flags", "rule_reason"):
        if column in joined.columns:
            joined[column] = joined[column].fillna("")
    return joined


def not_scored_error(batch_id: int) -> WorkbenchError:
    return WorkbenchError(
        f"Le lot {batch_id} n'a pas encore été scoré : lancez le scoring d'abord. / "
        f"Batch {batch_id} has not been scored yet: score it first "
        f"(`python -m core score --input FILE --output RESULT.xlsx`)."
    )
