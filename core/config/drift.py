"""The ``drift:`` section of the configuration: one method and threshold per kind of column.

Distances (normed Wasserstein, Jensen-Shannon, ...) drift at ``score >= threshold``; p-value
tests at ``score < threshold``. Per-column overrides may also transform money columns
(``log``, ``relative_to``); the computation itself is :mod:`core.drift.compute`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.exceptions import ConfigError

NUMERIC, CATEGORICAL = "numeric", "categorical"
PROBABILITY, DECISION_MIX = "probability", "decision_mix"
FEATURE_KINDS = (NUMERIC, CATEGORICAL)
# Evidently methods. Distances drift at score >= threshold, p-values at score < threshold.
DISTANCES = frozenset({"wasserstein", "ed", "jensenshannon", "hellinger", "psi", "kl_div"})
_PV_NUMERIC = {"ks", "t_test", "mannw", "anderson", "cramer_von_mises", "es", "empirical_mmd"}
_PV_CATEGORICAL = {"chisquare", "z", "fisher_exact", "g_test", "TVD"}
P_VALUES = frozenset(_PV_NUMERIC | _PV_CATEGORICAL)
_NOT_FOR = {
    NUMERIC: frozenset(_PV_CATEGORICAL),
    CATEGORICAL: frozenset(_PV_NUMERIC | {"wasserstein", "ed"}),
}


def _check_method(method: str, kind: str, where: str) -> None:
    if method not in DISTANCES | P_VALUES:
        known = ", ".join(sorted(DISTANCES | P_VALUES))
        raise ValueError(f"{where}: {method!r} is not one of {known}")
    if method in _NOT_FOR[kind]:
        raise ValueError(f"{where}: {method!r} does not apply to {kind} columns")


def _check_threshold(value: float, method: str | None, where: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{where} must be a number > 0 (got {value})")
    if method in P_VALUES and value >= 1:
        raise ValueError(f"{where}: {method!r} gives a p-value, the threshold must be < 1")


@dataclass(frozen=True)
class ColumnOverride:
    """Per-column settings; ``None`` keeps the default of the column's kind."""

    method: str | None = None
    threshold: float | None = None  # required with a p-value method
    log: bool = False  # distance on log1p(value) (numeric columns)
    relative_to: tuple[str, ...] = ()  # keys: centre by the reference median of each level

    def __post_init__(self) -> None:
        if self.method is not None and self.method not in DISTANCES | P_VALUES:
            known = ", ".join(sorted(DISTANCES | P_VALUES))
            raise ValueError(f"method {self.method!r} is not one of {known}")
        if self.method in P_VALUES and self.threshold is None:
            raise ValueError(f"method {self.method!r} gives a p-value: give its threshold")
        if self.threshold is not None:
            _check_threshold(self.threshold, self.method, "threshold")


def _override(key: str, raw: Any) -> ColumnOverride:
    """A ColumnOverride from its YAML mapping; errors name ``per_column.<key>.<field>``."""
    if isinstance(raw, ColumnOverride):
        return raw
    where = f"per_column.{key}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a mapping such as {{method: ..., threshold: ...}}")
    allowed = ("method", "threshold", "log", "relative_to")
    for name, value in raw.items():
        if name not in allowed:
            raise ValueError(f"{where}.{name}: unknown key (allowed: {', '.join(allowed)})")
        if name == "threshold" and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{where}.threshold: expected a number, got {value!r}")
        if name == "log" and not isinstance(value, bool):
            raise ValueError(f"{where}.log: expected true or false, got {value!r}")
    levels = raw.get("relative_to") or ()
    try:
        return ColumnOverride(
            method=None if raw.get("method") is None else str(raw["method"]),
            threshold=None if raw.get("threshold") is None else float(raw["threshold"]),
            log=raw.get("log", False),
            relative_to=(levels,) if isinstance(levels, str) else tuple(map(str, levels)),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


class _FrozenMap(Mapping[str, ColumnOverride]):
    """A read-only, hashable mapping: the frozen configuration stays hashable."""

    def __init__(self, items: Mapping[str, ColumnOverride]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> ColumnOverride:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=lambda item: item[0])))

    def __repr__(self) -> str:
        return repr(self._items)


@dataclass(frozen=True)
class DriftConfig:
    """The ``drift:`` section of the configuration (see config/default.yaml)."""

    numeric_method: str = "wasserstein"
    numeric_threshold: float = 0.1
    categorical_method: str = "jensenshannon"
    categorical_threshold: float = 0.1
    columns: tuple[str, ...] = ()  # keys to monitor; empty: every feature column present
    per_column: Mapping[str, ColumnOverride] = field(default_factory=dict)
    probability_method: str = "wasserstein"
    probability_threshold: float = 0.1
    decision_method: str = "jensenshannon"
    decision_threshold: float = 0.1
    orange_from: int = 1  # drifted feature columns for an orange alert
    red_from: int = 3  # ... and for a red one
    min_rows: int = 30  # fewer rows in the batch or the reference: drift is refused
    # Thresholds sized to the batch: a column's threshold is the larger of its configured
    # value and this quantile of the distances between batches of the batch's size and
    # references, both drawn like the reference (numpy distances only).
    sized: bool = True
    noise_quantile: float = 0.999
    noise_samples: int = 400

    def __post_init__(self) -> None:
        for prefix, kind in (
            ("numeric", NUMERIC),
            ("categorical", CATEGORICAL),
            ("probability", NUMERIC),
            ("decision", CATEGORICAL),
        ):
            method = getattr(self, f"{prefix}_method")
            _check_method(method, kind, f"{prefix}_method")
            _check_threshold(getattr(self, f"{prefix}_threshold"), method, f"{prefix}_threshold")
        if not 1 <= self.orange_from <= self.red_from:
            raise ValueError("need 1 <= orange_from <= red_from")
        if self.min_rows < 2:
            raise ValueError("min_rows must be >= 2")
        if not 0.5 <= self.noise_quantile < 1:
            raise ValueError("noise_quantile must be in [0.5, 1)")
        if self.noise_samples < 100:
            raise ValueError("noise_samples must be >= 100")
        raw = self.per_column if self.per_column is not None else {}
        if not isinstance(raw, Mapping):
            raise ValueError("per_column must be a mapping {column key: {method, threshold}}")
        items = {str(k): _override(str(k), v) for k, v in raw.items()}
        object.__setattr__(self, "per_column", _FrozenMap(items))

    def settings(self, key: str, kind: str) -> tuple[str, float, ColumnOverride]:
        """(method, threshold, override) of a feature column of this kind."""
        over = self.per_column.get(key, ColumnOverride())
        method = over.method or getattr(self, f"{kind}_method")
        try:
            _check_method(method, kind, f"drift.per_column.{key}.method")
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        threshold = over.threshold or getattr(self, f"{kind}_threshold")
        return method, threshold, over


def is_drifted(method: str, score: float, threshold: float) -> bool:
    """Distances drift at ``score >= threshold``, p-values at ``score < threshold``."""
    if not math.isfinite(score):
        return False
    return score < threshold if method in P_VALUES else score >= threshold
