"""core.report.results: typed numbers and dates, the decision columns' names, the QC flag
(issues 11 and 12)."""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.config.loading import load_config
from core.ingest.reader import read_table
from core.report.results import results_from_file, to_xlsx
from tests.core import badfiles as bf

CFG = load_config()
FORMULA = '=HYPERLINK("http://x","y")'


def text_csv(tmp_path) -> bytes:
    """Numbers and dates as text, the French and the English way, and a total line."""
    rows = [
        [FORMULA, "C1", "03/04/2025", "10699,69", "Cartes", "12 500,00"],
        ["R2", "C2", "15/04/2025", "12,500.00", "Comptes", "8000"],
        ["R3", "C3", "30/04/2025", "1 234,5 DH", "Crédits", "25000"],
        ["Total", "", "", "24434,19", "", ""],
    ]
    headers = ["ID Réclamation", "ID Client", "Date Réclamation", "Montant demandé",
               "Famille Produit", "PNB analytique (vision commerciale) cumulé"]  # fmt: skip
    lines = [";".join(headers), *(";".join(r) for r in rows)]
    return "\r\n".join(lines).encode("utf-8-sig")


def scored(rows: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": rows,
            "probability": [0.91, 0.5, 0.1][: len(rows)],
            "decision_model": [1, 0, -1][: len(rows)],
            "decision": [0, 0, -1][: len(rows)],  # the first moved to audit by a rule
            "rule_reason": ["Montant supérieur au PNB", "", ""][: len(rows)],
            "rule_flags": ["amount_above_pnb", "", ""][: len(rows)],
            "qc_sample": [False, False, True][: len(rows)],
        }
    )


@pytest.fixture
def sheet(tmp_path):
    raw = read_table(text_csv(tmp_path), "lot.csv", limits=CFG.limits, schema=CFG.schema)
    table = results_from_file(raw, scored([2, 3, 4]), CFG, "fr")
    data = to_xlsx(table, "fr")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    return ws, {h: i + 1 for i, h in enumerate(headers)}


def test_numbers_and_dates_held_as_text_are_written_as_typed_cells(sheet):
    ws, col = sheet
    amounts = [ws.cell(row=r, column=col["Montant demandé"]) for r in range(2, 6)]
    assert [c.value for c in amounts] == pytest.approx([10699.69, 12500.0, 1234.5, 24434.19])
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in amounts)
    pnb = ws.cell(row=2, column=col["PNB analytique (vision commerciale) cumulé"])
    assert (pnb.value, pnb.data_type) == (12500.0, "n")
    date = ws.cell(row=2, column=col["Date Réclamation"])
    assert date.value == datetime(2025, 4, 3) and date.number_format == "dd/mm/yyyy"
    formula = ws.cell(row=2, column=col["ID Réclamation"])
    assert (formula.value, formula.data_type) == (FORMULA, "s")  # text stays text
    family = ws.cell(row=3, column=col["Famille Produit"])
    assert (family.value, family.data_type) == ("Comptes", "s")


def test_model_and_final_decisions_are_named_apart(sheet):
    ws, col = sheet
    first = {h: ws.cell(row=2, column=i).value for h, i in col.items()}
    assert first["Decision_Modele"] == "Validation Auto"  # the model, before the rules
    assert first["Decision_Finale"] == "Audit Humain"  # after the rules
    assert first["Decision_Code"] == 0 and first["Motif_Regle"] == "Montant supérieur au PNB"


def test_the_quality_control_sample_is_marked(sheet):
    ws, col = sheet
    flags = [ws.cell(row=r, column=col["Controle_Qualite"]).value for r in range(2, 6)]
    assert flags == [0, 0, 1, None]  # the total line (row 5 of the file) was not scored


def test_a_column_that_does_not_parse_whole_stays_as_it_was(tmp_path):
    raw = read_table(text_csv(tmp_path), "lot.csv", limits=CFG.limits, schema=CFG.schema)
    raw.frame.iloc[1, 3] = "douze"  # never stored (validation refuses it) — nothing is lost
    table = results_from_file(raw, scored([2, 3, 4]), CFG, "fr")
    assert table.frame["Montant demandé"].tolist()[:2] == ["10699,69", "douze"]
    assert np.isnan(table.frame["Controle_Qualite"].iloc[3])


def test_english_labels(tmp_path):
    raw = read_table(bf.good_xlsx(tmp_path), limits=CFG.limits, schema=CFG.schema)
    table = results_from_file(raw, scored([2, 3, 4]), CFG, "en")
    assert table.frame["Decision_Modele"].tolist()[:3] == ["Auto validate", "Human audit",
                                                            "Auto reject"]  # fmt: skip
    assert table.frame["Decision_Finale"].tolist()[0] == "Human audit"
