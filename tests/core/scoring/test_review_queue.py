import pandas as pd
import pytest

from core.config.identity import Actor
from core.decide.costs import CostModel
from core.exceptions import WorkbenchError
from core.scoring.review_export import export_queue, export_reviews
from core.scoring.review_queue import audit_value, review_queue, review_queues
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


def test_queue_holds_audit_claims_most_valuable_audit_first(tmp_path):
    with _scored_store(tmp_path) as store:
        queue = review_queue(store, 1)
        assert queue.total == 3 and queue.done == 0 and queue.remaining == 3
        # default costs: B = min(0.5*500, 0.5*900) - 150 = 100; D = 0.1*300 - 150 = -120;
        # C = 0.4*50 - 150 = -130
        assert list(queue.pending()["id"]) == ["B", "D", "C"]
        assert queue.pending()["audit_value"].tolist() == pytest.approx([100.0, -120.0, -130.0])


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


def _store_with(tmp_path, claims: pd.DataFrame, scores: pd.DataFrame, **kwargs) -> Store:
    store = Store(tmp_path / "q.duckdb")
    if "publish" in kwargs:
        costs = kwargs.pop("publish")
        kwargs["thresholds_id"] = store.publish_thresholds(
            "m", 0.2, 0.8, source="manual", actor=ADMIN, reason="test", costs=costs
        ).id
    batch = store.save_batch(
        claims, file_name="q.xlsx", sha256="q" * 64, sheet=None, profile="default",
        actor=ADMIN, report_json="[]",
    ).batch_id  # fmt: skip
    store.save_scores(batch, scores, model_version="m", actor=ADMIN, **kwargs)
    return store


def _audit_scores(
    frame: pd.DataFrame, p: list[float], decision: list[int], **extra
) -> pd.DataFrame:
    return frame[["row_number"]].assign(
        probability=p, decision_model=decision, decision=decision, rule_flags="",
        rule_reason="", **extra,
    )  # fmt: skip


def test_audit_value_is_the_expected_cost_an_audit_avoids():
    costs = CostModel(audit_cost=100.0, wrongful_rejection_fixed=400.0,
                      wrongful_rejection_factor=0.5, auditor_error_rate=0.1)  # fmt: skip
    p, a = 0.3, 1000.0
    reject, validate = p * (400 + 0.5 * a), (1 - p) * a  # 270, 700
    audit = 100 + 0.1 * (reject + validate)  # an auditor who errs makes the wrong decision
    assert audit_value(costs, [a], [p])[0] == pytest.approx(min(reject, validate) - audit)


def test_near_certain_claims_are_not_first_whatever_their_amount(tmp_path):
    """Ordering by amount put near-certain claims first: auditing them avoids almost nothing."""
    claims = pd.DataFrame({
        "id": ["SURE_NO", "SURE_YES", "DOUBT_BIG", "DOUBT"],
        "amount": [90_000.0, 80_000.0, 5_000.0, 1_500.0],
        "row_number": [2, 3, 4, 5],
    })  # fmt: skip
    scores = _audit_scores(claims, [0.001, 0.999, 0.3, 0.4], [0, 0, 0, 0])
    with _store_with(tmp_path, claims, scores, thresholds_id=None) as store:
        queue = review_queue(store, 1, costs=CostModel())
        ordered = list(queue.pending()["id"])
        assert ordered == ["DOUBT", "DOUBT_BIG", "SURE_YES", "SURE_NO"]
        values = queue.pending().set_index("id")["audit_value"]
        assert values["DOUBT"] == pytest.approx(0.4 * 500 - 150)  # min(200, 900) - 150
        assert values["SURE_NO"] == pytest.approx(0.001 * 500 - 150)
        assert values["SURE_NO"] < 0 < values["DOUBT"]


def test_the_queue_uses_the_costs_published_with_the_batch_pair(tmp_path):
    claims = pd.DataFrame({"id": ["X", "Y"], "amount": [100.0, 10_000.0], "row_number": [2, 3]})
    published = {"audit_cost": 20.0, "wrongful_rejection_fixed": 5_000.0}
    scores = _audit_scores(claims, [0.5, 0.5], [0, 0])
    with _store_with(tmp_path, claims, scores, publish=published) as store:
        queue = review_queue(store, 1, costs=CostModel(audit_cost=999.0))
        assert queue.costs.audit_cost == 20.0 and queue.costs.wrongful_rejection_fixed == 5_000.0
        values = queue.pending().set_index("id")["audit_value"]
        assert values["X"] == pytest.approx(min(0.5 * 5_000, 0.5 * 100) - 20)
        assert values["Y"] == pytest.approx(min(0.5 * 5_000, 0.5 * 10_000) - 20)


def test_quality_control_queue_is_apart_and_its_conclusions_are_qc_labels(tmp_path):
    claims = pd.DataFrame({"id": list("ABCDE"), "amount": [100.0] * 5, "row_number": range(2, 7)})
    scores = _audit_scores(
        claims, [0.05, 0.5, 0.95, 0.04, 0.6], [-1, 0, 1, -1, 0],
        qc_sample=[True, False, True, False, False],
    )  # fmt: skip
    with _store_with(tmp_path, claims, scores, thresholds_id=None) as store:
        queues = review_queues(store, 1)
        assert set(queues["audit"].frame["id"]) == {"B", "E"}
        assert set(queues["qc"].frame["id"]) == {"A", "C"}  # D: automatic, not drawn
        store.save_review(1, 2, actor=AUDITOR, decision=VALIDATE)  # A, drawn for QC
        store.save_review(1, 3, actor=AUDITOR, decision=REJECT)  # B, Audit Humain
        labels = store.labels(1).set_index("row_number")
        assert labels.loc[2, "source"] == "qc" and labels.loc[2, "label"] == 1
        assert labels.loc[3, "source"] == "review" and labels.loc[3, "label"] == 0
        queues = review_queues(store, 1)
        assert (queues["qc"].done, queues["qc"].remaining) == (1, 1)
        assert (queues["audit"].done, queues["audit"].remaining) == (1, 1)
        assert list(queues["qc"].pending()["id"]) == ["C"]


def test_an_edited_review_keeps_its_history_and_relabels_the_claim(tmp_path):
    with _scored_store(tmp_path) as store:
        store.save_review(1, 3, actor=AUDITOR, decision=VALIDATE, comment="justificatif reçu")
        store.save_review(1, 3, actor=ADMIN, decision=REJECT, comment="faux justificatif")
        store.save_review(1, 4, actor=AUDITOR, decision=REJECT)
        history = store.review_history(1, 3)
        assert list(history["auditor"]) == [AUDITOR.id, ADMIN.id]
        assert pd.isna(history["previous_decision"].iloc[0])
        assert list(history["decision"]) == [VALIDATE, REJECT]
        assert history["previous_decision"].iloc[1] == VALIDATE
        assert list(history["comment"]) == ["justificatif reçu", "faux justificatif"]
        assert len(store.review_history(1)) == 3
        assert store.labels(1).set_index("row_number").loc[3, "label"] == 0


def test_exports_hold_the_queue_and_every_review_and_are_audited(tmp_path):
    from python_calamine import CalamineWorkbook

    from core.config.loading import load_config

    cfg = load_config()
    with _scored_store(tmp_path) as store:
        store.save_review(1, 3, actor=AUDITOR, decision=VALIDATE, comment='=HYPERLINK("x")')
        store.save_review(1, 3, actor=AUDITOR, decision=REJECT, comment="revu")
        out = tmp_path / "queue.xlsx"
        out.write_bytes(export_queue(store, 1, cfg, AUDITOR, "fr"))
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        header = rows[0]
        for column in ("File_Revue", "Valeur_Audit", "Conclusion", "Auditeur", "Revue_Le"):
            assert column in header
        assert len(rows) == 1 + 3  # B, C, D in audit; no QC sample in this scoring
        first = dict(zip(header, rows[1], strict=True))
        assert first["File_Revue"] == "Audit Humain" and first["Conclusion"] == "Non fondée"
        assert first["Auditeur"] == AUDITOR.id

        out = tmp_path / "reviews.xlsx"
        out.write_bytes(export_reviews(store, 1, cfg, AUDITOR, "en"))
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
        assert [r["Action"] for r in records] == ["Created", "Edited"]
        assert [r["Conclusion_Avant"] for r in records] == ["", "Justified"]
        assert records[0]["Commentaire"] == '=HYPERLINK("x")'  # text, never a formula
        with store.cursor() as cur:
            exported = cur.execute(
                "SELECT actor, detail FROM audit_log WHERE action = 'review.exported' ORDER BY id"
            ).fetchall()
        assert [row[0] for row in exported] == [AUDITOR.id, AUDITOR.id]
        assert '"what":"queue"' in exported[0][1] and '"what":"reviews"' in exported[1][1]


def test_a_claim_reviewed_meanwhile_is_not_silently_overwritten(tmp_path):
    with _scored_store(tmp_path) as store:
        store.save_review(1, 3, actor=ADMIN, decision=VALIDATE, seen=0)
        with pytest.raises(WorkbenchError, match=r"revue entre-temps par admin@banque\.test"):
            store.save_review(1, 3, actor=AUDITOR, decision=REJECT, seen=0)  # same queue view
        with pytest.raises(WorkbenchError, match="reviewed meanwhile"):
            store.save_review(1, 3, actor=AUDITOR, decision=REJECT, seen=2)
        store.save_review(1, 3, actor=AUDITOR, decision=REJECT, seen=1)  # an informed edit
        assert list(store.review_history(1, 3)["auditor"]) == [ADMIN.id, AUDITOR.id]


def test_a_queue_is_ordered_once_and_callers_get_their_own_frame(tmp_path, monkeypatch):
    with _scored_store(tmp_path) as store:
        queue = review_queue(store, 1)
    sorts = []
    original = pd.DataFrame.sort_values

    def counted(self, *args, **kwargs):
        sorts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "sort_values", counted)
    first = queue.pending()
    assert list(queue.pending()["id"]) == list(queue.ordered()["id"]) == ["B", "D", "C"]
    assert len(sorts) == 1  # the page reruns read the same order
    first["id"] = "X"  # a caller's column change stays in its frame
    assert list(queue.pending()["id"]) == ["B", "D", "C"]
