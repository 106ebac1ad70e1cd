"""core.ingest.validate: every problem reported at once, with row, column, value, reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.exceptions import FileRejectedError
from core.ingest.normalize import parse_number_text
from core.ingest.reader import RawTable, read_table
from core.ingest.report import MAX_LISTED, Issue, ValidationReport
from core.ingest.validate import normalize_header, validate
from tests.core import badfiles as bf
from tests.helpers import CFPB_FILE

CFG = load_config()


def check(path: Path, cfg=CFG, **kwargs):
    raw = read_table(path, limits=cfg.limits, schema=cfg.schema)
    return validate(raw, cfg.schema, cfg.limits, **kwargs)


def found(batch, code: str) -> list[Issue]:
    hits = [i for i in batch.report.issues if i.code == code]
    assert hits, f"no {code!r} in {[i.code for i in batch.report.issues]}"
    for issue in hits:  # bilingual, and different in each language
        assert issue.message_fr and issue.message_en and issue.message_fr != issue.message_en
    return hits


def where(issues: list[Issue]) -> list[tuple]:
    return [(i.row, i.column, i.value) for i in issues]


# ------------------------------------------------------------------ good inputs


def test_good_xlsx_is_typed_and_clean(tmp_path):
    batch = check(bf.good_xlsx(tmp_path))
    assert batch.report.ok and batch.report.issues == () and batch.report.n_rows == 6
    frame = batch.frame
    assert set(batch.present) == {c.key for c in CFG.schema.columns}
    assert frame["id"].tolist()[:2] == ["000001", "000002"]
    assert frame["amount"].dtype == "float64" and frame["date"].dtype == "datetime64[ns]"
    assert frame["label"].dtype == "Int8" and frame["label"].tolist() == [0, 1, 0, 1, 0, 1]
    assert frame["label_excluded"].dtype == bool and frame["row_number"].tolist() == [
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    assert frame["date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert batch.report.column_mapping["Montant demandé"] == "amount"


@pytest.mark.parametrize(
    "builder", [bf.good_csv_utf8_semicolon, bf.good_csv_cp1252_comma, bf.good_ods, bf.good_xls]
)
def test_csv_ods_and_xls_give_the_same_claims_as_xlsx(tmp_path, builder):
    batch = check(builder(tmp_path))
    assert batch.report.ok and batch.report.issues == (), batch.report.to_frame().to_string()
    reference = check(bf.good_xlsx(tmp_path)).frame.iloc[: len(batch.frame)]
    pd.testing.assert_frame_equal(batch.frame, reference, check_dtype=True)


def test_header_normalisation_and_aliases(tmp_path):
    batch = check(bf.messy_headers(tmp_path))
    assert batch.report.issues == ()
    assert batch.report.column_mapping == {
        "id_RECLAMATION": "id", "Client": "client_id", "date": "date", "MONTANT_DEMANDE":
        "amount", "famille-produit": "family", "categorie": "category", "Sous  Catégorie":
        "subcategory", "delai": "delay", "Segment client": "segment", "MARCHE": "market",
        "Ancienneté (années)": "tenure", "pnb": "pnb", "fondee": "label",
    }  # fmt: skip
    assert normalize_header("  Montant_Demandé\u00a0") == "montant demande"
    assert normalize_header("Sous-catégorie") == "sous categorie"


def test_french_number_text(tmp_path):
    batch = check(bf.french_numbers(tmp_path))
    assert batch.report.ok
    assert batch.frame["amount"].tolist() == [1234.56, 12500.0, 1234.56, 1234.5, 2000.0, 750.0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 234,56", 1234.56), ("1\u202f234,56", 1234.56), ("1.234,56", 1234.56),
     ("1,234.56", 1234.56), ("12 500 DH", 12500.0), ("-3,5", -3.5), ("(120)", -120.0),
     ("1,5", 1.5), ("MAD 300", 300.0), ("1e3", 1000.0)],
)  # fmt: skip
def test_parse_number_text(text, value):
    assert parse_number_text(text) == (value, None)


@pytest.mark.parametrize(
    ("text", "code"),
    [("#N/A", "excel_error"), ("#VALEUR!", "excel_error"), ("nan", "not_finite"),
     ("-inf", "not_finite"), ("1 2", "invalid_number"), ("1,2,3", "invalid_number"),
     ("douze", "invalid_number")],
)  # fmt: skip
def test_parse_number_text_problems(text, code):
    assert parse_number_text(text)[1] == code


def test_ids_keep_leading_zeros_and_numeric_id_becomes_text(tmp_path):
    batch = check(bf.leading_zero_ids(tmp_path))
    assert batch.frame["id"].tolist() == ["000123", "0042", "123"]


def test_formula_cached_values_become_amounts(tmp_path):
    assert check(bf.formulas_cached(tmp_path)).frame["amount"].tolist()[:2] == [1500.0, 100.0]


def test_cfpb_profile_on_the_real_file():
    if not CFPB_FILE.is_file():
        pytest.skip(f"{CFPB_FILE} is not available")
    batch = check(CFPB_FILE, load_config("cfpb"))
    frame, report = batch.frame, batch.report
    assert report.ok and report.n_rows == len(frame) == 8340
    assert {i.code for i in report.issues} == {"extra_column"}  # the leaky columns, ignored
    assert (frame["label"] == 1).sum() == 399
    assert frame["label_excluded"].sum() == 97  # "Untimely response"
    assert frame["label"].isna().sum() == 1759 + 97  # "In progress" is unlabelled
    assert frame["date"].notna().all() and frame["date"].min() == pd.Timestamp("2014-10-10")
    assert frame["id"].iloc[0] == "1114245" and "amount" not in frame


# ------------------------------------------------------------------ header problems


def test_missing_required_column_is_an_error(tmp_path):
    batch = check(bf.missing_required_column(tmp_path))
    (issue,) = found(batch, "missing_required_column")
    assert (issue.severity, issue.row, issue.column) == ("error", None, "Montant demandé")
    assert not batch.report.ok and "amount" not in batch.present


def test_file_without_any_known_column(tmp_path):
    batch = check(bf.not_claims(tmp_path))
    (issue,) = found(batch, "no_known_column")
    assert issue.severity == "error" and "« Montant demandé »" in issue.message_fr
    assert not [i for i in batch.report.issues if i.code.startswith("missing_")]


def test_missing_expected_column_is_a_warning(tmp_path):
    batch = check(bf.missing_expected_column(tmp_path))
    (issue,) = found(batch, "missing_expected_column")
    assert (issue.severity, issue.column) == ("warning", "Segment")
    assert batch.report.ok and "segment" not in batch.frame


def test_a_batch_without_labels_is_not_warned_about(tmp_path):
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    frame, _ = generate_claims(50, seed=2, year=2025, labelled=False)
    assert "Fondée" not in frame.columns
    write_claims_xlsx(frame, tmp_path / "lot.xlsx")
    batch = check(tmp_path / "lot.xlsx")
    assert batch.report.ok and not batch.report.issues
    assert "label" not in batch.frame


def test_duplicate_columns_are_an_error(tmp_path):
    batch = check(bf.duplicate_columns(tmp_path))
    (issue,) = found(batch, "duplicate_column")
    assert issue.severity == "error" and issue.column == "Montant demandé"
    assert "« montant » (N)" in issue.message_fr
    assert batch.frame["amount"].iloc[0] == 1500.5  # the first column is the one read


def test_extra_column_is_ignored_with_a_warning(tmp_path):
    batch = check(bf.extra_columns(tmp_path))
    (issue,) = found(batch, "extra_column")
    assert (issue.severity, issue.column) == ("warning", "Commentaire") and batch.report.ok
    assert "Commentaire" not in batch.frame


def test_data_without_header_is_a_warning(tmp_path):
    (issue,) = found(check(bf.unnamed_column(tmp_path)), "unnamed_column")
    assert (issue.severity, issue.column) == ("warning", "N")


# ------------------------------------------------------------------ cell problems


def test_dates_cells_serials_text_and_bad_ones(tmp_path):
    batch = check(bf.bad_dates(tmp_path))
    assert batch.frame["date"].iloc[:3].tolist() == [pd.Timestamp("2024-03-01")] * 3
    assert where(found(batch, "invalid_date")) == [
        (5, "Date Réclamation", "31/02/2024"), (6, "Date Réclamation", "demain")
    ]  # fmt: skip
    assert where(found(batch, "date_out_of_range")) == [(7, "Date Réclamation", "12")]
    assert "31/03/2024" in found(batch, "invalid_date")[0].message_fr  # the expected format


def test_negative_zero_and_absurd_amounts(tmp_path):
    batch = check(bf.bad_amounts(tmp_path))
    (neg,) = found(batch, "negative_amount")
    (zero,) = found(batch, "zero_amount")
    (absurd,) = found(batch, "absurd_amount")
    assert (neg.severity, neg.row, neg.column, neg.value) == ("error", 3, "Montant demandé", "-250")
    assert (zero.severity, zero.row) == ("warning", 4)
    assert (absurd.severity, absurd.row, absurd.value) == ("error", 5, "9000000000")
    assert "5 000 000" in absurd.message_fr


def test_numbers_outside_configured_range(tmp_path):
    batch = check(bf.out_of_range_numbers(tmp_path))
    assert where(found(batch, "out_of_range")) == [
        (2, "Délai estimé", "-5"), (3, "anciennete_annees", "200")
    ]  # fmt: skip


def test_nan_inf_and_excel_errors_in_numeric_cells(tmp_path):
    batch = check(bf.non_numeric_amounts(tmp_path))
    assert [i.row for i in found(batch, "not_finite")] == [2, 3, 4]
    assert where(found(batch, "excel_error")) == [
        (5, "Montant demandé", "#N/A"), (6, "Montant demandé", "#DIV/0!"),
        (7, "Montant demandé", "#VALUE!"),
    ]  # fmt: skip
    assert where(found(batch, "invalid_number")) == [(8, "Montant demandé", "environ cent")]
    assert batch.frame["amount"].isna().all() and not batch.report.ok


def test_excel_error_cells_from_formulas(tmp_path):
    batch = check(bf.excel_error_cells(tmp_path))
    assert where(found(batch, "excel_error")) == [
        (2, "Montant demandé", "#DIV/0!"), (3, "Segment", "#N/A")
    ]  # fmt: skip
    assert batch.frame["segment"].iloc[1] is None


def test_duplicate_claim_ids_list_every_row(tmp_path):
    batch = check(bf.duplicate_ids(tmp_path))
    issues = found(batch, "duplicate_id")
    assert where(issues) == [(2, "ID Réclamation", "000001"), (4, "ID Réclamation", "000001")]
    assert "aussi ligne 4" in issues[0].message_fr and "also row 2" in issues[1].message_en


def test_unknown_category_warns_and_known_spelling_is_restored(tmp_path):
    batch = check(bf.unknown_categories(tmp_path))
    assert where(found(batch, "unknown_category")) == [(3, "Famille Produit", "Assurance")]
    assert batch.report.ok and batch.frame["family"].tolist()[:2] == ["Cartes", "Assurance"]


def test_values_never_seen_by_the_model_warn(tmp_path):
    batch = check(bf.good_xlsx(tmp_path), known_levels={"segment": ["Premium", "confort"]})
    assert batch.report.issues == ()  # "Confort" matches "confort"
    batch = check(bf.good_xlsx(tmp_path), known_levels={"market": ["Entreprises"]})
    (issue,) = found(batch, "unseen_category")
    assert (issue.row, issue.value, issue.severity) == (2, "Particuliers", "warning")
    assert "6 ligne(s)" in issue.message_fr


def test_unknown_label_is_an_error(tmp_path):
    batch = check(bf.unknown_label(tmp_path))
    assert where(found(batch, "unknown_label")) == [(3, "Fondée", "Peut-être")]
    assert batch.frame["label"].tolist() == [1, pd.NA, 0]


def test_header_only_has_no_data_rows(tmp_path):
    (issue,) = found(check(bf.header_only(tmp_path)), "no_data_rows")
    assert issue.severity == "error" and issue.row == 1


def test_empty_workbook(tmp_path):
    batch = check(bf.empty_workbook(tmp_path))
    (issue,) = found(batch, "empty_file")
    assert issue.severity == "error" and "classeur_vide.xlsx" in issue.message_fr
    assert len(batch.frame) == 0 and "row_number" in batch.frame


def test_blank_rows_skipped_with_one_warning(tmp_path):
    batch = check(bf.blank_rows(tmp_path))
    (issue,) = found(batch, "blank_rows")
    assert issue.severity == "warning" and "3 ligne(s)" in issue.message_fr
    assert "(ligne 4, 6, 7)" in issue.message_fr and "(row 4, 6, 7)" in issue.message_en
    assert batch.report.n_rows == 4 and batch.frame["row_number"].tolist() == [2, 3, 5, 8]
    assert batch.report.summary() == "0 erreur, 1 avertissement — lot accepté"


def test_formula_never_calculated(tmp_path):
    batch = check(bf.formulas_uncached(tmp_path))
    assert where(found(batch, "formula_not_calculated")) == [(3, "Montant demandé", None)]
    assert where(found(batch, "missing_value")) == [(3, "Montant demandé", None)]


def test_every_bad_file_yields_its_issue_or_a_clear_rejection(tmp_path):
    for builder, code in bf.BAD_FILES.items():
        path = builder(tmp_path)
        try:
            report = check(path).report
        except FileRejectedError as exc:
            report = ValidationReport.from_file_error(exc, path.name)
        assert code in {i.code for i in report.issues}, (builder.__name__, report.issues)


# ------------------------------------------------------------------ the report itself


def _raw(frame: pd.DataFrame, headers: tuple[str, ...]) -> RawTable:
    rows = np.arange(2, len(frame) + 2)
    return RawTable("gros.xlsx", "xlsx", "", 0, "S", ("S",), 1, headers, frame, rows)


def test_many_bad_rows_are_summarised():
    n = 10_000
    frame = pd.DataFrame({0: [-5.0] * n, 1: ["Cartes"] * n}, dtype=object)
    batch = validate(_raw(frame, ("Montant demandé", "Famille Produit")), CFG.schema, CFG.limits)
    negative = [i for i in batch.report.issues if i.code == "negative_amount"]
    assert len(negative) == MAX_LISTED + 1 and negative[-1].row is None
    assert "9\u00a0950 autres lignes" in negative[-1].message_fr
    assert "9,950 more rows" in negative[-1].message_en
    assert batch.report.summary("fr").startswith("10\u00a0000 erreurs")
    assert batch.report.summary("en").endswith("batch refused")


def test_report_frame_summary_and_file_error(tmp_path):
    report = check(bf.bad_amounts(tmp_path)).report
    fr, en = report.to_frame("fr"), report.to_frame("en")
    assert list(fr.columns) == [
        "Fichier",
        "Feuille",
        "Gravité",
        "Ligne",
        "Colonne",
        "Valeur",
        "Motif",
    ]
    assert list(en.columns) == ["File", "Sheet", "Severity", "Row", "Column", "Value", "Reason"]
    assert fr["Gravité"].tolist() == ["erreur", "erreur", "avertissement"]  # errors first
    assert fr["Ligne"].dtype == "Int64" and en["Severity"].iloc[0] == "error"
    assert report.summary("fr") == "2 erreurs, 1 avertissement — lot refusé"
    assert report.summary("en") == "2 errors, 1 warning — batch refused"
    located = report.errors[0].located("fr")
    assert located.startswith("Ligne 3, colonne « Montant demandé » — Montant négatif (-250)")
    exc = FileRejectedError("x.xlsx : vide", file_name="x.xlsx", code="empty_file", message_en="x")
    rejected = ValidationReport.from_file_error(exc, "x.xlsx")
    assert not rejected.ok and rejected.to_frame("en")["Reason"].tolist() == ["x"]
    assert (
        check(bf.good_xlsx(tmp_path)).report.summary() == "0 erreur, 0 avertissement — lot accepté"
    )


def test_values_are_truncated_to_80_characters():
    frame = pd.DataFrame({0: ["x" * 200], 1: ["Cartes"]}, dtype=object)
    batch = validate(_raw(frame, ("Montant demandé", "Famille Produit")), CFG.schema, CFG.limits)
    (issue,) = [i for i in batch.report.issues if i.code == "invalid_number"]
    assert len(issue.value) == 80


def test_dates_of_all_kinds_in_one_column():
    values = [dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 10, 30), 45293.0, "02/01/2024",
              "02/01/24", "2024-01-02", "", True]  # fmt: skip
    frame = pd.DataFrame({0: values, 1: [1.0] * 8, 2: ["Cartes"] * 8}, dtype=object)
    headers = ("Date Réclamation", "Montant demandé", "Famille Produit")
    batch = validate(_raw(frame, headers), CFG.schema, CFG.limits)
    dates = batch.frame["date"]
    assert (dates.iloc[[0, 2, 3, 4, 5]] == pd.Timestamp("2024-01-02")).all()
    assert dates.iloc[1] == pd.Timestamp("2024-01-02 10:30") and dates.iloc[6:].isna().all()
    assert [i.row for i in batch.report.issues if i.code == "invalid_date"] == [9]
