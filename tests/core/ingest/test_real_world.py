"""Files sent by branches (issue 11): notes or summary sheets first, total lines, merged
cells, invisible characters in IDs. Workbooks built with openpyxl, as Excel saves them."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from core.config.loading import load_config
from core.ingest.pipeline import validate_file
from core.ingest.reader import choose_sheet, open_source, read_table
from tests.core import badfiles as bf

CFG = load_config()


def workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] = {}) -> Path:  # noqa: B006
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for ref in merges.get(name, ()):
            sheet.merge_cells(ref)
    book.save(path)
    return path


def claims(n: int, start: int = 1) -> list[list]:
    return [list(bf.HEADERS), *bf.claim_rows(n, start)]


SUMMARY = [
    ["Famille Produit", "Montant demandé", "Nombre"],
    *[[family, 1000.0 * (i + 1), 3] for i, family in enumerate(bf.FAMILIES)],
]


def codes(batch) -> list[str]:
    return [i.code for i in batch.report.issues]


# ------------------------------------------------------------------ sheet choice


def test_notes_sheet_first_page_and_cli_read_the_claims(tmp_path):
    notes = [["Notes de l'agence"], ["Lot envoyé le 3 mars"], ["Contact : agence 12"]]
    path = workbook(tmp_path / "notes.xlsx", {"Notes": notes, "Réclamations": claims(6)})
    choice = choose_sheet(path, limits=CFG.limits, schema=CFG.schema)  # the page's default
    assert choice.sheet == "Réclamations" and choice.others == ("Notes",)
    batch = validate_file(path, CFG)  # what the command line reads with no --sheet
    assert batch.report.sheet == "Réclamations" and batch.report.ok and batch.report.n_rows == 6
    (info,) = [i for i in batch.report.issues if i.code == "sheet_chosen"]
    assert info.severity == "info" and "« Notes »" in info.message_fr
    assert "« Réclamations »" in info.message_en and "most like a claims table" in info.message_en


def test_summary_with_the_required_columns_first_is_not_scored_as_claims(tmp_path):
    path = workbook(
        tmp_path / "synthese.xlsx",
        {"Synthèse": SUMMARY, "Notes": [["Remarques"]], "Réclamations": claims(8)},
    )
    opened = open_source(path, limits=CFG.limits)
    choice = choose_sheet(opened, schema=CFG.schema, limits=CFG.limits)
    assert choice.sheet == "Réclamations" and choice.others == ("Synthèse", "Notes")
    by_name = {s.name: s for s in choice.scores}
    assert by_name["Synthèse"].required_columns == 2 and not by_name["Synthèse"].ids_unique
    assert by_name["Réclamations"].ids_unique and by_name["Réclamations"].rows == 8
    batch = validate_file(opened, CFG)
    assert batch.report.sheet == "Réclamations" and batch.report.n_rows == 8
    message = next(i for i in batch.report.issues if i.code == "sheet_chosen").message_fr
    assert "« Synthèse » (2 colonnes reconnues dont 2/2 obligatoires" in message
    assert "« Notes » (0 colonne reconnue" in message


def test_a_sheet_named_by_the_user_is_read_and_the_others_still_named(tmp_path):
    path = workbook(tmp_path / "synthese.xlsx", {"Synthèse": SUMMARY, "Réclamations": claims(3)})
    raw = read_table(path, sheet="Synthèse", limits=CFG.limits, schema=CFG.schema)
    assert raw.sheet == "Synthèse" and raw.sheet_choice.by_user
    assert raw.sheet_choice.others == ("Réclamations",)
    assert "as asked" in raw.sheet_choice.message("en")


def test_single_sheet_workbook_says_nothing_about_sheets(tmp_path):
    batch = validate_file(bf.good_xlsx(tmp_path), CFG)
    assert batch.report.issues == ()


# ------------------------------------------------------------------ total lines


def test_total_lines_are_excluded_and_named_but_never_a_claim_with_an_id(tmp_path):
    rows = claims(5)
    amount, family = bf.HEADERS.index("Montant demandé"), bf.HEADERS.index("Famille Produit")
    subtotal = [None] * len(bf.HEADERS)
    subtotal[family], subtotal[amount] = "Sous-total Cartes", 3000.0
    total = [None] * len(bf.HEADERS)
    total[0], total[amount] = "Total général", 7512.5  # in column A, the ID column
    real = bf.claim_rows(1, start=77)[0]
    real[family] = "Total"  # an ID: a real claim, whatever its family says
    path = workbook(tmp_path / "totaux.xlsx", {"Lot": [*rows, subtotal, real, total]})
    batch = validate_file(path, CFG)
    assert batch.report.n_rows == 6 and "000077" in batch.frame["id"].tolist()
    (warning,) = [i for i in batch.report.issues if i.code == "total_rows"]
    assert warning.severity == "warning" and warning.row == 7
    assert "(ligne 7, 9)" in warning.message_fr and "2 total" in warning.message_en
    assert "missing_value" not in codes(batch)  # the total lines blocked the batch before


# ------------------------------------------------------------------ merged cells


def test_merged_cells_in_a_required_column_are_filled_and_named(tmp_path):
    rows = claims(6)
    family = bf.HEADERS.index("Famille Produit")
    for row in rows[2:]:
        row[family] = None
    letter = "ABCDEFGHIJKLM"[family]
    path = workbook(tmp_path / "fusion.xlsx", {"Lot": rows}, {"Lot": [f"{letter}2:{letter}7"]})
    batch = validate_file(path, CFG)
    assert batch.report.ok, codes(batch)
    assert batch.frame["family"].tolist() == [bf.FAMILIES[0]] * 6
    (warning,) = [i for i in batch.report.issues if i.code == "merged_cells"]
    assert warning.column == "Famille Produit" and warning.value == f"{letter}2:{letter}7"
    assert "« Lot »" in warning.message_fr and "fusionnées" in warning.message_fr
    assert "merged" in warning.message_en.lower() and "6 row(s)" in warning.message_en


def test_merged_cells_in_an_optional_column_are_never_a_silent_gap(tmp_path):
    rows = claims(5)
    segment = bf.HEADERS.index("Segment")
    for row in rows[2:]:
        row[segment] = None
    letter = "ABCDEFGHIJKLM"[segment]
    path = workbook(tmp_path / "fusion.xlsx", {"Lot": rows}, {"Lot": [f"{letter}2:{letter}6"]})
    batch = validate_file(path, CFG)
    assert batch.frame["segment"].notna().all()
    assert [i.column for i in batch.report.issues if i.code == "merged_cells"] == ["Segment"]


def test_a_merged_title_above_the_header_is_left_alone(tmp_path):
    rows = [["Réclamations de mars", *[None] * 12], *claims(3)]
    path = workbook(tmp_path / "titre.xlsx", {"Lot": rows}, {"Lot": ["A1:M1"]})
    batch = validate_file(path, CFG)
    assert batch.report.ok and "merged_cells" not in codes(batch)
    assert batch.report.n_rows == 3


# ------------------------------------------------------------------ invisible characters


def test_zero_width_characters_are_stripped_from_ids_with_a_count(tmp_path):
    rows = claims(4)
    rows[1][0] = "\u200b000001"
    rows[2][0] = "000002\ufeff"
    rows[3][1] = "C\u00a00000001\u2060"
    rows[4][4] = "Cartes\u200d"
    path = workbook(tmp_path / "invisibles.xlsx", {"Lot": rows})
    batch = validate_file(path, CFG)
    assert batch.frame["id"].tolist() == ["000001", "000002", "000003", "000004"]
    assert batch.frame["client_id"].iloc[2] == "C 0000001"
    assert batch.frame["family"].iloc[3] == "Cartes"
    found = {i.column: i.count for i in batch.report.issues if i.code == "invisible_characters"}
    assert found == {"ID Réclamation": 2, "ID Client": 1, "Famille Produit": 1}
    assert "unknown_category" not in codes(batch)


def test_a_header_with_a_zero_width_character_is_still_recognised(tmp_path):
    rows = claims(2)
    rows[0][bf.HEADERS.index("Montant demandé")] = "Montant\u200b demandé"
    batch = validate_file(workbook(tmp_path / "entete.xlsx", {"Lot": rows}), CFG)
    assert batch.report.ok and "amount" in batch.present


def test_without_an_id_column_only_a_lone_total_label_is_a_total(tmp_path):
    headers = ["Date Réclamation", "Montant demandé", "Famille Produit", "Catégorie"]
    rows = [
        headers,
        ["01/03/2025", "1200,50", "Cartes", "Fraude"],
        ["02/03/2025", "800", "Total", "Frais"],  # a claim: it names a category besides
        ["", "2000,50", "Sous-total", ""],
    ]
    path = tmp_path / "sans_id.csv"
    path.write_bytes("\r\n".join(";".join(r) for r in rows).encode("utf-8"))
    batch = validate_file(path, CFG)
    assert batch.report.n_rows == 2 and batch.frame["family"].tolist() == ["Cartes", "Total"]
    (warning,) = [i for i in batch.report.issues if i.code == "total_rows"]
    assert warning.row == 4


def test_the_profiles_sheet_is_the_default_of_both(tmp_path):
    import dataclasses

    cfg = dataclasses.replace(CFG, schema=dataclasses.replace(CFG.schema, sheet="Mardi"))
    path = workbook(tmp_path / "semaine.xlsx", {"Lundi": claims(4), "Mardi": claims(2, 50)})
    assert choose_sheet(path, limits=cfg.limits, schema=cfg.schema).sheet == "Mardi"
    assert validate_file(path, cfg).report.sheet == "Mardi"


def test_cells_merged_with_the_header_into_the_data_are_named_not_silent(tmp_path):
    rows = claims(4)
    segment = bf.HEADERS.index("Segment")
    for row in rows[1:3]:
        row[segment] = None
    letter = "ABCDEFGHIJKLM"[segment]
    path = workbook(tmp_path / "entete.xlsx", {"Lot": rows}, {"Lot": [f"{letter}1:{letter}3"]})
    batch = validate_file(path, CFG)
    (warning,) = [i for i in batch.report.issues if i.code == "merged_header_cells"]
    assert warning.column == "Segment" and warning.value == f"{letter}2:{letter}3"
    assert batch.frame["segment"].isna().sum() == 2  # read empty, and said so
