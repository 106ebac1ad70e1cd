"""Upload page: the demo batch goes through; a bad file shows the report; nothing leaks."""

from pathlib import Path

from core.config.loading import load_config
from core.store.database import open_store
from tests.app.conftest import open_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(at, name: str, data: bytes, mime: str = XLSX):
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    return at


def test_upload_demo_batch_is_stored_then_recognised(app_env, demo_dir: Path):
    data = (demo_dir / "batch_nouvelles.xlsx").read_bytes()
    at = _upload(open_page("upload"), "batch_nouvelles.xlsx", data)
    assert not at.exception
    assert any("enregistré" in s.value and "2" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    store = open_store(load_config())
    try:
        batches = store.list_batches()
        assert len(batches) == 1 and batches[0].rows == 2000
    finally:
        store.close()
    # A second session uploading the same bytes is told it is already stored.
    at2 = _upload(open_page("upload"), "copie.xlsx", data)
    assert any("déjà enregistré" in i.value for i in at2.info), [i.value for i in at2.info]


def test_bad_file_shows_the_report_and_stores_nothing(app_env):
    at = _upload(open_page("upload"), "faux.xlsx", b"%PDF-1.4 not a workbook")
    assert not at.exception
    assert at.error, "the rejection must be shown"
    assert len(at.dataframe) >= 1  # the table of problems
    store = open_store(load_config())
    try:
        assert store.list_batches() == []
    finally:
        store.close()


def test_upload_in_english(app_env, demo_dir: Path):
    data = (demo_dir / "batch_nouvelles.xlsx").read_bytes()
    at = _upload(open_page("upload", lang="en"), "batch.xlsx", data)
    assert any("stored" in s.value for s in at.success)


def test_a_workbook_with_several_sheets_lets_the_auditor_choose(
    app_env, tmp_path: Path, monkeypatch
):
    import pandas as pd

    import core.ingest.reader as reader
    from core.synth.generator import generate_claims

    opened = []
    real_open = reader._open_workbook
    monkeypatch.setattr(reader, "_open_workbook", lambda *a: opened.append(a[2]) or real_open(*a))

    first, _ = generate_claims(30, seed=1, year=2025, labelled=False)
    second, _ = generate_claims(45, seed=2, year=2025, labelled=False, id_start=900)
    path = tmp_path / "deux_feuilles.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        first.to_excel(writer, sheet_name="Lundi", index=False)
        second.to_excel(writer, sheet_name="Mardi", index=False)
    at = _upload(open_page("upload"), path.name, path.read_bytes())
    assert not at.exception
    picker = at.selectbox(key="upload.sheet")
    assert picker.options == ["Lundi", "Mardi"] and picker.value == "Lundi"
    picker.set_value("Mardi").run()
    assert not at.exception
    store = open_store(load_config())
    try:
        rows = sorted(b.rows for b in store.list_batches())
    finally:
        store.close()
    assert rows == [30, 45]  # the first sheet on upload, then the chosen one
    # One opening of the workbook served the picker, both ingestions and every rerun.
    assert opened == [path.name]


def test_the_sheet_picker_starts_on_the_claims_sheet_the_cli_reads(app_env, tmp_path: Path):
    import openpyxl

    from tests.core import badfiles as bf

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Lot envoyé par l'agence 12"])
    claims = book.create_sheet("Réclamations")
    for row in [list(bf.HEADERS), *bf.claim_rows(7)]:
        claims.append(row)
    path = tmp_path / "notes_puis_lot.xlsx"
    book.save(path)
    at = _upload(open_page("upload"), path.name, path.read_bytes())
    assert not at.exception
    picker = at.selectbox(key="upload.sheet")
    assert picker.options == ["Notes", "Réclamations"] and picker.value == "Réclamations"
    assert not at.error, [e.value for e in at.error]
    report = at.dataframe[0].value
    assert any("« Notes »" in str(m) for m in report["Motif"]), report["Motif"].tolist()
    store = open_store(load_config())
    try:
        assert [b.rows for b in store.list_batches()] == [7]
    finally:
        store.close()
