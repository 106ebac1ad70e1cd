"""After a pair is published: the batches still decided with another pair, re-decided with it.

Publishing a pair changes no stored decision by itself. :func:`outdated_batches` lists the
scored batches of the profile whose latest scoring, by the same model version, applied another
pair; :func:`redecide_with` re-decides the chosen ones with the published pair (from their
stored probabilities, rules applied), each stored as a re-decision referring to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.config.identity import Actor
from core.config.profiles import same_profile
from core.config.settings import Config
from core.scoring.batch import redecide
from core.scoring.results import ScoringResult
from core.store.batches import BatchInfo
from core.store.database import Store
from core.store.scores import ScoringInfo
from core.store.thresholds import ThresholdsRecord

__all__ = ["OutdatedBatch", "outdated_batches", "redecide_with"]


@dataclass(frozen=True)
class OutdatedBatch:
    """A batch whose latest decisions came from another pair than the published one."""

    batch: BatchInfo
    scoring: ScoringInfo


def outdated_batches(store: Store, cfg: Config, record: ThresholdsRecord) -> list[OutdatedBatch]:
    """Scored batches of ``cfg``'s profile, last scored by ``record``'s model version with
    another pair (newest first)."""
    if record.id is None:
        return []
    latest = store.latest_scorings()
    out = []
    for batch in store.list_batches():
        info = latest.get(batch.id)
        if info is None or info.model_version != record.model_version:
            continue
        if info.thresholds_id == record.id or not same_profile(batch.profile, cfg):
            continue
        out.append(OutdatedBatch(batch, info))
    return out


def redecide_with(
    record: ThresholdsRecord,
    batch_ids: Iterable[int],
    store: Store,
    cfg: Config,
    *,
    actor: Actor,
) -> list[ScoringResult]:
    """Re-decide each batch with the published pair and store the new decisions."""
    reason = f"nouvelle paire publiée n° {record.id} / newly published pair #{record.id}" + (
        f" : {record.reason}" if record.reason else ""
    )
    return [
        redecide(
            batch_id,
            record.low,
            record.high,
            store,
            cfg,
            save=True,
            thresholds_id=record.id,
            actor=actor,
            reason=reason,
        )
        for batch_id in batch_ids
    ]
