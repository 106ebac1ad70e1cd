"""Review page: empty state, the two queues of a scored batch (most valuable audit first),
save and next, reopening a review with its history, exports."""

from __future__ import annotations

import pytest

from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.scoring.review_queue import review_queues
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page, shown
from tests.helpers import ADMIN


def _scored_batch(tmp_path) -> int:
    frame, _ = generate_claims(600, seed=21, year=2025, drift=True)
    path = tmp_path / "lot.xlsx"
    write_claims_xlsx(frame, path)
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        batch_id = ingest(path, cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return batch_id


def _queues(batch_id: int):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        return review_queues(store, batch_id, cfg.costs)


def _widget(widgets, prefix: str, suffix: str = ""):
    found = [w for w in widgets if str(w.key).startswith(prefix) and str(w.key).endswith(suffix)]
    assert len(found) == 1, [w.key for w in widgets]
    return found[0]


def _edit_button(at):
    (button,) = [b for b in at.button if b.label.startswith("Enregistrer la modification")]
    return button


def _progress(at) -> str:
    return at.get("progress")[0].proto.text


@pytest.fixture
def scored(model_env, tmp_path) -> int:
    return _scored_batch(tmp_path)


def test_empty_state_points_to_upload(app_env):
    at = open_page("review")
    assert not at.exception
    assert any("Aucun lot scoré" in i.value for i in at.info)


def test_the_queue_starts_with_the_most_valuable_audit(scored):
    queues = _queues(scored)
    audit = queues["audit"]
    assert audit.total > 5
    at = open_page("review")
    assert not at.exception, at.exception
    picker = _widget(at.selectbox, "review-claim-")
    expected = list(audit.pending()["row_number"])
    assert picker.value == expected[0]
    values = audit.pending()["audit_value"].to_numpy()
    assert (values[:-1] >= values[1:]).all()  # descending value of an audit
    by_amount = audit.frame.sort_values("amount", ascending=False)["row_number"].iloc[0]
    first = audit.frame.set_index("row_number").loc[expected[0]]
    assert first["audit_value"] >= audit.frame.set_index("row_number").loc[by_amount, "audit_value"]
    assert any("Valeur d'un audit" in m.label for m in at.metric)


def test_save_and_next_moves_to_the_next_claim_with_a_toast(scored):
    expected = list(_queues(scored)["audit"].pending()["row_number"])
    at = open_page("review")
    assert "faites : 0 /" in _progress(at)
    first = _widget(at.selectbox, "review-claim-").value
    assert first == expected[0]
    verdict = _widget(at.radio, "review-", "-verdict")
    assert verdict.key == f"review-{scored}-audit-{first}-verdict" and verdict.value is None
    # the form's first input gets the focus: the page's focus script names this claim's radio
    assert any(f"st-key-{verdict.key}" in h.value for h in at.get("html"))

    at.button[0].click().run()  # no conclusion chosen: refused, nothing stored
    assert any("Choisissez une conclusion" in e.value for e in at.error)
    with Store(load_config().paths.database) as store:
        assert store.latest_reviews(scored).empty

    _widget(at.radio, "review-", "-verdict").set_value(-1)
    _widget(at.text_input, "review-", "-comment").set_value("Pièces justificatives absentes")
    at.button[0].click().run()
    assert not at.exception, at.exception
    with Store(load_config().paths.database) as store:
        reviews = store.latest_reviews(scored)
        labels = store.labels(scored)
    assert list(reviews["row_number"]) == [first]
    assert reviews["review_decision"].iloc[0] == -1
    assert reviews["auditor"].iloc[0] == load_config().auth.local_actor().id
    assert reviews["comment"].iloc[0] == "Pièces justificatives absentes"
    assert list(labels["source"]) == ["review"] and list(labels["label"]) == [0]
    assert "faites : 1 /" in _progress(at)
    # next: the second most valuable claim, a blank form, a toast naming the claim saved
    assert _widget(at.selectbox, "review-claim-").value == expected[1]
    nxt = _widget(at.radio, "review-", "-verdict")
    assert nxt.key == f"review-{scored}-audit-{expected[1]}-verdict" and nxt.value is None
    claim_id = _queues(scored)["audit"].frame.set_index("row_number").loc[first, "id"]
    assert [shown(toast.value) for toast in at.toast] == [
        f"Réclamation {claim_id} enregistrée : Non fondée (rejeter)"
    ]


def test_quality_control_queue_apart_with_its_counts(scored):
    queues = _queues(scored)
    qc = queues["qc"]
    assert qc.total >= 2  # at least one claim of each automatic zone is drawn
    at = open_page("review")
    picker = at.radio(key="review-queue")
    assert picker.options == [
        f"Audit Humain — 0 faites, {queues['audit'].total} restantes",
        f"Contrôle qualité — 0 faites, {qc.total} restantes",
    ]
    picker.set_value("qc").run()
    assert not at.exception, at.exception
    first = _widget(at.selectbox, "review-claim-").value
    assert first == qc.pending()["row_number"].iloc[0]
    assert any("Décision automatique" in m.label for m in at.metric)
    _widget(at.radio, "review-", "-verdict").set_value(1)
    at.button[0].click().run()
    with Store(load_config().paths.database) as store:
        labels = store.labels(scored)
    assert list(labels["row_number"]) == [first] and list(labels["source"]) == ["qc"]
    assert at.radio(key="review-queue").options[1].startswith("Contrôle qualité — 1 faites")
    assert at.radio(key="review-queue").options[0].startswith("Audit Humain — 0 faites")


def test_a_review_is_reopened_changed_and_its_history_shown(scored):
    at = open_page("review")
    first = _widget(at.selectbox, "review-claim-").value
    _widget(at.radio, "review-", "-verdict").set_value(1)
    _widget(at.text_input, "review-", "-comment").set_value("reçu")
    at.button[0].click().run()
    reopen = _widget(at.selectbox, "review-reopen-")
    assert reopen.value is None
    reopen.set_value(first).run()
    assert not at.exception, at.exception
    edit = _widget(at.radio, "review-edit-", "-verdict")
    assert edit.value == 1  # the current conclusion, ready to change
    _edit_button(at).click().run()  # nothing changed: nothing saved
    assert any("Rien n'a changé" in i.value for i in at.info)
    _widget(at.radio, "review-edit-", "-verdict").set_value(-1)
    _edit_button(at).click().run()
    assert not at.exception, at.exception
    with Store(load_config().paths.database) as store:
        history = store.review_history(scored, first)
        labels = store.labels(scored).set_index("row_number")
        with store.cursor() as cur:
            actions = [r[0] for r in cur.execute(
                "SELECT action FROM audit_log WHERE action LIKE 'review.%' ORDER BY id"
            ).fetchall()]  # fmt: skip
    assert list(history["decision"]) == [1, -1] and history["previous_decision"].iloc[1] == 1
    assert labels.loc[first, "label"] == 0
    assert actions == ["review.created", "review.edited"]
    assert any("modifiée : Non fondée" in shown(toast.value) for toast in at.toast)
    assert _widget(at.selectbox, "review-reopen-").value is None  # closed after the change
    # reopened again: the history table shows who, when, before -> after
    _widget(at.selectbox, "review-reopen-").set_value(first).run()
    table = at.dataframe[-1].value
    assert list(table["Avant → après"]) == [
        "(première revue) → Fondée (valider)",
        "Fondée (valider) → Non fondée (rejeter)",
    ]
    assert set(table["Auditeur"]) == {load_config().auth.local_actor().id}


def test_exports_are_offered_for_the_queue_and_the_reviews(scored):
    at = open_page("review")
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {f"review-export-queue-{scored}", f"review-export-reviews-{scored}"}
    assert buttons[f"review-export-reviews-{scored}"].proto.disabled  # no review yet
    _widget(at.radio, "review-", "-verdict").set_value(1)
    at.button[0].click().run()
    buttons = {b.key: b for b in at.get("download_button")}
    assert not buttons[f"review-export-reviews-{scored}"].proto.disabled
    assert "journal" in " ".join(c.value for c in at.caption)


def test_a_claim_a_colleague_reviewed_meanwhile_is_not_overwritten(scored):
    at = open_page("review")
    first = _widget(at.selectbox, "review-claim-").value
    with Store(load_config().paths.database) as store:  # a colleague, in another session
        store.save_review(scored, first, actor=ADMIN, decision=1, comment="vu", seen=0)
    _widget(at.radio, "review-", "-verdict").set_value(-1)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("revue entre-temps par" in shown(e.value) for e in at.error)
    with Store(load_config().paths.database) as store:
        reviews = store.latest_reviews(scored)
    assert list(reviews["auditor"]) == [ADMIN.id] and list(reviews["review_decision"]) == [1]


def test_the_page_in_english(scored):
    queues = _queues(scored)
    at = open_page("review", lang="en")
    assert not at.exception, at.exception
    assert at.radio(key="review-queue").options == [
        f"Human audit — 0 done, {queues['audit'].total} to go",
        f"Quality control — 0 done, {queues['qc'].total} to go",
    ]
    _widget(at.radio, "review-", "-verdict").set_value(1)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any(shown(toast.value).endswith("saved: Justified (validate)") for toast in at.toast)
    assert "Reviewed claims" in [h.value for h in at.subheader]


def test_a_long_queue_lists_the_most_valuable_claims_and_says_so(scored, monkeypatch):
    from app.components import review_form

    monkeypatch.setattr(review_form, "PICK_LIMIT", 3)
    expected = list(_queues(scored)["audit"].pending()["row_number"])
    at = open_page("review")
    assert len(_widget(at.selectbox, "review-claim-").options) == 3
    assert any("Seules les 3 réclamations les plus utiles" in c.value for c in at.caption)
    for row in expected[:4]:  # save and next reaches the fourth, beyond the list
        assert _widget(at.selectbox, "review-claim-").value == row
        _widget(at.radio, "review-", "-verdict").set_value(1)
        at.button[0].click().run()
    assert not at.exception, at.exception
    assert _widget(at.selectbox, "review-claim-").value == expected[4]
