"""Retraining with a challenger: a candidate trained with the labels gathered in production,
compared with the active model on the same, most recent labelled claims.

The labels of stored claims (reviews, quality control, outcome files) are added to the
original training data, except the most recent ``holdout_share`` of them by claim date: those
are the comparison claims, seen by neither model. Both models are judged there by AUC,
log-loss and the realised net gain at each one's own threshold pair, with its bootstrap
interval. The challenger is registered as a *candidate*; promoting it is an admin's explicit
decision (activation with a reason), recorded in the audit trail like every activation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score

from core.config.identity import Actor, require
from core.config.settings import Config
from core.decide.costs import CostModel
from core.decide.gain_bounds import GainBootstrap
from core.exceptions import TrainingError
from core.model.registry import ModelVersion, Registry
from core.model.trained import TrainedModel
from core.model.training import TrainingResult, train
from core.store.database import Store


@dataclass(frozen=True)
class ModelScore:
    version: str
    auc: float
    log_loss: float
    low: float
    high: float
    net_gain: float
    gain_interval: tuple[float, float]


@dataclass(frozen=True)
class Comparison:
    """Active model and challenger on the same held-out recent claims."""

    n_claims: int
    active: ModelScore
    challenger: ModelScore

    @property
    def challenger_better(self) -> bool:
        """A better model on these claims: higher AUC and lower log-loss (both independent
        of the threshold pair; the gains at each one's own pair are shown beside them)."""
        return self.challenger.auc > self.active.auc and self.challenger.log_loss < (
            self.active.log_loss
        )


@dataclass(frozen=True)
class ChallengerResult:
    version: ModelVersion
    training: TrainingResult
    comparison: Comparison
    n_labels_added: int


def gathered_labels(store: Store) -> pd.DataFrame:
    """Stored claims that got a label in production, as a keyed frame with ``label``."""
    labels = store.labels()
    frames = []
    for batch_id, rows in labels.groupby("batch_id"):
        claims = store.load_claims(int(batch_id)).drop(columns=["label"], errors="ignore")
        frames.append(claims.merge(rows[["row_number", "label"]], on="row_number"))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).drop(columns="row_number")


def train_challenger(
    original: pd.DataFrame,
    store: Store,
    registry: Registry,
    cfg: Config,
    *,
    actor: Actor,
    holdout_share: float = 0.3,
    progress: Callable[[str, float], None] | None = None,
    **options,
) -> ChallengerResult:
    """Train on ``original`` plus the gathered labels (but the most recent), register the
    candidate, and compare it with the active model on the held-out recent claims."""
    require(actor, "model.train")
    gathered = gathered_labels(store)
    if len(gathered) < 50:
        raise TrainingError(
            f"Seulement {len(gathered)} réclamations étiquetées en production : il en faut au "
            f"moins 50 pour entraîner et comparer un challenger. / Only {len(gathered)} labelled "
            "claims from production: a challenger needs at least 50."
        )
    order = gathered.sort_values("date", kind="stable") if "date" in gathered else gathered
    cut = round(len(order) * (1 - holdout_share))
    added, holdout = order.iloc[:cut], order.iloc[cut:]
    frame = pd.concat([original, added], ignore_index=True)
    result = train(frame, holdout, cfg, progress=progress, **options)
    active = registry.load()
    version = registry.register(
        result.model,
        actor=actor,
        reason=f"challenger : {len(added)} étiquettes de production ajoutées / labels added",
    )
    challenger = registry.load(version.version)
    costs = CostModel.from_config(cfg.costs)
    comparison = Comparison(
        len(holdout),
        _score(active, holdout, store, costs),
        _score(challenger, holdout, store, costs),
    )
    return ChallengerResult(version, result, comparison, len(added))


def _score(model: TrainedModel, claims: pd.DataFrame, store: Store, costs: CostModel) -> ModelScore:
    version = str(model.metadata.get("version", ""))
    y = claims["label"].to_numpy(dtype=float)
    p = np.clip(np.asarray(model.predict_proba(claims.drop(columns="label"), None), float), 0, 1)
    pair = store.active_thresholds(version)
    low, high = (pair.low, pair.high) if pair is not None else (0.0, 1.0)
    amount = claims["amount"].to_numpy(dtype=float) if "amount" in claims else None
    grid = np.unique([0.0, low, high, 1.0])
    boot = GainBootstrap(p, y, amount, costs=costs, thresholds=grid)
    interval = boot.interval(low, high)
    return ModelScore(
        version, float(roc_auc_score(y, p)), float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6))),
        low, high, interval.net_gain, (interval.lower, interval.upper),
    )  # fmt: skip
