import pandas as pd
import pytest

from core.config.identity import Actor
from core.exceptions import WorkbenchError
from core.scoring.review_queue import review_queue
from core.store.database import Store
from core.store.reviews import REJECT, VALIDATE
from tests.helpers import ADMIN, AUDITOR


def _scored_store(tmp_path) -> Store:
    """A store holding one batch of 4 claims scored by hand (two in audit)."""
    store = Store(tmp_path / "r.duckdb")
    frame = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "amount": [100.0, 900.0, 50.0, 300.0],
            "row_number": [2, 3, 4, 5],
        }
    )
    batch = store.save_batch(
        frame,
        file_name="f.xlsx",
        sha256="s" * 64,
        sheet=None,
        profile="default",
        actor=ADMIN,
        report_json="[]",
    ).batch_id
    scores = frame[["row_number"]].assign(
        probability=[0.1, 0.5, 0.6, 0.9],
        decision_model=[-1, 0, 0, 1],
        decision=[-1, 0, 0, 0],
        rule_flags=["", "", "", "amount_above_pnb"],
        rule_reason=["", "", "", "PNB"],
    )
    store.save_scores(batch, scores, model_version="m", thresholds_id=None, actor=ADMIN)
    return store


def test_queue_holds_audit_claims_largest_amount_first(tmp_path):
    with _scored_store(tmp_path) as store:
        queue = review_queue(store, 1)
        assert queue.total == 3 and queue.done == 0
        assert list(queue.pending()["id"]) == ["B", "D", "C"]


def test_reviews_are_appended_and_the_latest_counts(tmp_path):
    with _scored_store(tmp_path) as store:
        store.save_review(1, 3, actor=AUDITOR, decision=VALIDATE, comment="justificatif reçu")
        store.save_review(1, 3, actor=AUDITOR, decision=REJECT, comment="erreur de saisie")
        latest = store.latest_reviews(1)
        assert len(latest) == 1 and latest["review_decision"].iloc[0] == REJECT
        assert latest["auditor"].iloc[0] == AUDITOR.id  # the signed-in identity, not a text
        with store.cursor() as cur:
            trail = cur.execute(
                "SELECT action, actor, actor_role, before, after FROM audit_log "
                "WHERE action LIKE 'review.%' ORDER BY id"
            ).fetchall()
        assert [row[0] for row in trail] == ["review.created", "review.edited"]
        assert trail[1][1:3] == (AUDITOR.id, "auditor")
        assert '"decision":1' in trail[1][3] and '"decision":-1' in trail[1][4]
        queue = review_queue(store, 1)
        assert queue.done == 1
        assert "B" not in set(queue.pending()["id"])


def test_bad_reviews_are_refused(tmp_path):
    with _scored_store(tmp_path) as store:
        with pytest.raises(WorkbenchError, match="fondée"):
            store.save_review(1, 3, actor=AUDITOR, decision=0)
        with pytest.raises(ValueError, match="identity"):
            Actor("  ", "", "auditor")  # a reviewer is always an identity, never a blank name
        with pytest.raises(WorkbenchError, match="n'existe pas"):
            store.save_review(1, 99, actor=AUDITOR, decision=VALIDATE)
