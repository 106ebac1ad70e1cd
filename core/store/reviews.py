"""Human reviews of the Audit Humain queue: the ``reviews`` table.

An auditor concludes a claim is justified (validate, code 1) or not (reject, code -1), with
an optional comment. Reviews are appended (the latest one per claim counts), so a change of
mind keeps its history; each one is an audit row (``review.created`` or ``review.edited``,
with the previous conclusion as *before*). The reviewer is the signed-in identity. A review is
also a label: the queue's conclusions can later feed training and the "similar past claims"
of the explanation page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor
from core.exceptions import WorkbenchError
from core.store.common import StoreAccess, _utcnow
from core.store.labels import upsert_labels

log = logging.getLogger(__name__)

VALIDATE, REJECT = 1, -1


@dataclass(frozen=True)
class Review:
    batch_id: int
    row_number: int
    auditor: str  # the reviewer's identity
    decision: int  # 1 justified (validate), -1 not justified (reject)
    comment: str
    reviewed_at: datetime


class ReviewsMixin(StoreAccess):
    """Review methods of :class:`core.store.database.Store`."""

    def save_review(
        self,
        batch_id: int,
        row_number: int,
        *,
        actor: Actor,
        decision: int,
        comment: str = "",
        seen: int | None = None,
    ) -> Review:
        """Record ``actor``'s conclusion on one claim of a stored batch (read-then-write:
        the previous conclusion is the audit row's *before*).

        ``seen``: how many reviews of the claim the auditor had before them (0 for a claim
        taken from the queue). When another review was saved meanwhile, the conclusion is
        refused rather than silently replacing a colleague's.
        """
        if decision not in (VALIDATE, REJECT):
            raise WorkbenchError(
                "Une revue conclut à « fondée » (1) ou « non fondée » (-1). / A review concludes "
                "justified (1) or not justified (-1)."
            )
        review = Review(batch_id, row_number, actor.id, decision, comment.strip(), _utcnow())
        with self.transaction(f"save the review of batch {batch_id} row {row_number}") as cur:
            exists = cur.execute(
                "SELECT count(*) FROM claims WHERE batch_id = ? AND row_number = ?",
                [batch_id, row_number],
            ).fetchone()[0]
            if not exists:
                raise WorkbenchError(
                    f"La réclamation (lot {batch_id}, ligne {row_number}) n'existe pas. / "
                    f"There is no claim at batch {batch_id}, row {row_number}."
                )
            previous = cur.execute(
                "SELECT auditor, decision, comment, reviewed_at, count(*) OVER () FROM reviews "
                "WHERE batch_id = ? AND row_number = ? ORDER BY reviewed_at DESC, id DESC LIMIT 1",
                [batch_id, row_number],
            ).fetchone()
            if seen is not None and previous is not None and previous[4] != seen:
                raise _reviewed_meanwhile(batch_id, row_number, previous)
            cur.execute(
                "INSERT INTO reviews (batch_id, row_number, auditor, decision, comment, "
                "reviewed_at) VALUES (?, ?, ?, ?, ?, ?)",
                [batch_id, row_number, actor.id, decision, review.comment, review.reviewed_at],
            )
            qc = cur.execute(
                "SELECT bool_or(qc_sample) FROM scores WHERE batch_id = ? AND row_number = ? "
                "AND scored_at = (SELECT max(scored_at) FROM scores WHERE batch_id = ?)",
                [batch_id, row_number, batch_id],
            ).fetchall()[0][0]
            label = pd.DataFrame({"batch_id": [batch_id], "row_number": [row_number],
                                  "label": [1 if decision == VALIDATE else 0]})  # fmt: skip
            upsert_labels(cur, label, "qc" if qc else "review", actor)  # a review is a label
            audit.append(
                cur,
                actor,
                "review.edited" if previous else "review.created",
                {"batch_id": batch_id, "row_number": row_number},
                before=None
                if previous is None
                else {"auditor": previous[0], "decision": previous[1], "comment": previous[2]},
                after={"decision": decision, "comment": review.comment},
                reason=review.comment,
            )
        log.info("review of batch %s row %s by %s: %s", batch_id, row_number, actor.id, decision)
        return review

    def latest_reviews(self, batch_id: int) -> pd.DataFrame:
        """The latest review of each reviewed claim of a batch (row_number, decision, ...)."""
        with self.cursor(f"read the reviews of batch {batch_id}") as cur:
            return cur.execute(
                "SELECT row_number, decision AS review_decision, auditor, comment, reviewed_at "
                "FROM reviews WHERE batch_id = ? "
                "QUALIFY row_number() OVER (PARTITION BY row_number ORDER BY reviewed_at DESC, "
                "id DESC) = 1 ORDER BY row_number",
                [batch_id],
            ).df()

    def review_history(self, batch_id: int, row_number: int | None = None) -> pd.DataFrame:
        """Every review of a batch (of one claim when given), oldest first, each with the
        conclusion it replaced: row_number, auditor, previous_decision (None for the first),
        decision, comment, reviewed_at."""
        where, params = ("AND row_number = ?", [row_number]) if row_number is not None else ("", [])
        with self.cursor(f"read the review history of batch {batch_id}") as cur:
            return cur.execute(
                "SELECT row_number, auditor, lag(decision) OVER (PARTITION BY row_number "
                "ORDER BY reviewed_at, id) AS previous_decision, decision, comment, reviewed_at "
                f"FROM reviews WHERE batch_id = ? {where} ORDER BY reviewed_at, id",
                [batch_id, *params],
            ).df()


def _reviewed_meanwhile(batch_id: int, row_number: int, last: tuple) -> WorkbenchError:
    who, at = last[0], last[3].strftime("%d/%m/%Y %H:%M")
    return WorkbenchError(
        f"La réclamation (lot {batch_id}, ligne {row_number}) a été revue entre-temps par "
        f"{who} le {at} (UTC) : rien n'est enregistré ; rouvrez-la pour modifier sa conclusion."
        f" / The claim (batch {batch_id}, row {row_number}) was reviewed meanwhile by {who} "
        f"on {at} (UTC): nothing was saved; reopen it to change its conclusion."
    )
