"""Data drift of a batch against a reference sample: Evidently, distance measures, alerts.

:func:`compute_drift` compares a batch (frame keyed by column key, optionally with a
``probability`` column) with a reference (the sample kept with the model, or another batch)
with Evidently's ``DataDriftPreset``, one method and threshold per column from ``cfg.drift``.
The :class:`DriftReport` holds per-column scores, the alert level and the Evidently snapshot
as ``Snapshot.dumps()`` text (``save_json`` does not reload). Storage and HTML rendering:
:mod:`core.drift_store`.

Distances, not p-values: at 2,000-50,000 rows a p-value test (KS, chi-square) flags shifts
nobody cares about; a distance (normed Wasserstein, Jensen-Shannon) says how far a
distribution moved whatever the batch size. The thresholds of config/default.yaml sit above
the noise measured on 2,000-claim batches drawn like the reference.

Money columns may take two transforms: ``log`` (distance on ``log1p(value)``) and
``relative_to`` (that value minus the reference median of the row's sub-category, else of the
next listed level with at least 30 reference rows). The claims mix has its own columns; the
amount *within* its kind of claim is what "claims got bigger" means, and the marginal amount
distribution is too noisy to show a +15 % shift at 2,000 rows.

The alert level counts drifted FEATURE columns only. Probability and decision-mix drift are
reported beside them, not counted: they move because features moved (counting them would
turn most orange alerts red), and the model's reference probabilities are partly in-sample.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.drift_store import (
    CATEGORICAL,
    DECISION_MIX,
    FEATURE_KINDS,
    NUMERIC,
    PROBABILITY,
    ColumnDrift,
    DriftError,
    DriftReport,
    alert_level,
)
from core.exceptions import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from evidently.core.report import Snapshot

    from core.config import ColumnSpec, Config

logger = logging.getLogger(__name__)

_NOT_FEATURES = ("id", "client_id", "date", "label")  # roles never monitored
# Evidently methods. Distances drift at score >= threshold, p-values at score < threshold.
DISTANCES = frozenset({"wasserstein", "ed", "jensenshannon", "hellinger", "psi", "kl_div"})
_PV_NUMERIC = {"ks", "t_test", "mannw", "anderson", "cramer_von_mises", "es", "empirical_mmd"}
_PV_CATEGORICAL = {"chisquare", "z", "fisher_exact", "g_test", "TVD"}
P_VALUES = frozenset(_PV_NUMERIC | _PV_CATEGORICAL)
_NOT_FOR = {
    NUMERIC: frozenset(_PV_CATEGORICAL),
    CATEGORICAL: frozenset(_PV_NUMERIC | {"wasserstein", "ed"}),
}
_MIN_GROUP_ROWS = 30  # relative_to: reference rows a level needs for its own median


# --------------------------------------------------------------------------- configuration


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


# --------------------------------------------------------------------------- computing


@dataclass(frozen=True)
class _Plan:
    """One column as compared: its key, label in the report, method and transforms."""

    key: str
    label: str
    kind: str
    method: str
    threshold: float
    log: bool = False
    relative_to: tuple[str, ...] = ()


def compute_drift(
    current: pd.DataFrame,
    reference: pd.DataFrame,
    cfg: Config,
    *,
    batch_id: int | None = None,
    reference_name: str = "reference",
    thresholds: tuple[float, float] | None = None,
) -> DriftReport:
    """Drift of ``current`` against ``reference`` (frames keyed by column key).

    When both frames hold ``probability``, the probability distribution and the decision
    mix (``core.decisions.decide`` with ``thresholds``, default ``cfg.thresholds``) are
    compared too. Monitored columns missing or empty in either frame are listed in
    ``missing_columns``. Raises :class:`DriftError` below ``cfg.drift.min_rows`` rows.
    """
    dcfg = cfg.drift
    _check_rows(len(current), len(reference), dcfg.min_rows)
    plans, missing = _plans(current, reference, cfg)
    if not any(p.kind in FEATURE_KINDS for p in plans):
        raise DriftError(
            "Aucune colonne à comparer entre le lot et la référence. / No monitored column "
            f"is present in both the batch and the reference (missing: {', '.join(missing)})."
        )
    pair = thresholds or (cfg.thresholds.low, cfg.thresholds.high)
    cur, ref = _frames(current, reference, plans, pair)
    created = datetime.now(UTC).replace(tzinfo=None)
    snapshot = _run_report(cur, ref, plans, dcfg, f"batch:{batch_id}", reference_name, created)
    columns = _scores(snapshot, plans)
    features = [c for c in columns if c.kind in FEATURE_KINDS]
    drifted = tuple(c.column for c in features if c.drifted)
    level = alert_level(len(drifted), orange_from=dcfg.orange_from, red_from=dcfg.red_from)
    logger.info("drift of batch %s vs %s: %s %s", batch_id, reference_name, level, drifted)
    return DriftReport(
        batch_id=batch_id,
        reference=reference_name,
        created_at=created,
        columns=columns,
        share_drifted=len(drifted) / len(features) if features else 0.0,
        alert_level=level,
        drifted_columns=drifted,
        snapshot_json=snapshot.dumps(),
        missing_columns=tuple(missing),
        n_current=len(current),
        n_reference=len(reference),
    )


def _check_rows(n_current: int, n_reference: int, min_rows: int) -> None:
    for what_fr, what_en, n in (
        ("le lot", "the batch", n_current),
        ("la référence", "the reference", n_reference),
    ):
        if n < min_rows:
            raise DriftError(
                f"Dérive non calculée : {what_fr} n'a que {n} lignes (minimum {min_rows}). / "
                f"Drift not computed: {what_en} has only {n} rows (minimum {min_rows}, "
                "drift.min_rows in the configuration)."
            )


def _monitored(cfg: Config) -> list[tuple[ColumnSpec, str]]:
    """(column spec, kind) of each monitored column; explicit keys must be features."""
    kinds = {"amount": NUMERIC, "number": NUMERIC, "category": CATEGORICAL}
    if not cfg.drift.columns:
        features = [c for c in cfg.schema.columns if c.role not in _NOT_FEATURES]
        return [(c, kinds[c.type]) for c in features if c.type in kinds]
    by_key = {c.key: c for c in cfg.schema.columns}
    out = []
    for key in cfg.drift.columns:
        spec = by_key.get(key)
        if spec is None or spec.role in _NOT_FEATURES or spec.type not in kinds:
            raise ConfigError(
                f"drift.columns: {key!r} is not a feature column of the schema (a number or a "
                "category; ids, dates and the label are never monitored)"
            )
        out.append((spec, kinds[spec.type]))
    return out


def _usable(frame: pd.DataFrame, key: str, min_rows: int) -> bool:
    return key in frame.columns and int(frame[key].notna().sum()) >= min_rows


def _plans(
    current: pd.DataFrame, reference: pd.DataFrame, cfg: Config
) -> tuple[list[_Plan], list[str]]:
    """What to compare, and the monitored keys missing (or empty) in either frame."""
    dcfg, en = cfg.drift, cfg.locale == "en"
    n = dcfg.min_rows
    headers = {c.key: c.name for c in cfg.schema.columns}
    plans, missing = [], []
    for spec, kind in _monitored(cfg):
        if not (_usable(current, spec.key, n) and _usable(reference, spec.key, n)):
            missing.append(spec.key)
            continue
        method, threshold, over = dcfg.settings(spec.key, kind)
        if kind == CATEGORICAL and (over.log or over.relative_to):
            raise ConfigError(f"drift.per_column.{spec.key}: log and relative_to need numbers")
        label = spec.name + (" (log)" if over.log and not over.relative_to else "")
        if over.relative_to:
            level = headers.get(over.relative_to[0], over.relative_to[0])
            label += f" ({'log, ' if over.log else ''}{'vs' if en else 'relatif à'} {level})"
        plans.append(_Plan(spec.key, label, kind, method, threshold, over.log, over.relative_to))
    if _usable(current, PROBABILITY, n) and _usable(reference, PROBABILITY, n):
        label = "Probability" if en else "Probabilité"
        method, threshold = dcfg.probability_method, dcfg.probability_threshold
        plans.append(_Plan(PROBABILITY, label, PROBABILITY, method, threshold))
        label = "Decision" if en else "Décision"
        method, threshold = dcfg.decision_method, dcfg.decision_threshold
        plans.append(_Plan(DECISION_MIX, label, DECISION_MIX, method, threshold))
    return plans, missing


def _frames(
    current: pd.DataFrame, reference: pd.DataFrame, plans: list[_Plan], pair: tuple[float, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames as given to Evidently: one column per plan, named by its label."""
    cur: dict[str, np.ndarray] = {}
    ref: dict[str, np.ndarray] = {}
    for p in plans:
        if p.kind == NUMERIC:
            cur[p.label], ref[p.label] = _numeric(current, reference, p)
        elif p.kind == CATEGORICAL:
            cur[p.label], ref[p.label] = _text(current[p.key]), _text(reference[p.key])
        elif p.kind == PROBABILITY:
            cur[p.label], ref[p.label] = _floats(current[p.key]), _floats(reference[p.key])
        else:
            cur[p.label] = _decisions(current[PROBABILITY], pair)
            ref[p.label] = _decisions(reference[PROBABILITY], pair)
    return pd.DataFrame(cur), pd.DataFrame(ref)


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _text(values: pd.Series) -> np.ndarray:
    series = pd.Series(values.to_numpy(dtype=object))
    return series.where(series.isna(), series.astype(str)).to_numpy(dtype=object)


def _decisions(probability: pd.Series, pair: tuple[float, float]) -> np.ndarray:
    from core.decisions import DECISION_CODES, decide  # here: core.config imports this module

    codes = decide(_floats(probability), *pair)
    return np.array([DECISION_CODES[int(c)] for c in codes], dtype=object)


def _numeric(
    current: pd.DataFrame, reference: pd.DataFrame, plan: _Plan
) -> tuple[np.ndarray, np.ndarray]:
    cur, ref = _floats(current[plan.key]), _floats(reference[plan.key])
    if plan.log:
        cur, ref = np.log1p(np.clip(cur, 0.0, None)), np.log1p(np.clip(ref, 0.0, None))
    if plan.relative_to:
        levels = [k for k in plan.relative_to if k in current.columns and k in reference.columns]
        centre_cur, centre_ref = _centres(current, reference, ref, levels)
        cur, ref = cur - centre_cur, ref - centre_ref
    return cur, ref


def _centres(
    current: pd.DataFrame, reference: pd.DataFrame, ref_values: np.ndarray, levels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Reference median of each row's first level with enough reference rows (else overall)."""
    values = pd.Series(ref_values)
    centres = [pd.Series(np.nan, index=range(len(f))) for f in (current, reference)]
    for level in levels:
        groups = values.groupby(reference[level].to_numpy(dtype=object))
        medians = groups.median()[groups.count() >= _MIN_GROUP_ROWS]
        for i, frame in enumerate((current, reference)):
            level_values = pd.Series(frame[level].to_numpy(dtype=object))
            centres[i] = centres[i].fillna(level_values.map(medians))
    overall = float(values.median())
    return centres[0].fillna(overall).to_numpy(), centres[1].fillna(overall).to_numpy()


def _run_report(
    cur: pd.DataFrame,
    ref: pd.DataFrame,
    plans: list[_Plan],
    dcfg: DriftConfig,
    name: str,
    reference_name: str,
    created: datetime,
) -> Snapshot:
    """Evidently: DataDriftPreset over the features, ValueDrift for probability and mix."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift
    from evidently.presets import DataDriftPreset

    features = [p for p in plans if p.kind in FEATURE_KINDS]
    definition = DataDefinition(
        numerical_columns=[p.label for p in plans if p.kind in (NUMERIC, PROBABILITY)],
        categorical_columns=[p.label for p in plans if p.kind in (CATEGORICAL, DECISION_MIX)],
    )
    preset = DataDriftPreset(
        columns=[p.label for p in features],
        drift_share=min(1.0, dcfg.red_from / len(features)),  # "dataset drift" <=> red
        per_column_method={p.label: p.method for p in features},
        per_column_threshold={p.label: p.threshold for p in features},
    )
    outputs = [p for p in plans if p.kind not in FEATURE_KINDS]
    extra = [ValueDrift(column=p.label, method=p.method, threshold=p.threshold) for p in outputs]
    report = Report([preset, *extra], metadata={"reference": reference_name})
    return report.run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
        timestamp=created,
        name=f"{name} vs {reference_name}",
    )


def _scores(snapshot: Snapshot, plans: list[_Plan]) -> tuple[ColumnDrift, ...]:
    """Per-column scores read from the snapshot's ValueDrift results, in plan order."""
    by_label = {p.label: p for p in plans}
    found: dict[str, ColumnDrift] = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config") or {}
        plan = by_label.get(config.get("column"))
        if plan is None or not str(config.get("type", "")).endswith("ValueDrift"):
            continue
        score = float(metric["value"])
        drifted = is_drifted(plan.method, score, plan.threshold)
        found[plan.label] = ColumnDrift(
            plan.key, plan.method, score, plan.threshold, drifted, plan.kind, plan.label
        )
    lost = [p.label for p in plans if p.label not in found]
    if lost:
        logger.warning("no drift score came back for %s", lost)
    return tuple(found[p.label] for p in plans if p.label in found)
