"""Demo files written as the bank's exports look: a styled .xlsx, a French CSV, the truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

# The reference headers, in order, and how each is written: cell kind, width in the xlsx.
LAYOUT: dict[str, tuple[str, int]] = {
    "ID Réclamation": ("text", 18),
    "ID Client": ("text", 11),
    "Date Réclamation": ("date", 16),
    "Montant demandé": ("money", 17),
    "Famille Produit": ("text", 22),
    "Catégorie": ("text", 26),
    "Sous-catégorie": ("text", 42),
    "Délai estimé": ("int", 13),
    "Segment": ("text", 15),
    "Marché": ("text", 15),
    "anciennete_annees": ("tenure", 18),
    "PNB analytique (vision commerciale) cumulé": ("money", 24),
    "Fondée": ("int", 9),
}
_NUM_FORMATS = {"date": "dd/mm/yyyy", "money": "#,##0.00", "tenure": "0.0", "int": "0"}
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_FIXED_CREATED = dt.datetime(2025, 1, 1)


def write_claims_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet, bold frozen header, real date cells, IDs as text; stable bytes."""
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties(
        {"title": path.stem, "author": "Claims Triage Workbench (démo)", "created": _FIXED_CREATED}
    )
    sheet = workbook.add_worksheet("Réclamations")
    bold = workbook.add_format({"bold": True})
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in _NUM_FORMATS.items()}
    for col, name in enumerate(frame.columns):
        kind, width = LAYOUT[name]
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, name, bold)
        values = frame[name]
        if kind == "text":
            for row, text in enumerate(values.astype(str).tolist(), start=1):
                sheet.write_string(row, col, text)
            continue
        if kind == "date":
            days = values.to_numpy().astype("datetime64[D]") - _EXCEL_EPOCH
            values = pd.Series(days.astype(np.int64))
        for row, number in enumerate(values.tolist(), start=1):
            sheet.write_number(row, col, number, formats[kind])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    workbook.close()


def _french_decimal(values: pd.Series, decimals: int) -> list[str]:
    return [f"{v:.{decimals}f}".replace(".", ",") for v in values.tolist()]


def write_claims_csv(frame: pd.DataFrame, path: Path) -> None:
    """As a French Excel saves CSV: ';' separator, decimal comma, dd/mm/yyyy, CRLF."""
    text = frame.copy()
    for name in frame.columns:
        kind = LAYOUT[name][0]
        if kind == "date":
            text[name] = frame[name].dt.strftime("%d/%m/%Y")
        elif kind == "money":
            text[name] = _french_decimal(frame[name], 2)
        elif kind == "tenure":
            text[name] = _french_decimal(frame[name], 1)
    text.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\r\n")


def write_truth(frame: pd.DataFrame, p_true: np.ndarray, path: Path) -> None:
    truth = pd.DataFrame({"ID Réclamation": frame["ID Réclamation"], "p_true": p_true})
    truth.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
