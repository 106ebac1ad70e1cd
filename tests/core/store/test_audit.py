"""core.store.audit: every change is one chained row; deleting or rewriting one is detected."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import core.store.audit as audit
from core.exceptions import PermissionDeniedError
from core.store.database import Store
from core.store.gate import gate_for
from core.store.migrations import MIGRATIONS, migrate
from tests.helpers import ADMIN, AUDITOR


def _history(store: Store) -> None:
    """A normal day: an upload, a publication, a scoring, a review and its edit."""
    frame = pd.DataFrame({"amount": [10.0, 20.0], "family": ["Cartes", "Comptes"]})
    batch = store.save_batch(
        frame,
        file_name="lot.xlsx",
        sha256="a" * 64,
        sheet=None,
        profile="default",
        actor=AUDITOR,
        report_json="[]",
    ).batch_id
    store.publish_thresholds("v1", 0.2, 0.8, source="manual", actor=ADMIN, reason="mise en route")
    scores = frame.assign(
        row_number=[1, 2],
        probability=[0.5, 0.9],
        decision=[0, 1],
        decision_model=[0, 1],
        rule_flags=["", ""],
        rule_reason=["", ""],
    )
    store.save_scores(batch, scores, model_version="v1", thresholds_id=1, actor=AUDITOR)
    store.save_review(batch, 1, actor=AUDITOR, decision=1, comment="pièce reçue")
    store.save_review(batch, 1, actor=AUDITOR, decision=-1, comment="doublon")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "workbench.duckdb")
    _history(opened)
    return opened


def _check(store: Store) -> audit.ChainCheck:
    with store.cursor() as cur:
        return audit.verify_chain(cur, store.anchor_path)


def _tamper(store: Store, sql: str, params: list | None = None) -> None:
    """Edit the database file directly, as an attacker with the file would."""
    gate_for(store.path).release_now()
    with duckdb.connect(store.path) as con:
        con.execute(sql, params or [])


def test_a_normal_history_verifies_and_says_who_did_what(store):
    check = _check(store)
    assert check.ok, check.problems
    assert check.rows == 5
    with store.cursor() as cur:
        rows = audit.entries(cur)
    assert [e.action for e in rows] == [
        "review.edited",
        "review.created",
        "batch.scored",
        "thresholds.published",
        "batch.saved",
    ]
    published = rows[3]
    assert (published.actor, published.role, published.reason) == (
        ADMIN.id,
        "admin",
        "mise en route",
    )
    assert published.before is None and published.after["low"] == 0.2
    edit = rows[0]
    assert edit.before["decision"] == 1 and edit.after["decision"] == -1
    anchor = json.loads(store.anchor_path.read_text())
    assert (anchor["head_id"], anchor["head_hash"]) == (check.head_id, check.head_hash)


def test_deleting_a_row_is_detected_and_the_row_named(store):
    _tamper(store, "DELETE FROM audit_log WHERE id = 3")
    check = _check(store)
    assert not check.ok
    assert check.problems[0].row_id == 4
    assert "row 4 does not follow row 2" in check.problems[0].message


def test_rewriting_an_actor_is_detected_and_the_row_named(store):
    _tamper(store, "UPDATE audit_log SET actor = 'quelquun@ailleurs' WHERE id = 2")
    check = _check(store)
    assert [p.row_id for p in check.problems] == [2]
    assert "rewritten" in check.problems[0].message


def test_rewriting_a_row_and_every_hash_after_it_is_caught_by_the_anchor(store):
    gate_for(store.path).release_now()
    with duckdb.connect(store.path) as con:
        con.execute("UPDATE audit_log SET reason = 'autre raison' WHERE id = 2")
        rows = con.execute(
            "SELECT id, logged_at, actor, actor_role, action, detail, before, after, reason, "
            "prev_hash FROM audit_log ORDER BY id"
        ).fetchall()
        prev = audit.GENESIS
        for row in rows:  # recompute the whole chain, as a careful attacker would
            digest = audit.row_hash(prev, audit._fields((*row[:9], prev)))
            con.execute(
                "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
                [prev, digest, row[0]],
            )
            prev = digest
    check = _check(store)
    assert [p.message for p in check.problems if p.row_id != 5] == []  # the chain itself holds
    assert len(check.problems) == 1
    assert "does not end as the anchor recorded" in check.problems[0].message


def test_deleting_the_last_rows_is_caught_by_the_anchor(store):
    _tamper(store, "DELETE FROM audit_log WHERE id >= 4")
    check = _check(store)
    assert not check.ok
    assert "the last rows were deleted" in check.problems[0].message


def test_an_auditor_cannot_publish_and_nothing_is_written(store):
    with pytest.raises(PermissionDeniedError, match="seul un administrateur"):
        store.publish_thresholds("v1", 0.1, 0.9, source="manual", actor=AUDITOR, reason="x")
    with store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM thresholds").fetchall()[0][0] == 1
    assert _check(store).ok


def test_rows_written_before_the_chain_existed_are_sealed_by_the_migration(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con, MIGRATIONS[:3])  # a database of the previous release
        for i in range(3):
            con.execute(
                "INSERT INTO audit_log (logged_at, actor, action, detail) "
                "VALUES (now(), ?, 'batch.saved', ?)",
                [f"auditeur{i}", json.dumps({"batch_id": i})],
            )
    store = Store(path)  # migrates to the current schema
    check = _check(store)
    assert check.ok and check.rows == 3
    _tamper(store, "UPDATE audit_log SET actor = 'x' WHERE id = 1")
    assert [p.row_id for p in _check(store).problems] == [1]


def test_the_anchor_is_written_over_a_longer_one_and_reads_whole(store):
    with store.cursor() as cur:
        state = audit.anchor_state(cur)
        many = {f"v{i}": "0" * 64 for i in range(30)}  # a longer anchor first
        audit.write_anchor(cur, store.anchor_path, audit.AnchorState(1, "x", many))
        longer = store.anchor_path.stat().st_size
        audit.write_anchor(cur, store.anchor_path, state)
    assert store.anchor_path.stat().st_size == longer  # padded, never truncated
    anchor = audit.read_anchor(store.anchor_path)
    assert (anchor["head_id"], anchor["head_hash"]) == (state.head_id, state.head_hash)
    assert anchor["models"] == state.models
    assert _check(store).ok


def test_an_anchor_read_while_it_is_written_is_read_again(store, monkeypatch):
    whole = store.anchor_path.read_text(encoding="utf-8")
    reads = iter([whole[: len(whole) // 2], whole])  # the first read catches half a write

    monkeypatch.setattr(type(store.anchor_path), "read_text", lambda self, **kw: next(reads))
    assert audit.read_anchor(store.anchor_path) == json.loads(whole)
    monkeypatch.setattr(type(store.anchor_path), "read_text", lambda self, **kw: "{")
    assert "unreadable anchor" in audit.read_anchor(store.anchor_path)["error"]
