"""Tests of core.store and core.store.migrations, each on its own database under tmp_path."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import core.store.audit as audit_module
from core.config.identity import Actor
from core.config.loading import load_config
from core.exceptions import StoreError
from core.store.database import BatchInfo, SaveResult, Store, open_store
from core.store.migrations import MIGRATIONS, Migration, latest_version, migrate


def claims_frame(n: int = 4) -> pd.DataFrame:
    """A validated frame: standard roles, NULLs, leading-zero IDs and profile extras."""
    frame = pd.DataFrame(
        {
            "id": ["00123", "00124", "0007", "A-9"],
            "client_id": ["000001", None, "000003", "000001"],
            "date": pd.to_datetime(
                ["2024-01-31", "2024-02-29 13:45:00", None, "2023-12-01"], format="ISO8601"
            ),
            "amount": [1500.5, np.nan, 0.0, 2_000_000.0],
            "family": pd.Categorical(["Cartes", "Comptes", "Crédits", "Cartes"]),
            "category": ["Fraude", "Frais", None, "Fraude"],
            "delay": [3.0, np.nan, 10.0, 0.0],
            "label": pd.array([1, 0, None, 1], dtype="Int8"),
            "state": ["CA", None, "NY", "TX"],
            "channel": pd.Categorical(["Web", "Phone", "Web", None]),
            "n_products": [2.0, np.nan, 1.0, 5.0],
            "note": ['l\'apostrophe "et" guillemets', "é\nà", None, ""],
        }
    )
    return frame.iloc[:n].reset_index(drop=True)


UPLOADER = Actor("auditeur1@banque.test", "Auditeur 1", "auditor")


def save(store: Store, frame: pd.DataFrame, sha: str = "a" * 64, **kwargs) -> SaveResult:
    args = {
        "file_name": "lot.xlsx",
        "sheet": "Feuil1",
        "profile": "default",
        "actor": UPLOADER,
        "report_json": json.dumps({"errors": [], "warnings": 1}),
    }
    return store.save_batch(frame, sha256=sha, **{**args, **kwargs})


def count(store: Store, table: str) -> int:
    with store.cursor() as cur:
        return cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "workbench.duckdb"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as opened:
        yield opened


# ---------------------------------------------------------------------- migrations


def test_open_creates_folder_applies_migrations_and_records_version(store, db_path):
    assert db_path.is_file()
    assert store.schema_version == latest_version() == MIGRATIONS[-1].version
    assert count(store, "schema_migrations") == len(MIGRATIONS)
    with store.cursor() as cur:
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    expected = {"batches", "claims", "scores", "reviews", "thresholds", "model_versions"}
    assert expected | {"drift_reports", "audit_log", "schema_migrations"} <= tables


def test_reopening_is_a_no_op(db_path):
    with Store(db_path) as first:
        save(first, claims_frame())
        with first.cursor() as cur:
            before = cur.execute("SELECT * FROM schema_migrations").fetchall()
    with Store(db_path) as second:
        with second.cursor() as cur:
            assert cur.execute("SELECT * FROM schema_migrations").fetchall() == before
            assert migrate(cur) == []
        assert second.schema_version == latest_version()
        assert count(second, "claims") == 4


def test_database_newer_than_the_code_is_refused(db_path):
    Store(db_path).close()
    with duckdb.connect(str(db_path)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (?, 'future', now())", [999])
    with pytest.raises(StoreError, match="newer release"):
        Store(db_path)


def test_a_failing_migration_is_rolled_back_entirely():
    good = Migration(1, "one", ("CREATE TABLE t1 (a INTEGER)",))
    bad = Migration(2, "two", ("CREATE TABLE t2 (a INTEGER)", "INSERT INTO nowhere VALUES (1)"))
    with duckdb.connect() as con:
        with pytest.raises(StoreError, match=r"migration 2 .* rolled back"):
            migrate(con, [good, bad])
        assert con.execute("SELECT list(version) FROM schema_migrations").fetchone()[0] == [1]
        names = con.execute("SELECT list(table_name) FROM duckdb_tables()").fetchone()[0]
        assert "t1" in names and "t2" not in names
        fixed = Migration(2, "two", ("CREATE TABLE t2 (a INTEGER)",))
        assert migrate(con, [good, fixed]) == [2]


def test_migrations_must_be_ordered():
    one = Migration(1, "one", ())
    with duckdb.connect() as con, pytest.raises(ValueError, match="increasing"):
        migrate(con, [one, one])


def test_a_file_that_is_not_a_duckdb_database_is_refused(tmp_path):
    bogus = tmp_path / "workbench.duckdb"
    bogus.write_bytes(b"PK\x03\x04 this is an Excel file, not a database" * 200)
    with pytest.raises(StoreError, match="not a DuckDB database"):
        Store(bogus)


def test_open_store_uses_the_configured_database(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    cfg = load_config()
    with open_store(cfg) as opened:
        assert opened.schema_version == latest_version()
    assert cfg.paths.database.is_file()


# ---------------------------------------------------------------------- saving


def test_same_file_twice_is_stored_once(store):
    first = save(store, claims_frame())
    again = save(store, claims_frame(), file_name="renamed.xlsx")
    assert first == SaveResult(first.batch_id, created=True)
    assert again == SaveResult(first.batch_id, created=False)
    assert count(store, "batches") == 1
    assert count(store, "claims") == 4
    assert count(store, "audit_log") == 1
    assert store.find_batch("a" * 64) == store.get_batch(first.batch_id)
    assert store.find_batch("f" * 64) is None


def test_a_value_that_cannot_be_cast_leaves_nothing_behind(store):
    frame = claims_frame().assign(amount=["12", "douze", "3", "4"])
    with pytest.raises(StoreError, match=r"lot\.xlsx.*nothing was written"):
        save(store, frame)
    assert [count(store, t) for t in ("batches", "claims", "audit_log")] == [0, 0, 0]
    assert save(store, claims_frame()).created  # the store is still usable


def test_a_failure_after_the_claims_insert_leaves_nothing_behind(store, monkeypatch):
    def disk_full(*args, **kwargs):
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(audit_module, "append", disk_full)
    with pytest.raises(StoreError, match="No space left"):
        save(store, claims_frame())
    assert [count(store, t) for t in ("batches", "claims", "audit_log")] == [0, 0, 0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(label=pd.array([1, 2, 0, 1], dtype="Int8")), "CHECK"),
        (lambda f: f.assign(row_number=[1, 1, 2, 3]), "nothing was written"),
        (lambda f: f.assign(batch_id=1), "reserved"),
        (lambda f: f.set_axis(["id", *["amount"] * 11], axis=1), "same name"),
    ],
)
def test_invalid_frames_are_refused(store, change, message):
    with pytest.raises(StoreError, match=message):
        save(store, change(claims_frame()))
    assert count(store, "batches") == 0


def test_save_records_the_batch_and_an_audit_entry(store):
    result = save(store, claims_frame())
    info = store.get_batch(result.batch_id)
    assert isinstance(info, BatchInfo)
    assert (info.file_name, info.sheet, info.rows, info.profile) == (
        "lot.xlsx",
        "Feuil1",
        4,
        "default",
    )
    assert (info.uploaded_by, info.status, info.sha256) == (UPLOADER.id, "stored", "a" * 64)
    assert store.get_report(result.batch_id) == {"errors": [], "warnings": 1}
    with store.cursor() as cur:
        actor, role, action, detail = cur.execute(
            "SELECT actor, actor_role, action, detail FROM audit_log"
        ).fetchone()
    assert (actor, role, action) == (UPLOADER.id, "auditor", "batch.saved")
    assert json.loads(detail)["batch_id"] == result.batch_id


# ---------------------------------------------------------------------- loading


def test_round_trip_keeps_types_ids_nulls_dates_and_extras(store):
    frame = claims_frame()
    loaded = store.load_claims(save(store, frame).batch_id)
    assert list(loaded.columns) == [*frame.columns, "row_number"]
    assert loaded["row_number"].tolist() == [1, 2, 3, 4]
    assert loaded["id"].tolist() == ["00123", "00124", "0007", "A-9"]
    assert loaded["client_id"].tolist() == ["000001", None, "000003", "000001"]
    assert loaded["date"].dtype.kind == "M"
    pd.testing.assert_series_equal(loaded["date"].astype("datetime64[ns]"), frame["date"])
    pd.testing.assert_series_equal(loaded["amount"], frame["amount"])
    assert loaded["family"].tolist() == frame["family"].astype(str).tolist()
    assert loaded["label"].dtype == "Int8"
    assert loaded["label"].tolist() == [1, 0, pd.NA, 1]
    assert loaded["state"].tolist() == ["CA", None, "NY", "TX"]
    assert loaded["channel"].tolist() == ["Web", "Phone", "Web", None]
    pd.testing.assert_series_equal(loaded["n_products"], frame["n_products"])
    assert loaded["note"].tolist() == frame["note"].tolist()


def test_missing_roles_are_null_in_the_table_and_absent_when_loaded(store):
    frame = pd.DataFrame({"amount": [10.0, 20.0], "family": ["Cartes", "Comptes"]})
    batch_id = save(store, frame).batch_id
    with store.cursor() as cur:
        row = cur.execute(
            "SELECT claim_id, client_id, claim_date, label, label_excluded, extras FROM claims"
            " WHERE batch_id = ? AND row_number = 2",
            [batch_id],
        ).fetchone()
    assert row == (None, None, None, None, False, None)
    loaded = store.load_claims(batch_id)
    assert list(loaded.columns) == ["amount", "family", "row_number"]


def test_a_given_row_number_and_label_excluded_are_kept(store):
    frame = claims_frame(2).assign(row_number=[12, 15], label_excluded=[False, True])
    loaded = store.load_claims(save(store, frame).batch_id)
    assert loaded["row_number"].tolist() == [12, 15]
    assert loaded["label_excluded"].tolist() == [False, True]
    assert list(loaded.columns) == list(frame.columns)


def test_an_unknown_batch_is_a_store_error(store):
    with pytest.raises(StoreError, match="Batch 42 does not exist"):
        store.get_batch(42)
    with pytest.raises(StoreError, match="Batch 42 does not exist"):
        store.load_claims(42)


def test_list_batches_newest_first(store):
    ids = [save(store, claims_frame(), sha=str(i) * 64).batch_id for i in range(3)]
    assert [b.id for b in store.list_batches()] == ids[::-1]
    assert [b.id for b in store.list_batches(limit=2)] == ids[:0:-1]


def test_a_closed_store_raises_store_error(db_path):
    closed = Store(db_path)
    closed.close()
    with pytest.raises(StoreError, match="closed"):
        closed.list_batches()


# ---------------------------------------------------------------------- threads


def test_threads_read_concurrently_with_a_cursor_each(store):
    ids = [save(store, claims_frame(), sha=str(i) * 64).batch_id for i in range(4)]

    def read(batch_id: int) -> tuple[int, int, str]:
        claims = store.load_claims(batch_id)
        return len(claims), len(store.list_batches()), store.get_batch(batch_id).sha256

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(read, ids * 5))
    assert results == [(4, 4, str(i) * 64) for i in range(4)] * 5


def test_threads_saving_the_same_file_store_it_once(store):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: save(store, claims_frame()), range(8)))
    assert sum(r.created for r in results) == 1
    assert len({r.batch_id for r in results}) == 1
    assert count(store, "claims") == 4
