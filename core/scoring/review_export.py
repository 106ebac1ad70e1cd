"""The review queues and the reviews of a batch as .xlsx sheets (styled, formula-safe).

Both sheets start like the results sheet (the claim's columns under the profile's headers,
then ``Probabilite_Fondee``, ``Decision_Modele``, ``Decision_Code``, ``Motif_Regle``), so an
auditor reads them the same way, then add the review columns:

- the queue: every claim of both queues, the most valuable audit first, with its queue, the
  expected cost an audit avoids and its latest conclusion (who, when, comment) if any;
- the reviews: every review ever saved on the batch, oldest first, with the conclusion it
  replaced (a change of mind shows as before -> after).

Each export is an audit row (``review.exported``): who downloaded what, and how many rows.
"""

from __future__ import annotations

import pandas as pd

from core.config.identity import Actor
from core.config.settings import Config
from core.exceptions import StoreError
from core.report.export import results_to_bytes
from core.report.results import ResultsTable, results_from_store
from core.scoring.review_queue import QUEUE_KINDS, VALUE_COLUMN, review_queues
from core.scoring.stored import load_scores
from core.store.database import Store

QUEUE_NAMES = {
    "fr": {"audit": "Audit Humain", "qc": "Contrôle qualité"},
    "en": {"audit": "Human audit", "qc": "Quality control"},
}
CONCLUSIONS = {
    "fr": {1: "Fondée", -1: "Non fondée"},
    "en": {1: "Justified", -1: "Not justified"},
}
ACTIONS = {
    "fr": {False: "Création", True: "Modification"},
    "en": {False: "Created", True: "Edited"},
}
SHEETS = {
    "fr": {"queue": "File de revue", "reviews": "Revues"},
    "en": {"queue": "Review queue", "reviews": "Reviews"},
}


def export_queue(store: Store, batch_id: int, cfg: Config, actor: Actor, locale: str) -> bytes:
    """Both queues of the batch as one sheet, recorded as an export by ``actor``."""
    queues = review_queues(store, batch_id, cfg.costs)
    frame = pd.concat(
        [queues[k].ordered().assign(_queue=k) for k in QUEUE_KINDS], ignore_index=True
    )
    table = results_from_store(frame, cfg, locale)
    extra = {
        "File_Revue": frame["_queue"].map(QUEUE_NAMES[locale]),
        "Valeur_Audit": frame[VALUE_COLUMN].round(2),
        **_conclusion_columns(frame, "review_decision", locale),
        "Auditeur": frame["auditor"],
        "Commentaire": frame["comment"],
        "Revue_Le": frame["reviewed_at"],
    }
    data = _to_xlsx(table, extra, locale, SHEETS[locale]["queue"])
    done = int(frame["review_decision"].notna().sum())
    detail = {"batch_id": batch_id, "what": "queue", "rows": len(frame), "reviewed": done}
    store.record(actor, "review.exported", {**detail, "lang": locale})
    return data


def export_reviews(store: Store, batch_id: int, cfg: Config, actor: Actor, locale: str) -> bytes:
    """Every review of the batch (history included) as one sheet, recorded as an export."""
    history = store.review_history(batch_id)
    scored = load_scores(batch_id, store)
    claims = scored[scored["row_number"].isin(history["row_number"])].reset_index(drop=True)
    claim_table = results_from_store(claims, cfg, locale)
    position = pd.Index(claims["row_number"]).get_indexer(history["row_number"])
    if (position < 0).any():  # a review always names a stored claim: never drop one silently
        raise StoreError(f"Batch {batch_id} holds reviews of claims its latest scoring lacks.")
    table = ResultsTable(
        claim_table.frame.iloc[position].reset_index(drop=True),
        claim_table.date_columns,
        claim_table.amount_columns,
    )
    frame = history
    previous = frame["previous_decision"]
    extra = {
        "Action": previous.notna().map(ACTIONS[locale]),
        "Conclusion_Avant": previous.map(CONCLUSIONS[locale]),
        **_conclusion_columns(frame, "decision", locale),
        "Auditeur": frame["auditor"],
        "Commentaire": frame["comment"],
        "Revue_Le": frame["reviewed_at"],
    }
    data = _to_xlsx(table, extra, locale, SHEETS[locale]["reviews"])
    detail = {"batch_id": batch_id, "what": "reviews", "rows": len(frame), "lang": locale}
    store.record(actor, "review.exported", detail)
    return data


def _conclusion_columns(frame: pd.DataFrame, column: str, locale: str) -> dict[str, pd.Series]:
    codes = frame[column]
    return {
        "Conclusion_Code": codes.astype("Float64"),
        "Conclusion": codes.map(CONCLUSIONS[locale]),
    }


def _to_xlsx(table: ResultsTable, extra: dict[str, pd.Series], locale: str, sheet: str) -> bytes:
    frame = table.frame.copy()
    for name, values in extra.items():
        frame[name] = pd.Series(values).to_numpy()
    return results_to_bytes(
        frame,
        locale=locale,
        sheet_name=sheet,
        date_columns=list(table.date_columns),
        amount_columns=[*table.amount_columns, "Valeur_Audit"],
    )
