"""core.ingest: read -> validate -> store once per file (and per sheet of a multi-sheet file)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import core.ingest.pipeline as ingest_module
from core.ingest.pipeline import DUPLICATE, REJECTED, STORED, batch_key, ingest
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "i.duckdb") as s:
        yield s


def _batch(tmp_path: Path, n: int = 40) -> Path:
    frame, _ = generate_claims(n, seed=4, year=2025, labelled=False)
    path = tmp_path / "lot.xlsx"
    write_claims_xlsx(frame, path)
    return path


def test_stored_once_then_recognised_before_parsing(cfg, store, tmp_path, monkeypatch):
    path = _batch(tmp_path)
    first = ingest(path, cfg, store, actor=ADMIN)
    assert (first.status, first.n_rows, first.batch_id) == (STORED, 40, 1)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the same file must be recognised before parsing")

    monkeypatch.setattr(ingest_module, "validate_file", must_not_parse)
    again = ingest(path.read_bytes(), cfg, store, file_name="copie.xlsx", actor=ADMIN)
    assert (again.status, again.batch_id, again.sha256) == (DUPLICATE, 1, first.sha256)
    assert len(store.list_batches()) == 1


def test_each_sheet_of_a_workbook_is_its_own_batch(cfg, store, tmp_path):
    one, _ = generate_claims(20, seed=1, year=2025, labelled=False)
    two, _ = generate_claims(25, seed=2, year=2025, labelled=False, id_start=500)
    path = tmp_path / "semaine.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        one.to_excel(writer, sheet_name="Lundi", index=False)
        two.to_excel(writer, sheet_name="Mardi", index=False)
    monday = ingest(path, cfg, store, actor=ADMIN)
    tuesday = ingest(path, cfg, store, sheet="Mardi", actor=ADMIN)
    monday_again = ingest(path, cfg, store, sheet="Lundi", actor=ADMIN)  # the default sheet, named
    assert (monday.status, monday.n_rows) == (STORED, 20)
    assert (tuesday.status, tuesday.n_rows) == (STORED, 25)
    assert (monday_again.status, monday_again.batch_id) == (DUPLICATE, monday.batch_id)
    assert monday.sha256 != tuesday.sha256


def test_batch_key_is_the_file_hash_for_a_single_sheet():
    assert batch_key("abc", "Feuil1", 1) == "abc"
    assert batch_key("abc", None, 3) == "abc"
    assert batch_key("abc", "Lundi", 2) != batch_key("abc", "Mardi", 2)


def test_oversized_and_unreadable_files_are_rejected_with_a_report(cfg, store, tmp_path):
    small = replace(cfg, limits=replace(cfg.limits, max_file_mb=0.001))
    big = ingest(_batch(tmp_path, 200), small, store, actor=ADMIN)
    assert big.status == REJECTED and big.report.issues[0].code == "file_too_large"
    missing = ingest(tmp_path / "absent.xlsx", cfg, store, actor=ADMIN)
    assert missing.status == REJECTED and "absent.xlsx" in missing.report.issues[0].message_fr
    assert store.list_batches() == []


def test_a_workbook_is_opened_once_and_an_opened_file_is_not_opened_again(
    cfg, store, tmp_path, monkeypatch
):
    import core.ingest.reader as reader
    from core.ingest.reader import open_source

    one, _ = generate_claims(20, seed=1, year=2025, labelled=False)
    two, _ = generate_claims(25, seed=2, year=2025, labelled=False, id_start=500)
    path = tmp_path / "semaine.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        one.to_excel(writer, sheet_name="Lundi", index=False)
        two.to_excel(writer, sheet_name="Mardi", index=False)
    calls = {"sniff": 0, "open": 0}
    real_sniff, real_open = reader.sniff_format, reader._open_workbook

    def sniff(*args):
        calls["sniff"] += 1
        return real_sniff(*args)

    def open_workbook(*args):
        calls["open"] += 1
        return real_open(*args)

    monkeypatch.setattr(reader, "sniff_format", sniff)
    monkeypatch.setattr(reader, "_open_workbook", open_workbook)
    assert ingest(path, cfg, store, actor=ADMIN).status == STORED  # sheets listed, then one read
    assert calls == {"sniff": 1, "open": 1}
    opened = open_source(path, limits=cfg.limits)  # what the page keeps for its picker
    assert opened.sheets == ("Lundi", "Mardi")
    assert ingest(opened, cfg, store, sheet="Mardi", actor=ADMIN).n_rows == 25
    assert calls == {"sniff": 2, "open": 2}  # open_source only: ingest reused the opening
