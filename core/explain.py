"""SHAP explanations of the model's scores, grouped back to the columns an auditor knows.

**Contributions.** XGBoost's exact TreeSHAP (``Booster.predict(DMatrix, pred_contribs=True)``)
gives one log-odds contribution per model feature plus a bias (the base value, the expected
margin over the training data); they add up to the booster's margin, which is checked.

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
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import xgboost

from core.calibration import Calibrator
from core.config import Config
from core.decisions import decide
from core.exceptions import StoreError, WorkbenchError
from core.explain_text import (
    HIERARCHY_ROLES,
    HISTORY,
    ROLE_ORDER,
    Facts,
    describe,
    group_label,
    sentence,
)
from core.explain_text import value_text as _value_text
from core.features import FeaturePipeline
from core.model import TrainedModel
from core.rules import apply_rules
from core.store import Store

__all__ = [
    "GROUPINGS",
    "SOURCE_REFERENCE",
    "ClaimDecision",
    "ClaimExplanation",
    "ClaimLocation",
    "GlobalExplanation",
    "GroupContribution",
    "Grouping",
    "SimilarOutcome",
    "batch_source",
    "claim_frame",
    "claim_history",
    "compute_summary",
    "decide_claim",
    "edit_claim",
    "explain_claim",
    "explain_sample",
    "feature_grouping",
    "find_claim",
    "importance_csv",
    "level_choices",
    "load_summary",
    "ordered_roles",
    "probability_path",
    "reasons",
    "sample_for",
    "sample_rows",
    "save_summary",
    "shap_values",
    "similar_claims",
    "suggest_claim_ids",
]

log = logging.getLogger(__name__)

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
    matrix = features[model.feature_names].to_numpy(np.float32)
    data = xgboost.DMatrix(matrix, feature_names=model.feature_names, nthread=_THREADS)
    contribs = model.booster.predict(data, pred_contribs=True).astype(float)
    margins = model.booster.predict(data, output_margin=True).astype(float)
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


@dataclass(frozen=True)
class GroupContribution:
    """One column (or named group of columns) in a claim's explanation."""

    column: str  # group key: "amount", "history", "amount+pnb"
    label: str  # French
    value_text: str  # French
    log_odds: float
    probability: float  # on the probability scale (see the module doc)
    label_en: str = ""
    value_text_en: str = ""
    reason_fr: str = ""  # the description, without the number
    reason_en: str = ""
    columns: tuple[str, ...] = ()

    def label_in(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label

    def value_in(self, locale: str) -> str:
        return self.value_text_en if locale == "en" else self.value_text

    def reason_in(self, locale: str) -> str:
        return self.reason_en if locale == "en" else self.reason_fr


@dataclass(frozen=True)
class ClaimExplanation:
    """Why one claim got its probability: base value + group contributions."""

    claim_id: str
    base_margin: float
    margin: float  # base_margin + sum of contributions
    base_probability: float  # calibrator(base_margin)
    probability: float  # calibrator(margin)
    contributions: tuple[GroupContribution, ...]  # by decreasing |log_odds| (the path order)
    reasons_fr: tuple[str, ...]
    reasons_en: tuple[str, ...]
    model_version: str = ""
    grouping: str = "split"
    feature_names: tuple[str, ...] = ()
    feature_values: tuple[float, ...] = ()
    feature_log_odds: tuple[float, ...] = ()  # ungrouped SHAP values (sum + base = margin)
    seconds: float = 0.0


def explain_claim(
    model: TrainedModel,
    frame_row: pd.DataFrame,
    history: pd.DataFrame | None = None,
    *,
    grouping: str = "split",
) -> ClaimExplanation:
    """Explain the score of the one claim in ``frame_row`` (validated, keyed columns)."""
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
    facts = Facts(_raw_values(frame_row), by_name, groups.roles)
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


@dataclass(frozen=True, eq=False)
class GlobalExplanation:
    """SHAP values of a sample of claims, per group, and the importance table."""

    model_version: str
    source: str  # "reference" or "batch:<id>"
    grouping: str
    keys: tuple[str, ...]
    labels_fr: tuple[str, ...]
    labels_en: tuple[str, ...]
    base_margin: float
    contributions: np.ndarray  # n x groups, log-odds
    colour: np.ndarray  # n x groups: rank (0..1) of the group's value feature, NaN if missing
    values: pd.DataFrame  # n rows, one column per group key: its value (dependence plot x)
    importance: pd.DataFrame  # one row per group, by decreasing mean |log-odds|
    seconds: float
    created_at: datetime | None = None

    @property
    def sample_size(self) -> int:
        return int(self.contributions.shape[0])

    def labels(self, locale: str = "fr") -> tuple[str, ...]:
        return self.labels_en if locale == "en" else self.labels_fr


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


# --------------------------------------------------------------------------- stored summaries

SOURCE_REFERENCE = "reference"


def batch_source(batch_id: int) -> str:
    return f"batch:{int(batch_id)}"


def sample_for(
    source: str, model: TrainedModel, store: Store, size: int = 2000, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(claims, history) of a summary's source: the model's reference sample (its rows are
    their own history) or a stored batch (history: the batch and the clients' other claims)."""
    if source == SOURCE_REFERENCE:
        if model.reference is None or model.reference.empty:
            raise WorkbenchError(
                "Ce modèle n'a pas d'échantillon de référence : choisissez un lot. / "
                "This model carries no reference sample: choose a stored batch."
            )
        reference = model.reference.drop(columns=["probability"], errors="ignore")
        return sample_rows(reference, size, seed), None
    batch_id = int(source.removeprefix("batch:"))
    claims = store.load_claims(batch_id)
    sample = sample_rows(claims, size, seed)
    if "client_id" not in claims.columns or not claims["client_id"].notna().any():
        return sample, None
    stored = store.client_history(sample["client_id"], exclude_batch_id=batch_id)
    return sample, pd.concat([stored.drop(columns=["batch_id"]), claims], ignore_index=True)


def compute_summary(
    store: Store,
    model: TrainedModel,
    source: str = SOURCE_REFERENCE,
    *,
    size: int = 2000,
    grouping: str = "split",
    seed: int = 0,
) -> GlobalExplanation:
    """Explain a sample of ``source`` and store the summary for the model version."""
    frame, history = sample_for(source, model, store, size, seed)
    summary = explain_sample(model, frame, history, grouping=grouping, source=source)
    created = save_summary(store, summary)
    log.info(
        "SHAP summary of %s on %s: %d claims in %.2f s",
        summary.model_version,
        source,
        summary.sample_size,
        summary.seconds,
    )
    return replace(summary, created_at=created)


def save_summary(store: Store, summary: GlobalExplanation) -> datetime:
    """Store a global summary (table ``shap_summaries``); returns its creation time."""
    created = datetime.now(UTC).replace(tzinfo=None)
    groups = [
        {"key": k, "label_fr": f, "label_en": e}
        for k, f, e in zip(summary.keys, summary.labels_fr, summary.labels_en, strict=True)
    ]
    columns: dict[str, Any] = {}
    for i, key in enumerate(summary.keys):
        columns[f"c{i}"] = summary.contributions[:, i]
        columns[f"r{i}"] = summary.colour[:, i]
        columns[f"x{i}"] = summary.values[key].to_numpy()
    buffer = io.BytesIO()
    pd.DataFrame(columns).to_parquet(buffer, index=False)
    cur = store.cursor()
    try:
        cur.execute(
            """INSERT INTO shap_summaries (model_version, source, grouping, sample_size,
                   created_at, seconds, base_margin, groups, importance, sample)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                summary.model_version,
                summary.source,
                summary.grouping,
                summary.sample_size,
                created,
                summary.seconds,
                summary.base_margin,
                json.dumps(groups, ensure_ascii=False),
                summary.importance.to_json(orient="records", force_ascii=False),
                buffer.getvalue(),
            ],
        )
    except duckdb.Error as exc:
        raise StoreError(f"The SHAP summary could not be stored: {exc}") from exc
    finally:
        cur.close()
    return created


def load_summary(
    store: Store, model_version: str, source: str, grouping: str = "split"
) -> GlobalExplanation | None:
    """The latest stored summary of (model version, source, grouping), or None."""
    cur = store.cursor()
    try:
        row = cur.execute(
            """SELECT source, grouping, created_at, seconds, base_margin, groups, importance,
                   sample FROM shap_summaries
               WHERE model_version = ? AND source = ? AND grouping = ?
               ORDER BY created_at DESC, id DESC LIMIT 1""",
            [model_version, source, grouping],
        ).fetchone()
    finally:
        cur.close()
    if row is None:
        return None
    source, grouping, created, seconds, base, groups_json, importance_json, blob = row
    groups = json.loads(groups_json)
    sample = pd.read_parquet(io.BytesIO(blob))
    n = len(groups)
    return GlobalExplanation(
        model_version=model_version,
        source=source,
        grouping=grouping,
        keys=tuple(g["key"] for g in groups),
        labels_fr=tuple(g["label_fr"] for g in groups),
        labels_en=tuple(g["label_en"] for g in groups),
        base_margin=float(base),
        contributions=sample[[f"c{i}" for i in range(n)]].to_numpy(float),
        colour=sample[[f"r{i}" for i in range(n)]].to_numpy(float),
        values=pd.DataFrame({g["key"]: sample[f"x{i}"].to_numpy() for i, g in enumerate(groups)}),
        importance=pd.read_json(io.StringIO(importance_json), orient="records"),
        seconds=float(seconds or 0.0),
        created_at=created,
    )


# --------------------------------------------------------------------------- stored claims


@dataclass(frozen=True)
class ClaimLocation:
    """Where a claim ID is stored: its latest batch (scored ones first)."""

    claim_id: str
    batch_id: int
    row_number: int
    scored_at: datetime | None
    model_version: str | None
    n_batches: int  # batches holding this ID


_FIND_SQL = """
WITH found AS (
    SELECT c.claim_id, c.batch_id, c.row_number, b.uploaded_at,
           (SELECT max(s.scored_at) FROM scores s WHERE s.batch_id = c.batch_id) AS scored_at
    FROM claims c JOIN batches b ON b.id = c.batch_id
    WHERE upper(trim(c.claim_id)) = upper(trim(?))
)
SELECT claim_id, batch_id, row_number, scored_at,
       (SELECT any_value(s.model_version) FROM scores s
        WHERE s.batch_id = found.batch_id AND s.scored_at = found.scored_at),
       (SELECT count(DISTINCT batch_id) FROM found)
FROM found ORDER BY scored_at IS NULL, uploaded_at DESC, batch_id DESC, row_number LIMIT 1
"""


def find_claim(store: Store, claim_id: str) -> ClaimLocation | None:
    """The latest stored batch holding ``claim_id`` (case and spaces ignored), or None."""
    text = (claim_id or "").strip()
    if not text:
        return None
    cur = store.cursor()
    try:
        row = cur.execute(_FIND_SQL, [text]).fetchone()
    finally:
        cur.close()
    if row is None:
        return None
    cid, batch_id, row_number, scored_at, version, n = row
    return ClaimLocation(str(cid), int(batch_id), int(row_number), scored_at, version, int(n))


def suggest_claim_ids(store: Store, text: str, limit: int = 8) -> list[str]:
    """Stored claim IDs containing ``text`` (case ignored), for a 'did you mean' list."""
    needle = (text or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(needle) < 2:
        return []
    cur = store.cursor()
    try:
        rows = cur.execute(
            "SELECT DISTINCT claim_id FROM claims WHERE claim_id ILIKE ? ESCAPE '\\' "
            "ORDER BY claim_id LIMIT ?",
            [f"%{needle}%", limit],
        ).fetchall()
    finally:
        cur.close()
    return [str(r[0]) for r in rows]


def claim_frame(scored: pd.DataFrame, row_number: int) -> pd.DataFrame:
    """The one row of a batch frame with this ``row_number``."""
    row = scored[scored["row_number"] == row_number]
    if len(row) != 1:
        raise WorkbenchError(f"Row {row_number} is not in this batch.")
    return row


def claim_history(
    store: Store, batch: pd.DataFrame, row: pd.DataFrame, batch_id: int
) -> pd.DataFrame | None:
    """What scoring used as the claim's history: its client's claims in other batches and
    in its own batch (only strictly earlier ones count, see core.features)."""
    if "client_id" not in row.columns or _missing(row["client_id"].iloc[0]):
        return None
    client = row["client_id"].iloc[0]
    stored = store.client_history([client], exclude_batch_id=batch_id)
    same = batch[batch["client_id"] == client]
    return pd.concat([stored.drop(columns=["batch_id"]), same], ignore_index=True)


@dataclass(frozen=True)
class SimilarOutcome:
    """Labelled claims like this one (same product path, amount within the tolerance)."""

    n: int
    n_justified: int
    source: str  # "store" (labelled stored claims), "reference" (training sample) or "none"
    level: str | None  # deepest hierarchy role matched
    level_value: str | None
    amount_low: float | None
    amount_high: float | None

    @property
    def rate(self) -> float | None:
        return self.n_justified / self.n if self.n else None


def similar_claims(
    store: Store,
    claim_row: pd.DataFrame,
    *,
    tolerance: float = 0.3,
    reference: pd.DataFrame | None = None,
) -> SimilarOutcome:
    """Labelled stored claims of the same family/category/sub-category with an amount
    within ±``tolerance``; when none is stored, the model's reference sample is used."""
    row = _raw_values(claim_row)
    equal = {r: row[r] for r in HIERARCHY_ROLES if row.get(r) is not None}
    amount = row.get("amount")
    bounds = None
    if amount is not None and np.isfinite(float(amount)):
        bounds = (float(amount) * (1 - tolerance), float(amount) * (1 + tolerance))
    level = next((r for r in reversed(HIERARCHY_ROLES) if r in equal), None)
    meta = (level, equal.get(level) if level else None, *(bounds or (None, None)))
    if not equal and bounds is None:  # nothing to compare on: no meaningful neighbours
        return SimilarOutcome(0, 0, "none", *meta)
    n, k = _similar_in_store(store, equal, bounds, row.get("id"))
    if n:
        return SimilarOutcome(n, k, "store", *meta)
    if reference is not None and len(reference):
        n, k = _similar_in_frame(reference, equal, bounds, row.get("id"))
        if n:
            return SimilarOutcome(n, k, "reference", *meta)
    return SimilarOutcome(0, 0, "none", *meta)


def _similar_in_store(
    store: Store, equal: dict[str, Any], bounds: tuple[float, float] | None, claim_id: Any
) -> tuple[int, int]:
    where = ["label IS NOT NULL", "NOT label_excluded", "claim_id IS DISTINCT FROM ?"]
    params: list[Any] = [None if claim_id is None else str(claim_id)]
    for role, value in equal.items():
        where.append(f"{role} = ?")
        params.append(str(value))
    if bounds:
        where.append("amount BETWEEN ? AND ?")
        params += list(bounds)
    ident = "coalesce(claim_id, CAST(batch_id AS VARCHAR) || ':' || CAST(row_number AS VARCHAR))"
    sql = (
        f"SELECT count(DISTINCT {ident}), count(DISTINCT {ident}) FILTER (WHERE label = 1) "
        f"FROM claims WHERE {' AND '.join(where)}"
    )
    cur = store.cursor()
    try:
        n, k = cur.execute(sql, params).fetchone()
    finally:
        cur.close()
    return int(n or 0), int(k or 0)


def _similar_in_frame(
    frame: pd.DataFrame, equal: dict[str, Any], bounds: tuple[float, float] | None, claim_id: Any
) -> tuple[int, int]:
    if "label" not in frame.columns:
        return 0, 0
    mask = pd.to_numeric(frame["label"], errors="coerce").notna()
    for role, value in equal.items():
        if role in frame.columns:
            mask &= frame[role].astype("string") == str(value)
    if bounds and "amount" in frame.columns:
        mask &= pd.to_numeric(frame["amount"], errors="coerce").between(*bounds)
    if claim_id is not None and "id" in frame.columns:
        mask &= frame["id"].astype("string") != str(claim_id)
    labels = pd.to_numeric(frame.loc[mask.fillna(False), "label"])
    return len(labels), int((labels == 1).sum())


# --------------------------------------------------------------------------- what-if


def level_choices(pipeline: FeaturePipeline, role: str, parents: Sequence[str] = ()) -> list[str]:
    """Known levels of a category for the what-if: a hierarchy level under its parents'
    values (from training), a coded category (segment, market) or an extra category."""
    if role in HIERARCHY_ROLES:
        prefix = "".join(f"{p}{_SEP}" for p in parents)
        keys = pipeline.freqs_.get(role, {})
        found = {k[len(prefix) :] for k in keys if k.startswith(prefix)}
        return sorted(v for v in found if v and _SEP not in v)
    key = pipeline.columns.get(role, role)
    levels = pipeline.levels_.get(key) or list(pipeline.freqs_.get(key, {}))
    return sorted(v for v in levels if v)


_SEP = "\x1f"  # joins hierarchy levels in the pipeline's path keys (core.features)


def edit_claim(frame_row: pd.DataFrame, edits: Mapping[str, Any]) -> pd.DataFrame:
    """A copy of the claim with some values changed (keys of ``frame_row``)."""
    out = frame_row.copy()
    for key, value in edits.items():
        if key in out.columns:
            out[key] = out[key].astype(object)
        out.loc[out.index[0], key] = value
    return out


@dataclass(frozen=True)
class ClaimDecision:
    """The model's decision for a probability, then the business rules'."""

    model_code: int
    code: int
    reason_fr: str
    reason_en: str


def decide_claim(
    frame_row: pd.DataFrame,
    probability: float,
    low: float,
    high: float,
    cfg: Config,
    prior_validations: pd.DataFrame | None = None,
) -> ClaimDecision:
    """Three-way decision of one claim and the rules (the quota counts ``prior_validations``)."""
    model_codes = decide(np.array([probability]), low, high)
    outcome = apply_rules(frame_row, model_codes, cfg, prior_validations=prior_validations)
    return ClaimDecision(
        int(model_codes[0]),
        int(outcome.decisions[0]),
        str(outcome.reasons[0]),
        str(outcome.reasons_en[0]),
    )
