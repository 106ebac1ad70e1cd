"""SHAP explanations of the model's scores, grouped back to the columns an auditor knows.

**Contributions.** Exact for every registrable family (:meth:`TrainedModel.contributions`):
XGBoost's TreeSHAP (``Booster.predict(DMatrix, pred_contribs=True)``), a linear model's
``w_i z_i``, or their weighted sum for a blend — one log-odds contribution per model feature
plus a bias (the base value, the expected margin over the training data); they add up to
the model's margin, which is checked.

**Grouping rule.** Each feature's source columns (``FeaturePipeline.feature_table``) are
first reduced: a hierarchy path (family, category, sub-category) counts as its deepest
level, since the parents only make the key unique; the client-history sources (client ID,
date, claim ID, label) become one pseudo-column, ``history`` ("Historique du client"). Then:

* ``grouping="split"`` (default): a feature derived from k columns gives 1/k of its
  contribution to each (e.g. ``log_amount_to_pnb`` half to the amount, half to the PNB),
  so there is one bar per column;
* ``grouping="named"``: the feature goes to the named group of all its columns, e.g.
  "Montant demandé × PNB".

Both are a weight matrix whose rows sum to 1, so the grouped contributions still add up to
the margin exactly.

**Probability scale.** The calibrated probability is not additive in log-odds, so group
contributions are converted by walking the path: start at the base margin, add the groups'
log-odds in order of decreasing absolute value, apply the calibrator at each step and take
the differences. They add up exactly to ``p - p_base`` (``p_base`` = calibrator(base
margin)); with isotonic calibration a small step may be 0 (a flat stretch of the map).

The result types are in ``core.explain.results``; stored summaries, claims found by ID and
similar claims in ``core.explain.lookup``; the what-if editing in ``core.explain.whatif``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from core.exceptions import WorkbenchError
from core.explain.results import ClaimExplanation, GlobalExplanation, GroupContribution
from core.explain.text import (
    HIERARCHY_ROLES,
    HISTORY,
    ROLE_ORDER,
    Facts,
    describe,
    group_label,
    sentence,
)
from core.explain.text import value_text as _value_text
from core.model.calibration import Calibrator
from core.model.features import FeaturePipeline
from core.model.trained import TrainedModel

__all__ = [
    "GROUPINGS",
    "Grouping",
    "explain_claim",
    "explain_sample",
    "feature_grouping",
    "importance_csv",
    "ordered_roles",
    "probability_path",
    "reasons",
    "sample_rows",
    "shap_values",
]

GROUPINGS = ("split", "named")
_THREADS = 1  # XGBoost (OpenMP) threads for SHAP; see shap_values
_HISTORY_ROLES = ("client_id", "date", "id", "label")


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True, eq=False)
class Grouping:
    """How model features map to column groups: ``weights`` (features x groups)."""

    kind: str
    keys: tuple[str, ...]  # "amount", "amount+pnb", "history", ...
    columns: tuple[tuple[str, ...], ...]  # the columns of each group
    weights: np.ndarray  # rows sum to 1
    value_features: tuple[str, ...]  # per group: the feature that stands for its value
    roles: Mapping[str, str]  # frame key -> role

    def label(self, index: int, locale: str = "fr") -> str:
        return group_label(self.columns[index], self.roles, locale)


def _roles(pipeline: FeaturePipeline) -> dict[str, str]:
    roles = {key: role for role, key in pipeline.columns.items()}
    roles.update(dict.fromkeys((*pipeline.extra_categories, *pipeline.extra_numbers), "extra"))
    return roles


def ordered_roles(pipeline: FeaturePipeline) -> list[str]:
    """The roles the pipeline maps, in the schema's order."""
    return [r for r in ROLE_ORDER if r in pipeline.columns]


def _reduced_sources(pipeline: FeaturePipeline) -> dict[str, tuple[str, ...]]:
    """Each feature's columns after the hierarchy and history reductions, in column order."""
    cols = pipeline.columns
    history = {cols[r] for r in _HISTORY_ROLES if r in cols}
    hier = [cols[r] for r in HIERARCHY_ROLES if r in cols]
    order = [HISTORY if r == "client_id" else cols[r] for r in ordered_roles(pipeline)]
    order += [*pipeline.extra_categories, *pipeline.extra_numbers]
    rank = {c: i for i, c in enumerate(order)}
    out = {}
    for spec in pipeline.feature_specs_:
        src = list(spec["sources"])
        reduced = [HISTORY] if {cols.get("client_id"), cols.get("date")} <= set(src) else []
        src = [s for s in src if s not in history]
        deepest = max((hier.index(s) for s in src if s in hier), default=-1)
        reduced += [s for s in src if s not in hier or hier.index(s) == deepest]
        ordered = sorted(dict.fromkeys(reduced), key=lambda c: rank.get(c, len(rank)))
        out[spec["name"]] = tuple(ordered) or (spec["name"],)
    return out


def feature_grouping(pipeline: FeaturePipeline, kind: str = "split") -> Grouping:
    """The grouping of the pipeline's features (see the module doc for the rule)."""
    if kind not in GROUPINGS:
        raise ValueError(f"grouping {kind!r} is not one of {', '.join(GROUPINGS)}")
    sources = _reduced_sources(pipeline)
    names = pipeline.feature_names
    if kind == "split":
        groups = list(dict.fromkeys((c,) for cols in sources.values() for c in cols))
    else:
        groups = list(dict.fromkeys(sources.values()))
    index = {g: i for i, g in enumerate(groups)}
    weights = np.zeros((len(names), len(groups)))
    for f, name in enumerate(names):
        cols = sources[name]
        if kind == "split":
            for c in cols:
                weights[f, index[(c,)]] = 1.0 / len(cols)
        else:
            weights[f, index[cols]] = 1.0
    value_features = []
    for g in groups:
        exact = [n for n in names if sources[n] == g]
        touching = [n for n in names if set(g) <= set(sources[n])]
        value_features.append((exact or touching or names)[0])
    keys = tuple("+".join(g) for g in groups)
    return Grouping(kind, keys, tuple(groups), weights, tuple(value_features), _roles(pipeline))


# --------------------------------------------------------------------------- SHAP core


def shap_values(model: TrainedModel, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(contributions n x (features + 1) with the bias last, booster margins), float64.

    One DMatrix, one OpenMP thread, serves both predictions: a default all-threads DMatrix
    cost ~24 ms of OpenMP start-up per claim on the 2 shared cores (0.2 ms with one), and
    a second thread did not speed up 2,000 claims (0.33 s vs 0.29 s).
    """
    contribs = model.contributions(features)
    margins = model.margin_of_features(features).astype(float)
    total = contribs.sum(axis=1)
    if not np.allclose(total, margins, rtol=1e-4, atol=1e-3):
        worst = float(np.max(np.abs(total - margins)))
        raise WorkbenchError(
            f"The SHAP contributions do not add up to the model's margin (gap {worst:.2e}): "
            "the model file may be inconsistent; retrain or activate another version."
        )
    return contribs, margins


def probability_path(
    calibrator: Calibrator, base_margin: float | np.ndarray, log_odds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probability-scale contributions of ``log_odds`` (1-D, or n x groups), their start
    and end probabilities: groups added by decreasing |log-odds|, calibrated at each step,
    differences taken (they add up to end - start exactly)."""
    lo = np.atleast_2d(np.asarray(log_odds, dtype=float))
    base = np.broadcast_to(np.asarray(base_margin, dtype=float), (lo.shape[0],))
    order = np.argsort(-np.abs(lo), axis=1, kind="stable")
    steps = np.take_along_axis(lo, order, axis=1)
    path = np.concatenate([base[:, None], base[:, None] + np.cumsum(steps, axis=1)], axis=1)
    p = calibrator.predict(path.ravel()).reshape(path.shape)
    deltas = np.empty_like(lo)
    np.put_along_axis(deltas, order, np.diff(p, axis=1), axis=1)
    if np.ndim(log_odds) == 1:
        return deltas[0], p[0, 0], p[0, -1]
    return deltas, p[:, 0], p[:, -1]


# --------------------------------------------------------------------------- one claim


def explain_claim(
    model: TrainedModel,
    frame_row: pd.DataFrame,
    history: pd.DataFrame | None = None,
    *,
    grouping: str = "split",
    currency: str,
) -> ClaimExplanation:
    """Explain the score of the one claim in ``frame_row`` (validated, keyed columns); the
    reasons quote amounts in ``currency`` (the profile's ``costs.currency``)."""
    start = time.perf_counter()
    if len(frame_row) != 1:
        raise WorkbenchError(f"explain_claim needs exactly one claim (got {len(frame_row)}).")
    groups = feature_grouping(model.features, grouping)
    features = model.transform(frame_row, history)
    contribs, _ = shap_values(model, features)
    phi, base = contribs[0, :-1], float(contribs[0, -1])
    group_lo = phi @ groups.weights
    group_p, p_base, p = probability_path(model.calibrator, base, group_lo)
    values = features.iloc[0].to_numpy(float)
    by_name = dict(zip(model.feature_names, values, strict=True))
    facts = Facts(_raw_values(frame_row), by_name, groups.roles, currency)
    items = [
        _group_item(groups, i, facts, float(group_lo[i]), float(group_p[i]))
        for i in np.argsort(-np.abs(group_lo), kind="stable")
    ]
    id_key = model.features.columns.get("id")
    claim_id = facts.text(id_key) if id_key else None
    draft = ClaimExplanation(
        claim_id=claim_id or "",
        base_margin=base,
        margin=base + float(phi.sum()),
        base_probability=float(p_base),
        probability=float(p),
        contributions=tuple(items),
        reasons_fr=(),
        reasons_en=(),
        model_version=str(model.metadata.get("version", "")),
        grouping=grouping,
        feature_names=tuple(model.feature_names),
        feature_values=tuple(values.tolist()),
        feature_log_odds=tuple(phi.tolist()),
    )
    return replace(
        draft,
        reasons_fr=tuple(reasons(draft, "fr")),
        reasons_en=tuple(reasons(draft, "en")),
        seconds=time.perf_counter() - start,
    )


def _raw_values(frame_row: pd.DataFrame) -> dict[str, Any]:
    row = frame_row.iloc[0]
    return {str(k): (None if _missing(v) else v) for k, v in row.items()}


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _group_item(groups: Grouping, i: int, facts: Facts, lo: float, p: float) -> GroupContribution:
    cols = groups.columns[i]
    return GroupContribution(
        column=groups.keys[i],
        label=groups.label(i, "fr"),
        value_text=" · ".join(_value_text(c, facts, "fr") for c in cols),
        log_odds=lo,
        probability=p,
        label_en=groups.label(i, "en"),
        value_text_en=" · ".join(_value_text(c, facts, "en") for c in cols),
        reason_fr=describe(cols, facts, "fr"),
        reason_en=describe(cols, facts, "en"),
        columns=cols,
    )


def reasons(explanation: ClaimExplanation, locale: str = "fr", n: int = 3) -> list[str]:
    """The ``n`` strongest reasons (largest probability-scale contributions) as sentences."""
    ranked = sorted(
        (g for g in explanation.contributions if abs(g.log_odds) > 1e-9),
        key=lambda g: (abs(g.probability), abs(g.log_odds)),
        reverse=True,
    )
    return [sentence(g.reason_in(locale), g.probability, locale) for g in ranked[:n]]


# --------------------------------------------------------------------------- many claims


def explain_sample(
    model: TrainedModel,
    frame: pd.DataFrame,
    history: pd.DataFrame | None = None,
    *,
    grouping: str = "split",
    source: str = "",
) -> GlobalExplanation:
    """SHAP values of every claim of ``frame`` grouped by column, and their importance."""
    start = time.perf_counter()
    if frame.empty:
        raise WorkbenchError("There are no claims to explain in this sample.")
    groups = feature_grouping(model.features, grouping)
    features = model.transform(frame, history)
    contribs, _ = shap_values(model, features)
    base = float(contribs[0, -1])
    lo = contribs[:, :-1] @ groups.weights
    prob, _, _ = probability_path(model.calibrator, contribs[:, -1], lo)
    stand_in = features[list(groups.value_features)].to_numpy(float)
    colour = pd.DataFrame(stand_in).rank(pct=True).to_numpy(float)
    values = pd.DataFrame(
        {
            key: _dependence_values(frame, features, cols, feature, groups.roles)
            for key, cols, feature in zip(
                groups.keys, groups.columns, groups.value_features, strict=True
            )
        }
    )
    labels_fr = tuple(groups.label(i, "fr") for i in range(len(groups.keys)))
    labels_en = tuple(groups.label(i, "en") for i in range(len(groups.keys)))
    importance = pd.DataFrame(
        {
            "column": groups.keys,
            "label_fr": labels_fr,
            "label_en": labels_en,
            "mean_abs_log_odds": np.abs(lo).mean(axis=0),
            "mean_log_odds": lo.mean(axis=0),
            "mean_abs_probability": np.abs(prob).mean(axis=0),
        }
    )
    total = importance["mean_abs_log_odds"].sum()
    importance["share"] = importance["mean_abs_log_odds"] / total if total > 0 else 0.0
    importance = importance.sort_values("mean_abs_log_odds", ascending=False, kind="stable")
    return GlobalExplanation(
        model_version=str(model.metadata.get("version", "")),
        source=source,
        grouping=grouping,
        keys=groups.keys,
        labels_fr=labels_fr,
        labels_en=labels_en,
        base_margin=base,
        contributions=lo,
        colour=colour,
        values=values,
        importance=importance.reset_index(drop=True),
        seconds=time.perf_counter() - start,
    )


def _dependence_values(
    frame: pd.DataFrame,
    features: pd.DataFrame,
    cols: tuple[str, ...],
    feature: str,
    roles: Mapping[str, str],
) -> np.ndarray:
    """A single real column: its raw values (numbers or text); else the stand-in feature."""
    if len(cols) == 1 and cols[0] != HISTORY and cols[0] in frame.columns:
        raw = frame[cols[0]]
        numeric = pd.to_numeric(raw, errors="coerce")
        if roles.get(cols[0]) in ("amount", "pnb", "delay", "tenure") or numeric.notna().all():
            return numeric.to_numpy(float)
        return raw.astype("string").fillna("—").to_numpy(dtype=object)
    return features[feature].to_numpy(float)


def sample_rows(frame: pd.DataFrame, size: int, seed: int = 0) -> pd.DataFrame:
    """At most ``size`` rows of ``frame`` (a fixed random sample, original order kept)."""
    if len(frame) <= size:
        return frame
    return frame.sample(n=size, random_state=seed).sort_index()


def importance_csv(summary: GlobalExplanation, locale: str = "fr") -> bytes:
    """The importance table as CSV for Excel: ';' and decimal commas in French."""
    table = summary.importance.drop(columns=["label_en" if locale != "en" else "label_fr"])
    table = table.rename(columns={"label_fr": "label", "label_en": "label"})
    sep, decimal = (",", ".") if locale == "en" else (";", ",")
    return table.to_csv(index=False, sep=sep, decimal=decimal).encode("utf-8-sig")
