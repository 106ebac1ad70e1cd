"""An L2 logistic regression on the pipeline's features, stored as JSON, explained exactly.

Each feature is imputed (training median) and standardised (training mean and standard
deviation) — except the 0/1 level features, only centred: on their own 0/1 scale the L2
penalty shrinks a rare level's weight more than a frequent one's, as a prior should (scaled
to unit variance, a level seen 5 times was barely penalised and over-fitted). The margin
is ``intercept + sum_i w_i z_i``. Because every ``z_i`` has mean 0 on the training rows,
``w_i z_i`` is the feature's exact SHAP value (interventional, with the training rows as
background, features independent) and the intercept is the expected margin: contributions
add up to the margin exactly, like TreeSHAP's for the trees.

Integer codes (``*_code``) are left out: their order means nothing to a linear model (the
0/1 level features carry the same information).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

__all__ = ["C_GRID", "LinearModel", "linear_features"]

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)  # inverse L2 strengths tried (validation log-loss decides)


def linear_features(names: Sequence[str]) -> list[str]:
    """The features a linear model uses (integer codes left out)."""
    return [n for n in names if not n.endswith("_code")]


@dataclass(frozen=True)
class LinearModel:
    """Fitted coefficients and the standardisation they apply to."""

    feature_names: tuple[str, ...]
    median: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    c: float

    @classmethod
    def fit(cls, x: pd.DataFrame, y: np.ndarray, c: float = 0.1) -> LinearModel:
        from sklearn.exceptions import ConvergenceWarning  # fitting only: scoring needs numpy
        from sklearn.linear_model import LogisticRegression

        names = linear_features(list(x.columns))
        raw = x[names].to_numpy(float)
        median = np.nanmedian(np.where(np.isnan(raw).all(axis=0), 0.0, raw), axis=0)
        median = np.where(np.isnan(median), 0.0, median)
        filled = np.where(np.isnan(raw), median, raw)
        mean, std = filled.mean(axis=0), filled.std(axis=0)
        binary = np.array([n.startswith("is_") for n in names], dtype=bool)
        scale = np.where((std > 1e-12) & ~binary, std, 1.0)  # 0/1 levels: centred only
        z = (filled - mean) / scale
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr = LogisticRegression(C=c, max_iter=3000).fit(z, y)
        return cls(
            tuple(names), *(tuple(v.tolist()) for v in (median, mean, scale, lr.coef_[0])),
            float(lr.intercept_[0]), float(c),
        )  # fmt: skip

    def _z(self, x: pd.DataFrame) -> np.ndarray:
        raw = x[list(self.feature_names)].to_numpy(float)
        filled = np.where(np.isnan(raw), np.asarray(self.median), raw)
        return (filled - np.asarray(self.mean)) / np.asarray(self.scale)

    def margin(self, x: pd.DataFrame) -> np.ndarray:
        """Log-odds of each row."""
        return self.intercept + self._z(x) @ np.asarray(self.coef)

    def contributions(self, x: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
        """Exact contributions (n x (len(names) + 1), intercept last) over ``names``;
        features the model does not use contribute 0."""
        phi = self._z(x) * np.asarray(self.coef)
        out = np.zeros((len(x), len(names) + 1))
        index = {n: i for i, n in enumerate(names)}
        out[:, [index[n] for n in self.feature_names]] = phi
        out[:, -1] = self.intercept
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(
            tuple(str(n) for n in data["feature_names"]),
            *(tuple(float(v) for v in data[k]) for k in ("median", "mean", "scale", "coef")),
            float(data["intercept"]), float(data["c"]),
        )  # fmt: skip
