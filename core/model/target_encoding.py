"""Smoothed, out-of-fold target encoding with back-off, for :mod:`core.model.features`.

Target encodings (justified rate per family / category / sub-category, per segment and
market, per extra category) are smoothed towards the parent level
(``(sum_y + m * parent) / (n + m)``); a level seen fewer than ``min_count`` times is not
stored, so it — like a category unknown at scoring time — backs off to its parent:
sub-category -> category -> family -> global rate. ``min_count`` is small by default
(scaled to the data, :func:`auto_min_count`): a rare level keeps its own rate, shrunk
towards its parent's. The smoothing ``m`` is either fixed or, when ``None``, estimated per
column and hierarchy level by empirical Bayes (:func:`eb_smoothing`): ``m = p(1-p) / tau^2``
with ``tau^2`` the spread of the levels' true rates around their parents' (method of
moments), so columns whose levels really differ are shrunk little and noise a lot.
Levels are keyed by their full path, so two sub-categories with the same name under
different categories stay apart. On the training rows themselves the encodings are
computed out-of-fold (K-fold), so a row's own label never enters its own feature.

The fitted rates are stored (and saved) by :class:`core.features.FeaturePipeline`; a
:class:`TargetEncoder` only says which columns are encoded and how. The hierarchy helpers
(path keys, back-off lookup) also serve the pipeline's per-level amount medians.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "TargetEncoder",
    "auto_min_count",
    "eb_smoothing",
    "fold_ids",
    "hier_keys",
    "hier_medians",
    "hier_rates",
    "lookup_chain",
    "text_col",
]

PATH_SEP = "\x1f"  # joins hierarchy levels into one path key

Rates = dict[str, dict[str, float]]


@dataclass(frozen=True)
class TargetEncoder:
    """Which columns are target-encoded, and the smoothing / back-off parameters."""

    hier_roles: tuple[str, ...]  # hierarchy roles the profile maps, top level first
    hier_keys: tuple[str, ...]  # their frame keys, same order
    flat_keys: tuple[str, ...]  # frame keys encoded flat (back-off to the global rate)
    smoothing: float | None  # None: estimated per column and level (empirical Bayes)
    min_count: int

    def paths(self, frame: pd.DataFrame) -> list[pd.Series]:
        """Path keys of the hierarchy levels (empty list if none)."""
        return hier_keys(frame, list(self.hier_keys))

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> Rates:
        """Smoothed rates per level: keyed by role (hierarchy) or by frame key (flat)."""
        prior = float(y.mean())
        rates: Rates = {}
        if self.hier_roles:
            found = hier_rates(self.paths(frame), y, prior, self.smoothing, self.min_count)
            rates.update(zip(self.hier_roles, found, strict=True))
        for key in self.flat_keys:
            (rates[key],) = hier_rates(
                [text_col(frame, key)], y, prior, self.smoothing, self.min_count
            )
        return rates

    def encode(
        self, frame: pd.DataFrame, rates: Rates, prior: float, paths: list[pd.Series] | None = None
    ) -> dict[str, np.ndarray]:
        """``rate_<role>`` / ``rate_<key>`` columns of ``frame`` from fitted ``rates``."""
        out: dict[str, np.ndarray] = {}
        keys = self.paths(frame) if paths is None else paths
        if self.hier_roles:
            maps = [rates[r] for r in self.hier_roles]
            for i, role in enumerate(self.hier_roles):
                out[f"rate_{role}"] = lookup_chain(keys[: i + 1], maps[: i + 1], prior)
        for key in self.flat_keys:
            out[f"rate_{key}"] = lookup_chain([text_col(frame, key)], [rates[key]], prior)
        return out

    def out_of_fold(
        self, frame: pd.DataFrame, y: np.ndarray, n_folds: int, seed: int
    ) -> dict[str, np.ndarray]:
        """The encodings of ``frame``'s own rows, each from the rates of the other folds."""
        folds = fold_ids(len(frame), n_folds, seed)
        out: dict[str, np.ndarray] = {}
        for k in range(n_folds):
            held = folds == k
            rates = self.fit(frame.loc[~held], y[~held])
            encoded = self.encode(frame.loc[held], rates, float(y[~held].mean()))
            for name, values in encoded.items():
                out.setdefault(name, np.full(len(frame), np.nan))[held] = values
        return out


def text_col(frame: pd.DataFrame, key: str) -> pd.Series:
    """Column as text, missing values (and a missing column) as ''."""
    if key not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[key]
    return col.where(col.notna(), "").astype(str)


def hier_keys(frame: pd.DataFrame, keys: list[str]) -> list[pd.Series]:
    """Path keys of each hierarchy level: family, family/category, ..."""
    out: list[pd.Series] = []
    for key in keys:
        col = text_col(frame, key)
        out.append(col if not out else out[-1] + PATH_SEP + col)
    return out


def auto_min_count(n: int) -> int:
    """Default minimum count of a level with its own rate: 1 per 2,000 claims, 1..20."""
    return int(np.clip(n // 2000, 1, 20))


def eb_smoothing(
    sums: np.ndarray, counts: np.ndarray, parent: np.ndarray, *, lo: float = 1.0, hi: float = 500.0
) -> float:
    """Empirical-Bayes smoothing ``m = p(1-p) / tau^2`` (method of moments), in [lo, hi].

    ``tau^2`` = spread of the levels' rates around their parents' rates, weighted by their
    counts, minus the binomial noise expected from the counts. No measurable spread -> ``hi``.
    Counting each level once instead shrank rare levels less but lost on held-out data
    (CFPB test AUC 0.8805 vs 0.8909, demo 0.8582 vs 0.8600): the 0/1 level features already
    give a rare telling level its own weight.
    """
    n = counts.astype(float)
    if len(n) < 2 or n.sum() <= 0:
        return hi
    rate = sums / np.maximum(n, 1.0)
    p = float(np.clip(np.average(parent, weights=n), 1e-3, 1 - 1e-3))
    spread = float(np.average((rate - parent) ** 2, weights=n))
    noise = p * (1 - p) * len(n) / n.sum()
    tau2 = spread - noise
    return float(np.clip(p * (1 - p) / tau2, lo, hi)) if tau2 > 0 else hi


def hier_rates(
    keys: list[pd.Series], y: np.ndarray, prior: float, m: float | None, min_count: int
) -> list[dict[str, float]]:
    """Smoothed rate of each level, towards its parent; only levels with >= min_count.

    ``m=None`` estimates the smoothing of each hierarchy level (:func:`eb_smoothing`)."""
    out: list[dict[str, float]] = []
    effective: dict[str, float] = {}
    for i, key in enumerate(keys):
        stats = pd.DataFrame({"k": key.to_numpy(), "y": y}).groupby("k")["y"].agg(["sum", "count"])
        if i == 0:
            parent = np.full(len(stats), prior)
        else:
            parents = stats.index.to_series().str.rsplit(PATH_SEP, n=1).str[0]
            parent = parents.map(effective).fillna(prior).to_numpy(float)
        n = stats["count"].to_numpy(float)
        sums = stats["sum"].to_numpy(float)
        m_level = eb_smoothing(sums, n, parent) if m is None else m
        smoothed = (sums + m_level * parent) / (n + m_level)
        value = np.where(n >= min_count, smoothed, parent)
        effective = dict(zip(stats.index, value.tolist(), strict=True))
        out.append(
            {k: v for k, v, c in zip(stats.index, value.tolist(), n, strict=True) if c >= min_count}
        )
    return out


def hier_medians(
    keys: list[pd.Series], values: pd.Series, min_count: int
) -> list[dict[str, float]]:
    """Median of ``values`` per level with at least min_count non-missing values."""
    out = []
    for key in keys:
        stats = values.groupby(key.to_numpy()).agg(["median", "count"])
        kept = stats[stats["count"] >= min_count]["median"]
        out.append({str(k): float(v) for k, v in kept.items()})
    return out


def lookup_chain(keys: list[pd.Series], maps: list[dict[str, float]], default: float) -> np.ndarray:
    """Value of the deepest level found in its map, else its parents', else ``default``."""
    out = np.full(len(keys[0]) if keys else 0, default, dtype=float)
    for key, mapping in zip(keys, maps, strict=True):
        found = key.map(mapping).to_numpy(dtype=float, na_value=np.nan)
        out = np.where(np.isnan(found), out, found)
    return out


def fold_ids(n: int, n_folds: int, seed: int) -> np.ndarray:
    """A random fold number 0..n_folds-1 per row (balanced)."""
    return np.random.default_rng(seed).permutation(n) % n_folds
