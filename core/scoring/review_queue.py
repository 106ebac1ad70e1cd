"""The review queues of a scored batch, each claim with its latest review: the Audit Humain
work, and apart from it the quality-control sample of automatic decisions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.scoring.stored import load_scores
from core.store.database import Store


@dataclass(frozen=True, eq=False)
class ReviewQueue:
    """The Audit Humain claims of a batch, with the latest review of each (if any)."""

    batch_id: int
    frame: pd.DataFrame  # scored claims in audit + review_decision, auditor, comment, reviewed_at

    @property
    def total(self) -> int:
        return len(self.frame)

    @property
    def done(self) -> int:
        return int(self.frame["review_decision"].notna().sum())

    def pending(self) -> pd.DataFrame:
        """Claims still to review, largest amount first (then closest to p = 0.5)."""
        todo = self.frame[self.frame["review_decision"].isna()]
        keys = ["amount"] if "amount" in todo.columns else []
        closeness = (todo["probability"] - 0.5).abs()
        ordered = todo.assign(_closeness=closeness).sort_values(
            [*keys, "_closeness"], ascending=[False] * len(keys) + [True]
        )
        return ordered.drop(columns="_closeness")


def review_queue(store: Store, batch_id: int, *, quality: bool = False) -> ReviewQueue:
    """The batch's Audit Humain claims (latest scoring) joined with their latest review; with
    ``quality``, the automatic decisions drawn for quality control instead."""
    scored = load_scores(batch_id, store)
    if quality:
        drawn = scored["qc_sample"].fillna(False).astype(bool) if "qc_sample" in scored else False
        queue = scored[drawn & (scored["decision"] != 0)]
    else:
        queue = scored[scored["decision"] == 0]
    reviews = store.latest_reviews(batch_id)
    frame = queue.merge(reviews, on="row_number", how="left")
    return ReviewQueue(batch_id, frame)
