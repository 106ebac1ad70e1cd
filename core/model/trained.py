"""The trained model artefact: fitted features + model + calibrator + metadata.

The model is one of three families, each explained exactly (contributions that add up to
the margin): ``xgboost`` (a booster; TreeSHAP), ``linear`` (:class:`LinearModel`; exact
linear contributions) or ``blend`` (``w * booster margin + (1 - w) * linear margin``; the
same weighted sum of both explanations). Other families are not registrable: these three
are the ones saved without pickle and explained exactly.

A :class:`TrainedModel` is what the registry stores and what scoring uses. It is saved as
plain, inspectable files (no pickle/joblib):

* ``model.ubj`` — the booster in XGBoost's own UBJSON format (xgboost and blend);
* ``linear.json`` — the linear model's standardisation and coefficients (linear, blend);
* ``family.json`` — the family and the blend weight;
* ``features.json`` — the frozen feature statistics (:meth:`FeaturePipeline.to_dict`);
* ``calibrator.json`` — the probability calibrator (:meth:`Calibrator.to_dict`);
* ``metadata.json`` — metrics, comparison table, feature table, training data SHA-256,
  library versions, config hash, profile, created_at, params, calibration method, ECE,
  reliability curve, leakage audit, thresholds chosen on validation;
* ``reference.parquet`` — up to 5,000 training rows (keyed columns) with their calibrated
  probabilities (column ``probability``), kept as the drift reference.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost

from core.model.calibration import Calibrator
from core.model.features import FeaturePipeline
from core.model.linear import LinearModel

__all__ = ["FILES", "TrainedModel", "jsonable"]

log = logging.getLogger(__name__)

FILES = (
    "model.ubj",
    "features.json",
    "calibrator.json",
    "metadata.json",
    "reference.parquet",
    "evaluation.parquet",
    "linear.json",
    "family.json",
)


@dataclass
class TrainedModel:
    """A fitted model ready to score validated batch frames (columns named by key)."""

    features: FeaturePipeline  # fitted, frozen statistics
    booster: xgboost.Booster | None  # raw margin = log-odds before calibration
    calibrator: Calibrator  # isotonic or sigmoid on the model's margin
    metadata: dict = field(default_factory=dict)
    reference: pd.DataFrame | None = None  # drift reference rows (+ "probability")
    evaluation: pd.DataFrame | None = None  # test-set probability, label, amount (thresholds)
    linear: LinearModel | None = None
    weight: float = 1.0  # blend: weight of the booster's margin (the linear one: 1 - weight)

    def __post_init__(self) -> None:
        if self.booster is None and self.linear is None:
            raise ValueError("a model needs a booster, a linear model or both")
        if self.linear is None:
            self.weight = 1.0
        elif self.booster is None:
            self.weight = 0.0

    @property
    def family(self) -> str:
        """ "xgboost", "linear" or "blend"."""
        if self.booster is not None and self.linear is not None:
            return "blend"
        return "xgboost" if self.booster is not None else "linear"

    def transform(self, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
        """The model's feature matrix for ``frame`` (``history``: earlier stored claims)."""
        return self.features.transform(frame, history)

    def margin(self, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> np.ndarray:
        """The booster's raw log-odds (before calibration), e.g. for SHAP."""
        return self.margin_of_features(self.transform(frame, history))

    def margin_of_features(self, features: pd.DataFrame) -> np.ndarray:
        """Raw log-odds of an already transformed feature matrix."""
        if len(features) == 0:
            return np.zeros(0)
        out = np.zeros(len(features))
        if self.booster is not None:
            matrix = xgboost.DMatrix(features[self.feature_names], nthread=1)
            out += self.weight * self.booster.predict(matrix, output_margin=True)
        if self.linear is not None:
            out += (1.0 - self.weight) * self.linear.margin(features)
        return out

    def contributions(self, features: pd.DataFrame) -> np.ndarray:
        """Exact per-feature contributions to the margin (n x (features + 1), the base
        value last): TreeSHAP for the booster, exact linear ones, their weighted sum for a
        blend. Rows add up to :meth:`margin_of_features`."""
        names = self.feature_names
        out = np.zeros((len(features), len(names) + 1))
        if self.booster is not None:
            matrix = features[names].to_numpy(np.float32)
            data = xgboost.DMatrix(matrix, feature_names=names, nthread=1)
            out += self.weight * self.booster.predict(data, pred_contribs=True).astype(float)
        if self.linear is not None:
            out += (1.0 - self.weight) * self.linear.contributions(features, names)
        return out

    def predict_proba(self, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> np.ndarray:
        """Calibrated P(justified) for each row of ``frame``."""
        return self.calibrator.predict(self.margin(frame, history))

    @property
    def feature_names(self) -> list[str]:
        """Names of the feature columns, in the booster's order."""
        return self.features.feature_names

    def save(self, directory: Path) -> list[Path]:
        """Write the artefact files into ``directory``; return the paths written."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / name for name in FILES[1:4]]
        payloads = [self.features.to_dict(), self.calibrator.to_dict(), self.metadata]
        if self.booster is not None:
            written.insert(0, directory / FILES[0])
            self.booster.save_model(str(written[0]))
        if self.linear is not None:
            written.append(directory / FILES[6])
            payloads.append(self.linear.to_dict())
        written.append(directory / FILES[7])
        payloads.append({"family": self.family, "weight": self.weight})
        for path, payload in zip(written[-len(payloads) :], payloads, strict=True):
            text = json.dumps(jsonable(payload), ensure_ascii=False, indent=1, sort_keys=True)
            path.write_text(text + "\n", encoding="utf-8")
        for name, frame in ((FILES[4], self.reference), (FILES[5], self.evaluation)):
            if frame is not None:
                written.append(directory / name)
                frame.to_parquet(written[-1], index=False)
        log.info("model saved to %s (%d files)", directory, len(written))
        return written

    @classmethod
    def load(cls, directory: Path) -> TrainedModel:
        """Read a model saved by :meth:`save` (the registry verifies hashes first)."""
        directory = Path(directory)
        booster = None
        if (directory / FILES[0]).is_file():
            booster = xgboost.Booster()
            booster.load_model(str(directory / FILES[0]))
        linear = None
        if (directory / FILES[6]).is_file():
            linear = LinearModel.from_dict(_read_json(directory / FILES[6]))
        family = _read_json(directory / FILES[7]) if (directory / FILES[7]).is_file() else {}
        features = FeaturePipeline.from_dict(_read_json(directory / "features.json"))
        calibrator = Calibrator.from_dict(_read_json(directory / "calibrator.json"))
        metadata = _read_json(directory / "metadata.json")
        reference, evaluation = (
            pd.read_parquet(path) if path.is_file() else None
            for path in (directory / FILES[4], directory / FILES[5])
        )
        weight = float(family.get("weight", 1.0))
        return cls(features, booster, calibrator, metadata, reference, evaluation, linear, weight)


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def jsonable(obj: Any) -> Any:
    """Plain JSON types: numpy scalars/arrays unwrapped, NaN/inf -> None, keys as text."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        return jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj
