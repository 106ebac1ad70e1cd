"""Explanations kept in DuckDB: global SHAP summaries, claims found by ID, similar claims.

**Stored summaries.** A global summary (:class:`core.explain_types.GlobalExplanation`) of
a source, the model's reference sample or a stored batch, is saved per model version in
the table ``shap_summaries``; readers take the latest one.

**Stored claims.** A claim ID is looked up among the stored batches (case and spaces
ignored; scored batches first), with what scoring used as its history.

**Similar claims.** The labelled claims of the same product path with an amount within a
tolerance: stored ones first, else the model's reference sample.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from core.exceptions import WorkbenchError
from core.explain.explainer import _missing, _raw_values, explain_sample, sample_rows
from core.explain.results import GlobalExplanation
from core.explain.text import HIERARCHY_ROLES
from core.model.trained import TrainedModel
from core.store.database import Store

__all__ = [
    "SOURCE_REFERENCE",
    "ClaimLocation",
    "SimilarOutcome",
    "batch_source",
    "claim_frame",
    "claim_history",
    "compute_summary",
    "find_claim",
    "load_summary",
    "sample_for",
    "save_summary",
    "similar_claims",
    "suggest_claim_ids",
]

log = logging.getLogger(__name__)


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
    with store.transaction("store the SHAP summary") as cur:
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
    return created


def load_summary(
    store: Store, model_version: str, source: str, grouping: str = "split"
) -> GlobalExplanation | None:
    """The latest stored summary of (model version, source, grouping), or None."""
    with store.cursor() as cur:
        row = cur.execute(
            """SELECT source, grouping, created_at, seconds, base_margin, groups, importance,
                   sample FROM shap_summaries
               WHERE model_version = ? AND source = ? AND grouping = ?
               ORDER BY created_at DESC, id DESC LIMIT 1""",
            [model_version, source, grouping],
        ).fetchone()
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
    with store.cursor() as cur:
        row = cur.execute(_FIND_SQL, [text]).fetchone()
    if row is None:
        return None
    cid, batch_id, row_number, scored_at, version, n = row
    return ClaimLocation(str(cid), int(batch_id), int(row_number), scored_at, version, int(n))


def suggest_claim_ids(store: Store, text: str, limit: int = 8) -> list[str]:
    """Stored claim IDs containing ``text`` (case ignored), for a 'did you mean' list."""
    needle = (text or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(needle) < 2:
        return []
    with store.cursor() as cur:
        rows = cur.execute(
            "SELECT DISTINCT claim_id FROM claims WHERE claim_id ILIKE ? ESCAPE '\\' "
            "ORDER BY claim_id LIMIT ?",
            [f"%{needle}%", limit],
        ).fetchall()
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
    in its own batch (only strictly earlier ones count, see core.model.history)."""
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
    with store.cursor() as cur:
        n, k = cur.execute(sql, params).fetchone()
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
