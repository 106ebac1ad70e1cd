"""Fit every registrable family, choose one on validation evidence, calibrate it.

Two regimes (``cfg.model.cv_max_rows``):

* **validation slice** (many labelled claims): XGBoost tuned with Optuna on the fit /
  validation split, the linear model's strength chosen on the same slice, the blend weight
  too; each family is scored on the validation claims (:mod:`core.model.selection`);
* **time-ordered cross-validation** (a few thousand labelled claims or fewer): one slice
  of a few hundred claims is too noisy to choose a model, tune it and place thresholds, so
  all three use the out-of-fold margins of :func:`core.model.families.time_blocks` folds;
  the chosen family is then refitted on every training row.

Either way the published pair is the safe pair of the chosen family on its validation
(or out-of-fold) claims, with the gain's interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from core.config.settings import Config
from core.decide.costs import CostModel
from core.model.calibration import CalibrationChoice
from core.model.compare import OPENMP_THREADS, TuningResult, tune_xgboost
from core.model.families import (
    FamilyMargins,
    Fold,
    best_linear,
    cv_linear,
    cv_xgboost,
    family_margins,
    time_blocks,
)
from core.model.features import FeaturePipeline
from core.model.linear import LinearModel
from core.model.selection import CandidateScore, choose, score_candidate
from core.model.trained import TrainedModel
from core.model.training_data import SplitParts, label_values

__all__ = ["FitOutcome", "fit_by_cross_validation", "fit_on_validation", "pipeline_params"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class FitOutcome:
    """The chosen, calibrated model and the evidence that chose it."""

    model: TrainedModel
    calibration: CalibrationChoice
    chosen: CandidateScore
    scores: list[CandidateScore]
    valid_margin: np.ndarray  # the chosen family's validation (or out-of-fold) margins
    y_valid: np.ndarray
    amount_valid: np.ndarray | None
    mode: str  # "validation" | "time-cv"
    tuning: TuningResult | None
    params: dict[str, Any]  # the booster's parameters and rounds, the linear strength
    test_margins: dict[str, np.ndarray]  # family -> test margins (comparison table)


def pipeline_params(cfg: Config, seed: int) -> dict[str, Any]:
    m = cfg.model
    return {
        "smoothing": m.encoding_smoothing,
        "min_count": m.encoding_min_count,
        "onehot_min_count": m.onehot_min_count,
        "onehot_max_levels": m.onehot_max_levels,
        "seed": seed,
    }


def _assemble(
    pipeline: FeaturePipeline,
    booster: xgb.Booster,
    linear: LinearModel,
    fm: FamilyMargins,
    chosen: CandidateScore,
) -> TrainedModel:
    keep_tree, keep_linear = chosen.family in ("xgboost", "blend"), chosen.family != "xgboost"
    return TrainedModel(
        pipeline,
        booster if keep_tree else None,
        chosen.calibration.calibrator,
        linear=linear if keep_linear else None,
        weight=fm.weight if chosen.family == "blend" else (1.0 if keep_tree else 0.0),
    )


def _score_all(
    fm: FamilyMargins, y: np.ndarray, amount: np.ndarray | None, costs: CostModel, cfg: Config,
    seed: int,
) -> tuple[list[CandidateScore], CandidateScore]:  # fmt: skip
    scores = [
        score_candidate(f, m, y, amount, costs, cfg.model, seed=seed) for f, m in fm.margins.items()
    ]
    return scores, choose(scores, cfg.model.selection_tolerance)


def _test_margins(
    booster: xgb.Booster, linear: LinearModel, weight: float, x_test: pd.DataFrame
) -> dict[str, np.ndarray]:
    tree = booster.predict(xgb.DMatrix(x_test, nthread=OPENMP_THREADS), output_margin=True)
    lin = linear.margin(x_test)
    return {"xgboost": tree, "linear": lin, "blend": weight * tree + (1 - weight) * lin}


def fit_on_validation(
    x: dict[str, pd.DataFrame], y: dict[str, np.ndarray], amount_valid: np.ndarray | None,
    pipeline: FeaturePipeline, cfg: Config, costs: CostModel, *, trials: int, seed: int,
    report: Progress,
) -> FitOutcome:  # fmt: skip
    """Large labelled sets: Optuna on the validation slice, families scored on it."""
    report("tuning", 0.3)
    dtrain = xgb.QuantileDMatrix(x["fit"], y["fit"], nthread=OPENMP_THREADS)
    dvalid = xgb.QuantileDMatrix(x["valid"], y["valid"], ref=dtrain)
    tuning = tune_xgboost(
        dtrain, dvalid, trials=max(1, trials), seed=seed,
        progress=lambda done, total: report(f"tuning: trial {done}/{total}",
                                            0.3 + 0.5 * done / total),
    )  # fmt: skip
    report("linear model", 0.82)
    linear, info = best_linear(x["fit"], y["fit"], x["valid"], y["valid"])
    tree_valid = tuning.booster.predict(
        xgb.DMatrix(x["valid"], nthread=OPENMP_THREADS), output_margin=True
    )
    fm = family_margins(tree_valid, linear.margin(x["valid"]), y["valid"], cfg.model.families)
    report("model choice", 0.88)
    scores, chosen = _score_all(fm, y["valid"], amount_valid, costs, cfg, seed)
    model = _assemble(pipeline, tuning.booster, linear, fm, chosen)
    params = {"booster": tuning.params, "rounds": tuning.best_iteration + 1, **info}
    return FitOutcome(
        model, chosen.calibration, chosen, scores, fm.margins[chosen.family], y["valid"],
        amount_valid, "validation", tuning, params | {"blend_weight": fm.weight},
        _test_margins(tuning.booster, linear, fm.weight, x["test"]),
    )  # fmt: skip


def fit_by_cross_validation(
    parts: SplitParts, cfg: Config, costs: CostModel, amounts: Callable[[pd.DataFrame], Any],
    *, seed: int, report: Progress,
) -> FitOutcome:  # fmt: skip
    """Small labelled sets: time-ordered folds choose, tune and calibrate; refit on all."""
    schema, params = cfg.schema, pipeline_params(cfg, seed)
    data = pd.concat([parts.fit, parts.valid])
    date = schema.by_role("date")
    dates = data[date.key] if date is not None and date.key in data else None
    blocks = time_blocks(dates, len(data), cfg.model.cv_folds, seed)
    folds, valid_rows = [], []
    for i in range(1, len(blocks)):
        train_rows, rows = data.iloc[np.concatenate(blocks[:i])], data.iloc[blocks[i]]
        pipe = FeaturePipeline.from_schema(schema, **params)
        x_tr = pipe.fit_transform(train_rows, history=parts.history)
        x_va = pipe.transform(rows, history=parts.history)
        folds.append(Fold(x_tr, label_values(train_rows, schema), x_va, label_values(rows, schema)))
        valid_rows.append(rows)
        report(f"cross-validation: fold {i}/{len(blocks) - 1}", 0.3 + 0.1 * i / len(blocks))
    booster_params, rounds, oof_tree = cv_xgboost(
        folds, seed, lambda d, t: report(f"tuning: configuration {d}/{t}", 0.4 + 0.4 * d / t)
    )
    c, oof_linear = cv_linear(folds)
    oof = pd.concat(valid_rows)
    y_oof, a_oof = label_values(oof, schema), amounts(oof)
    fm = family_margins(oof_tree, oof_linear, y_oof, cfg.model.families)
    report("model choice", 0.85)
    scores, chosen = _score_all(fm, y_oof, a_oof, costs, cfg, seed)
    pipeline = FeaturePipeline.from_schema(schema, **params)
    x_all = pipeline.fit_transform(data, history=parts.history)
    y_all = label_values(data, schema)
    booster = xgb.train(booster_params, xgb.DMatrix(x_all, y_all, nthread=OPENMP_THREADS), rounds)
    linear = LinearModel.fit(x_all, y_all, c)
    model = _assemble(pipeline, booster, linear, fm, chosen)
    x_test = pipeline.transform(parts.test, history=parts.history)
    params_out = {"booster": booster_params, "rounds": rounds, "c": c, "blend_weight": fm.weight}
    log.info(
        "time-ordered CV on %d rows, %d folds: %s chosen", len(data), len(folds), chosen.family
    )
    return FitOutcome(
        model, chosen.calibration, chosen, scores, fm.margins[chosen.family], y_oof, a_oof,
        "time-cv", None, params_out, _test_margins(booster, linear, fm.weight, x_test),
    )  # fmt: skip
