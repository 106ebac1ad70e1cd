"""Data drift of a batch against a reference sample: distances, thresholds sized to the
batch, alerts.

:func:`compute_drift` compares a batch (frame keyed by column key, optionally with a
``probability`` column) with a reference (the sample kept with the model, or another batch),
one method per column from ``cfg.drift``. The two default distances (normed Wasserstein,
Jensen-Shannon) are computed in numpy (:mod:`core.drift.distances`), exactly as Evidently
defines them; other configured methods go through Evidently. The full Evidently report is
built only when someone opens it (:mod:`core.drift.evidently`).

Distances, not p-values: at 2,000-50,000 rows a p-value test (KS, chi-square) flags shifts
nobody cares about; a distance says how far a distribution moved. But a distance also has
noise, larger for smaller batches: each column's threshold is the larger of its configured
value (the smallest shift worth an alert; config/default.yaml's sit above the noise of
2,000-claim batches) and the ``drift.noise_quantile`` of the distances between batches of
this batch's size and references drawn like the reference (``drift.sized``).

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
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.config.drift import (
    CATEGORICAL,
    DECISION_MIX,
    FEATURE_KINDS,
    NUMERIC,
    PROBABILITY,
    DriftConfig,
    is_drifted,
)
from core.decide.decisions import DECISION_CODES, decide
from core.drift.distances import NATIVE_METHODS, distance, noise_quantiles
from core.drift.plan import ColumnPlan
from core.drift.report import ColumnDrift, DriftReport, alert_level
from core.exceptions import ConfigError, DriftError

if TYPE_CHECKING:  # pragma: no cover
    from core.config.schema import ColumnSpec
    from core.config.settings import Config

logger = logging.getLogger(__name__)

_NOT_FEATURES = ("id", "client_id", "date", "label")  # roles never monitored
_MIN_GROUP_ROWS = 30  # relative_to: reference rows a level needs for its own median


# --------------------------------------------------------------------------- computing


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
    mix (``core.decide.decisions.decide`` with ``thresholds``, default ``cfg.thresholds``) are
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
    clients = reference["client_id"].to_numpy() if "client_id" in reference.columns else None
    columns = _native_scores(cur, ref, plans, dcfg, clients)
    legacy = [p for p in plans if p.label not in {c.label for c in columns}]
    if legacy:  # methods without a numpy implementation: Evidently scores them
        from core.drift.evidently import evidently_scores

        columns += evidently_scores(cur, ref, legacy, dcfg, reference_name, created)
        order = {p.label: i for i, p in enumerate(plans)}
        columns = tuple(sorted(columns, key=lambda c: order[c.label]))
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
        missing_columns=tuple(missing),
        n_current=len(current),
        n_reference=len(reference),
    )


def build_snapshot(
    current: pd.DataFrame,
    reference: pd.DataFrame,
    cfg: Config,
    report: DriftReport,
    *,
    thresholds: tuple[float, float] | None = None,
) -> str:
    """The full Evidently report of a computed drift report (``Snapshot.dumps()`` text), each
    column judged against the same threshold as in the alert."""
    from dataclasses import replace as with_

    from core.drift.evidently import run_report

    plans, _ = _plans(current, reference, cfg)
    used = {c.label: c.threshold for c in report.columns}
    plans = [with_(p, threshold=used.get(p.label, p.threshold)) for p in plans]
    pair = thresholds or (cfg.thresholds.low, cfg.thresholds.high)
    cur, ref = _frames(current, reference, plans, pair)
    name = f"batch:{report.batch_id}"
    snapshot = run_report(cur, ref, plans, cfg.drift, name, report.reference, report.created_at)
    return snapshot.dumps()


def _native_scores(
    cur: pd.DataFrame,
    ref: pd.DataFrame,
    plans: list[ColumnPlan],
    dcfg: DriftConfig,
    clients: np.ndarray | None,
) -> tuple[ColumnDrift, ...]:
    """Distances computed in numpy, each against its threshold sized to the batch."""
    native = {}
    for p in plans:
        numeric = p.kind in (NUMERIC, PROBABILITY)
        if (p.method == "wasserstein") == numeric and p.method in NATIVE_METHODS:
            native[p.label] = (p, numeric)
    noise: dict[str, float] = {}
    if dcfg.sized and native:
        n = max(int(cur[label].notna().sum()) for label in native)
        columns = {
            label: (numeric, ref[label].to_numpy()) for label, (_, numeric) in native.items()
        }
        noise = noise_quantiles(
            columns, clients, n, quantile=dcfg.noise_quantile, samples=dcfg.noise_samples
        )
    found = []
    for label, (p, numeric) in native.items():
        score = distance(p.method, numeric, ref[label].to_numpy(), cur[label].to_numpy())
        threshold = max(p.threshold, noise.get(label, 0.0))
        drifted = is_drifted(p.method, score, threshold)
        found.append(
            ColumnDrift(p.key, p.method, score, threshold, drifted, p.kind, p.label,
                        floor=p.threshold, noise=noise.get(label))
        )  # fmt: skip
    return tuple(found)


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
) -> tuple[list[ColumnPlan], list[str]]:
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
        plans.append(
            ColumnPlan(spec.key, label, kind, method, threshold, over.log, over.relative_to)
        )
    if _usable(current, PROBABILITY, n) and _usable(reference, PROBABILITY, n):
        label = "Probability" if en else "Probabilité"
        method, threshold = dcfg.probability_method, dcfg.probability_threshold
        plans.append(ColumnPlan(PROBABILITY, label, PROBABILITY, method, threshold))
        label = "Decision" if en else "Décision"
        method, threshold = dcfg.decision_method, dcfg.decision_threshold
        plans.append(ColumnPlan(DECISION_MIX, label, DECISION_MIX, method, threshold))
    return plans, missing


def _frames(
    current: pd.DataFrame,
    reference: pd.DataFrame,
    plans: list[ColumnPlan],
    pair: tuple[float, float],
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
    codes = decide(_floats(probability), *pair)
    return np.array([DECISION_CODES[int(c)] for c in codes], dtype=object)


def _numeric(
    current: pd.DataFrame, reference: pd.DataFrame, plan: ColumnPlan
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
