"""Human reviews of the Audit Humain queue: the ``reviews`` table.

An auditor concludes a claim is justified (validate, code 1) or not (reject, code -1), with
an optional comment. Reviews are appended (the latest one per claim counts), so a change of
mind keeps its history. A review is also a label: the queue's conclusions can later feed
training and the "similar past claims" of the explanation page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from core.exceptions import StoreError, WorkbenchError
from core.store.database import Store

log = logging.getLogger(__name__)

VALIDATE, REJECT = 1, -1


@dataclass(frozen=True)
class Review:
    batch_id: int
    row_number: int
    auditor: str
    decision: int  # 1 justified (validate), -1 not justified (reject)
    comment: str
    reviewed_at: datetime


def save_review(
    store: Store, batch_id: int, row_number: int, *, auditor: str, decision: int, comment: str = ""
) -> Review:
    """Record an auditor's conclusion on one claim of a stored batch."""
    if decision not in (VALIDATE, REJECT):
        raise WorkbenchError("Une revue conclut à « fondée » (1) ou « non fondée » (-1).")
    if not auditor.strip():
        raise WorkbenchError("Indiquez le nom de l'auditeur avant d'enregistrer une revue.")
    review = Review(batch_id, row_number, auditor.strip(), decision, comment.strip(), _now())
    with store.cursor() as cur:
        try:
            exists = cur.execute(
                "SELECT count(*) FROM claims WHERE batch_id = ? AND row_number = ?",
                [batch_id, row_number],
            ).fetchone()[0]
            if not exists:
                raise WorkbenchError(
                    f"La réclamation (lot {batch_id}, ligne {row_number}) n'existe pas."
                )
            cur.execute(
                "INSERT INTO reviews (batch_id, row_number, auditor, decision, comment, "
                "reviewed_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    row_number,
                    review.auditor,
                    decision,
                    review.comment,
                    review.reviewed_at,
                ],
            )
        except duckdb.Error as exc:
            raise StoreError(f"La revue n'a pas pu être enregistrée : {exc}") from exc
    log.info("review of batch %s row %s by %s: %s", batch_id, row_number, auditor, decision)
    return review


def latest_reviews(store: Store, batch_id: int) -> pd.DataFrame:
    """The latest review of each reviewed claim of a batch (row_number, decision, ...)."""
    with store.cursor() as cur:
        try:
            return cur.execute(
                "SELECT row_number, decision AS review_decision, auditor, comment, reviewed_at "
                "FROM reviews WHERE batch_id = ? "
                "QUALIFY row_number() OVER (PARTITION BY row_number ORDER BY reviewed_at DESC, "
                "id DESC) = 1 ORDER BY row_number",
                [batch_id],
            ).df()
        except duckdb.Error as exc:
            raise StoreError(
                f"Les revues du lot {batch_id} n'ont pas pu être lues : {exc}"
            ) from exc


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
