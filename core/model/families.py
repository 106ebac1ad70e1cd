"""The registrable model families fitted on the same features, with their validation margins.

* ``xgboost`` — tuned with Optuna on the validation slice (:func:`core.model.compare.
  tune_xgboost`), or, on a small labelled set, by time-ordered cross-validation over a few
  configurations and the number of rounds (:func:`cv_xgboost`);
* ``linear`` — an L2 logistic regression (:mod:`core.model.linear`), its strength chosen
  among :data:`~core.model.linear.C_GRID` the same way;
* ``blend`` — ``w * xgboost margin + (1 - w) * linear margin``, ``w`` among
  :data:`BLEND_WEIGHTS` by validation log-loss (after a Platt fit).

Small labelled sets: the training rows, sorted by date, are cut into ``k + 1`` blocks; fold
``i`` fits the features and the models on blocks ``0..i`` and predicts block ``i + 1``
(never the past from the future). The out-of-fold margins serve the selection, the
calibration and the threshold choice; the final models are refitted on every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from core.model.calibration import fit_calibrator, log_loss
from core.model.compare import BASE_PARAMS, DEFAULT_TRIAL, OPENMP_THREADS
from core.model.linear import C_GRID, LinearModel

__all__ = [
    "BLEND_WEIGHTS",
    "CV_CONFIGS",
    "FamilyMargins",
    "Fold",
    "best_linear",
    "blend_weight",
    "cv_linear",
    "cv_xgboost",
    "family_margins",
    "time_blocks",
]

BLEND_WEIGHTS = (0.3, 0.5, 0.7)
CV_CONFIGS: tuple[dict[str, Any], ...] = (
    DEFAULT_TRIAL,
    {**DEFAULT_TRIAL, "max_depth": 2, "learning_rate": 0.05, "min_child_weight": 2.0},
    {**DEFAULT_TRIAL, "max_depth": 3, "learning_rate": 0.05, "min_child_weight": 10.0,
     "reg_lambda": 5.0, "colsample_bytree": 0.6},
)  # fmt: skip
CV_MAX_ROUNDS = 400


@dataclass(frozen=True)
class Fold:
    """One time-ordered fold: features fitted on ``x_train``'s rows, ``x_valid`` later."""

    x_train: pd.DataFrame
    y_train: np.ndarray
    x_valid: pd.DataFrame
    y_valid: np.ndarray


@dataclass(frozen=True)
class FamilyMargins:
    """Validation (or out-of-fold) margins of each family, and what produced them."""

    margins: dict[str, np.ndarray]  # family -> margins of the validation rows
    weight: float  # blend weight of the booster
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


def time_blocks(dates: pd.Series | None, n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    """``k + 1`` consecutive blocks of row positions by date (random order without dates);
    rows sharing a date stay in one block."""
    if dates is None or not dates.notna().any():
        order = np.random.default_rng(seed).permutation(n)
        return [np.sort(b) for b in np.array_split(order, k + 1)]
    stamps = pd.to_datetime(dates, errors="coerce").to_numpy()
    order = np.argsort(stamps, kind="stable")  # NaT last
    blocks, start = [], 0
    for b in range(1, k + 2):
        end = n if b == k + 1 else round(n * b / (k + 1))
        while 0 < end < n and stamps[order[end]] == stamps[order[end - 1]]:
            end += 1  # do not split a day
        if end > start:
            blocks.append(np.sort(order[start:end]))
        start = max(start, end)
    return blocks


def best_linear(
    x_fit: pd.DataFrame, y_fit: np.ndarray, x_valid: pd.DataFrame, y_valid: np.ndarray
) -> tuple[LinearModel, dict[str, float]]:
    """The strength with the lowest validation log-loss, fitted on ``x_fit``."""
    fits = {c: LinearModel.fit(x_fit, y_fit, c) for c in C_GRID}
    losses = {c: _platt_loss(m.margin(x_valid), y_valid) for c, m in fits.items()}
    best = min(losses, key=losses.get)
    return fits[best], {"c": best, **{f"log_loss_c{c}": v for c, v in losses.items()}}


def blend_weight(tree: np.ndarray, linear: np.ndarray, y: np.ndarray) -> float:
    """The booster's weight among :data:`BLEND_WEIGHTS` with the lowest log-loss."""
    return min(BLEND_WEIGHTS, key=lambda w: _platt_loss(w * tree + (1 - w) * linear, y))


def family_margins(
    tree: np.ndarray, linear: np.ndarray, y: np.ndarray, families: tuple[str, ...]
) -> FamilyMargins:
    """The margins of every configured family (the blend's weight chosen here)."""
    weight = blend_weight(tree, linear, y)
    every = {"xgboost": tree, "linear": linear, "blend": weight * tree + (1 - weight) * linear}
    return FamilyMargins({f: every[f] for f in families}, weight)


def cv_xgboost(
    folds: list[Fold], seed: int, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[str, Any], int, np.ndarray]:
    """(params, rounds, out-of-fold margins): the configuration and round count with the
    lowest log-loss averaged over the folds (weighted by their validation rows)."""
    curves = np.zeros((len(CV_CONFIGS), CV_MAX_ROUNDS))
    boosters: list[list[xgb.Booster]] = []
    for c, config in enumerate(CV_CONFIGS):
        params = {**BASE_PARAMS, **config, "seed": seed, "nthread": OPENMP_THREADS}
        boosters.append([])
        for fold in folds:
            dtrain = xgb.DMatrix(fold.x_train, fold.y_train, nthread=OPENMP_THREADS)
            dvalid = xgb.DMatrix(fold.x_valid, fold.y_valid, nthread=OPENMP_THREADS)
            result: dict = {}
            booster = xgb.train(
                params, dtrain, CV_MAX_ROUNDS, evals=[(dvalid, "valid")], evals_result=result,
                verbose_eval=False,
            )  # fmt: skip
            curves[c] += np.asarray(result["valid"]["logloss"]) * len(fold.y_valid)
            boosters[c].append(booster)
        if progress:
            progress(c + 1, len(CV_CONFIGS))
    c, r = np.unravel_index(int(np.argmin(curves)), curves.shape)
    rounds = int(r) + 1
    oof = [
        b.predict(xgb.DMatrix(f.x_valid, nthread=OPENMP_THREADS), iteration_range=(0, rounds),
                  output_margin=True)
        for b, f in zip(boosters[c], folds, strict=True)
    ]  # fmt: skip
    params = {**BASE_PARAMS, **CV_CONFIGS[c], "seed": seed, "nthread": OPENMP_THREADS}
    return params, rounds, np.concatenate(oof)


def cv_linear(folds: list[Fold]) -> tuple[float, np.ndarray]:
    """(strength, out-of-fold margins) with the lowest pooled out-of-fold log-loss."""
    oof = {
        c: np.concatenate([LinearModel.fit(f.x_train, f.y_train, c).margin(f.x_valid)
                           for f in folds])
        for c in C_GRID
    }  # fmt: skip
    y = np.concatenate([f.y_valid for f in folds])
    best = min(oof, key=lambda c: _platt_loss(oof[c], y))
    return best, oof[best]


def _platt_loss(margin: np.ndarray, y: np.ndarray) -> float:
    """Log-loss after a Platt (sigmoid) fit: compares margins whatever their scale."""
    return log_loss(y, fit_calibrator("sigmoid", margin, y).predict(margin))
