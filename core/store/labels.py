"""Labels: whether each claim turned out justified, once per claim, with where it came from.

A label comes from a review of the Audit Humain queue (``review``), from a review of the
quality-control sample of automatic decisions (``qc``), or from an outcome file uploaded later
(``file``). The latest conclusion on a claim is its label; each change is an audit row with
the previous label as *before*.
"""

from __future__ import annotations

import uuid

import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor
from core.store.common import StoreAccess, _unregister, _utcnow

SOURCES = ("review", "qc", "file")


def upsert_labels(cur, frame: pd.DataFrame, source: str, actor: Actor) -> int:
    """Inside the caller's transaction: set ``frame``'s labels (batch_id, row_number, label);
    return how many changed."""
    if source not in SOURCES:
        raise ValueError(f"source {source!r} is not one of {', '.join(SOURCES)}")
    view = f"labels_{uuid.uuid4().hex}"
    cur.register(view, frame[["batch_id", "row_number", "label"]])
    try:
        changed = cur.execute(
            f"""SELECT count(*) FROM {view} v LEFT JOIN labels l
                ON l.batch_id = v.batch_id AND l.row_number = v.row_number
                WHERE l.label IS DISTINCT FROM CAST(v.label AS TINYINT)
                   OR l.source IS DISTINCT FROM ?""",
            [source],
        ).fetchall()[0][0]
        cur.execute(
            f"""INSERT OR REPLACE INTO labels
                SELECT CAST(batch_id AS BIGINT), CAST(row_number AS INTEGER),
                       CAST(label AS TINYINT), ?, ?, ? FROM {view}""",
            [source, actor.id, _utcnow()],
        )
    finally:
        _unregister(cur, view)
    return int(changed)


class LabelsMixin(StoreAccess):
    """Label methods of :class:`core.store.database.Store`."""

    def save_labels(self, frame: pd.DataFrame, *, source: str, actor: Actor, reason: str) -> int:
        """Store labels of stored claims in one transaction with one audit row."""
        with self.transaction(f"store {len(frame)} labels") as cur:
            changed = upsert_labels(cur, frame, source, actor)
            batches = sorted({int(b) for b in frame["batch_id"]})
            detail = {"source": source, "rows": len(frame), "changed": changed, "batches": batches}
            audit.append(cur, actor, "labels.stored", detail, reason=reason)
        return changed

    def labels(self, batch_id: int | None = None) -> pd.DataFrame:
        """Stored labels (of one batch when given): batch_id, row_number, label, source, ..."""
        where, params = ("WHERE batch_id = ?", [batch_id]) if batch_id is not None else ("", [])
        with self.cursor("read the labels") as cur:
            return cur.execute(
                f"SELECT * FROM labels {where} ORDER BY batch_id, row_number", params
            ).df()

    def claims_by_id(self, claim_ids: list[str]) -> pd.DataFrame:
        """(claim_id, batch_id, row_number) of the latest stored claim of each id."""
        view = f"ids_{uuid.uuid4().hex}"
        ids = pd.DataFrame({"claim_id": pd.Series(claim_ids, dtype=object)})
        with self.cursor("find claims by id") as cur:
            cur.register(view, ids)
            try:
                return cur.execute(
                    f"""SELECT c.claim_id, c.batch_id, c.row_number FROM claims c
                        JOIN {view} i ON c.claim_id = i.claim_id
                        QUALIFY row_number() OVER (PARTITION BY c.claim_id
                                                   ORDER BY c.batch_id DESC) = 1"""
                ).df()
            finally:
                _unregister(cur, view)
