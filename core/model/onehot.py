"""0/1 features for the frequent levels of each category, for :mod:`core.model.features`.

A target encoding summarises a level by one rate; a rare but telling level can still be
blurred by its smoothing. A 0/1 column per level lets every model family (the trees and the
linear model alike) give that level its own weight. Levels seen at least ``min_count``
times in training get one, the ``max_levels`` most frequent per column; a level unknown at
scoring time is 0 everywhere. Hierarchy levels are keyed by their full path, so two
sub-categories with the same name under different categories stay apart.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from core.model.target_encoding import PATH_SEP

__all__ = ["auto_onehot_min_count", "fit_levels", "level_text", "onehot_columns"]


def auto_onehot_min_count(n: int) -> int:
    """Default minimum count of a level with its own 0/1 feature: 1 per 1,000 claims, 3..30."""
    return int(np.clip(n // 1000, 3, 30))


def fit_levels(
    columns: Mapping[str, pd.Series], min_count: int, max_levels: int
) -> dict[str, list[str]]:
    """Per named column: its levels seen at least ``min_count`` times, most frequent first
    (ties in alphabetical order), at most ``max_levels``; missing values ('') never."""
    out: dict[str, list[str]] = {}
    for name, values in columns.items():
        counts = values[values != ""].value_counts()
        kept = counts[counts >= min_count]
        ordered = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))[:max_levels]
        if ordered:
            out[name] = [str(level) for level, _ in ordered]
    return out


def onehot_columns(
    columns: Mapping[str, pd.Series], levels: Mapping[str, list[str]]
) -> dict[str, np.ndarray]:
    """``is_<name>_<i>`` = 1 where the column equals its i-th fitted level."""
    out: dict[str, np.ndarray] = {}
    for name, kept in levels.items():
        values = columns[name].to_numpy()
        for i, level in enumerate(kept):
            out[feature_name(name, i)] = (values == level).astype(float)
    return out


def feature_name(name: str, index: int) -> str:
    return f"is_{name}_{index:02d}"


def level_text(level: str) -> str:
    """A path key as people read it: 'Cartes / Opérations / Retrait'."""
    return level.replace(PATH_SEP, " / ")
