"""A batch's latest stored scoring, read back: claims joined with their scores."""

from __future__ import annotations

import pandas as pd

from core.config.settings import Config
from core.exceptions import StoreError, WorkbenchError
from core.scoring.evaluation import evaluate_decisions
from core.scoring.results import AppliedThresholds, ScoringSummary, StoredScoring
from core.store.database import Store
from core.store.scores import ScoringInfo


def load_scoring(batch_id: int, store: Store, cfg: Config) -> StoredScoring:
    """The batch's latest scoring with the thresholds it used and its cost evaluation."""
    frame = load_scores(batch_id, store)
    latest = store.latest_scoring(batch_id)
    thresholds = applied_thresholds(latest, store, cfg) if latest else None
    if thresholds is None:
        thresholds = AppliedThresholds(cfg.thresholds.low, cfg.thresholds.high, None, "config")
    return StoredScoring(
        batch_id=batch_id,
        model_version=str(frame["model_version"].iloc[0]),
        scored_at=frame["scored_at"].iloc[0],
        thresholds=thresholds,
        frame=frame,
        evaluation=evaluate_decisions(frame, cfg, thresholds),
    )


def load_claim_scoring(batch_id: int, row_number: int, store: Store, cfg: Config) -> StoredScoring:
    """The batch's latest scoring read for explaining one claim: ``frame`` holds that claim
    and its client's other claims of the batch only (a query, not the whole batch), and
    ``evaluation`` is None (it would describe these rows, not the batch)."""
    latest = store.latest_scoring(batch_id)
    if latest is None:
        raise not_scored_error(batch_id)
    claims = store.load_claims(batch_id, client_of=row_number)
    scores = store.load_scores(batch_id, latest.scored_at, rows=claims["row_number"].tolist())
    frame = join_scores(claims, scores)
    thresholds = applied_thresholds(latest, store, cfg) or AppliedThresholds(
        cfg.thresholds.low, cfg.thresholds.high, None, "config"
    )
    return StoredScoring(
        batch_id=batch_id,
        model_version=latest.model_version,
        scored_at=latest.scored_at,
        thresholds=thresholds,
        frame=frame,
        evaluation=None,
    )


def applied_thresholds(info: ScoringInfo, store: Store, cfg: Config) -> AppliedThresholds | None:
    """The pair a stored scoring applied: its published pair (with the costs published with
    it), else the pair stored with the scores (a manual re-decision); None when unknown."""
    if info.thresholds_id is not None and not pd.isna(info.thresholds_id):
        record = store.get_thresholds(int(info.thresholds_id))
        low = record.low if info.low is None else info.low
        high = record.high if info.high is None else info.high
        return AppliedThresholds(low, high, record.id, record.source, record.costs)
    if info.low is not None and info.high is not None:
        default = (info.low, info.high) == (cfg.thresholds.low, cfg.thresholds.high)
        return AppliedThresholds(info.low, info.high, None, "config" if default else "manual")
    return None


def load_scoring_summary(
    batch_id: int, store: Store, cfg: Config, *, bins: int = 50
) -> ScoringSummary:
    """The batch's latest scoring summarised (the frame is read once, then let go)."""
    scoring = load_scoring(batch_id, store, cfg)
    return ScoringSummary(
        batch_id=batch_id,
        model_version=scoring.model_version,
        scored_at=scoring.scored_at,
        thresholds=scoring.thresholds,
        evaluation=scoring.evaluation,
        decisions=store.decisions_summary(batch_id, scoring.scored_at, bins=bins),
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
