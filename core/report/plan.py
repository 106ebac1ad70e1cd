"""How the results workbook is laid out: the result columns, decision labels and colours,
and the sheet plan (cell kind, number format and width of each column, the decision
columns coloured by conditional formats) that both engines follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

DECISION_LABELS: dict[str, dict[int, str]] = {
    "fr": {-1: "Rejet Auto", 0: "Audit Humain", 1: "Validation Auto"},
    "en": {-1: "Auto reject", 0: "Human audit", 1: "Auto validate"},
}
# Light fills with dark text of the same hue: every pair has a WCAG contrast >= 7:1 (AAA).
# The label text always carries the decision too, so colour is never the only cue.
DECISION_COLOURS: dict[int, str] = {-1: "#F8D7DA", 0: "#FFF3CD", 1: "#D4EDDA"}
DECISION_FONT_COLOURS: dict[int, str] = {-1: "#842029", 0: "#664D03", 1: "#0F5132"}
HEADER_FILL, HEADER_FONT = "#1F3864", "#FFFFFF"  # contrast 11.6:1

RESULT_COLUMNS = (
    "Probabilite_Fondee",
    "Decision_Modele",  # the model's decision from the thresholds, before the rules
    "Decision_Finale",  # the final decision, after the rules (label of Decision_Code)
    "Decision_Code",  # the final decision's code: -1, 0, 1
    "Motif_Regle",  # why a rule moved the claim to audit
    "Controle_Qualite",  # 1: drawn in the random quality-control sample
)
MODEL_LABEL_COLUMN, LABEL_COLUMN = RESULT_COLUMNS[1], RESULT_COLUMNS[2]
REASON_COLUMN, QC_COLUMN = RESULT_COLUMNS[4], RESULT_COLUMNS[5]
PARAMETER_SHEETS = {
    "fr": ("Paramètres", "Paramètre", "Valeur"),
    "en": ("Parameters", "Parameter", "Value"),
}

AMOUNT_FORMAT, PROBABILITY_FORMAT, FLAG_FORMAT = "#,##0.00", "0.0%", "0"
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_WIDTH_SAMPLE, _MIN_WIDTH, _MAX_WIDTH = 500, 8.0, 60.0


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is written: header, cell kind, number format and width."""

    header: str
    kind: str  # "text" | "number" | "date" | "bool"
    num_format: str | None
    width: float


@dataclass(frozen=True)
class SheetPlan:
    """Everything an engine needs besides the prepared frame."""

    sheet_name: str
    columns: tuple[ColumnPlan, ...]
    labels: dict[int, str]
    code_index: int
    label_indexes: tuple[int, ...]  # Decision_Finale, then Decision_Modele when present
    n_rows: int
    # The « Paramètres » sheet: its name, (parameter, value) text rows and its two headers.
    parameters: tuple[tuple[str, str], ...] = ()
    parameter_sheet: tuple[str, str, str] = PARAMETER_SHEETS["fr"]


# --------------------------------------------------------------------------- sheet plan


def plan_sheet(
    prepared: pd.DataFrame,
    sheet_name: str,
    labels: dict[int, str],
    amount_columns: Sequence[str] = (),
    probability_column: str = RESULT_COLUMNS[0],
    code_column: str = RESULT_COLUMNS[2],
) -> SheetPlan:
    """Kinds, number formats and widths of a frame made by :func:`prepare_frame`."""
    columns = tuple(
        _plan_column(str(header), series, amount_columns, probability_column)
        for header, series in prepared.items()
    )
    headers = [c.header for c in columns]
    label_columns = [c for c in (LABEL_COLUMN, MODEL_LABEL_COLUMN) if c in headers]
    return SheetPlan(
        sheet_name=sheet_name,
        columns=columns,
        labels=labels,
        code_index=headers.index(code_column),
        label_indexes=tuple(headers.index(c) for c in label_columns),
        n_rows=len(prepared),
    )


def _plan_column(
    header: str, series: pd.Series, amount_columns: Sequence[str], probability_column: str
) -> ColumnPlan:
    present = series.dropna()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        kind = "date"
        has_time = bool((present != present.dt.normalize()).any())
        num_format: str | None = DATETIME_FORMAT if has_time else DATE_FORMAT
        value_width = len(num_format)
    elif series.dtype == np.float64:
        kind, num_format = "number", None
        largest = float(np.abs(present.to_numpy()).max(initial=0.0))
        value_width = min(len(f"{largest:.10g}") + 1, 14)
        if header in amount_columns:
            num_format, value_width = AMOUNT_FORMAT, len(f"{largest:,.2f}") + 1
        elif header == probability_column:
            num_format, value_width = PROBABILITY_FORMAT, 6
        elif header == QC_COLUMN:
            num_format, value_width = FLAG_FORMAT, 1
    elif series.dtype == bool or pd.api.types.infer_dtype(present, skipna=True) == "boolean":
        kind, num_format, value_width = "bool", None, 5
    else:
        kind, num_format = "text", None
        value_width = max((len(str(v)) for v in present.head(_WIDTH_SAMPLE)), default=0)
    # The header is bold and carries the filter button: about four characters more.
    width = min(max(len(header) + 4.0, value_width + 2.0, _MIN_WIDTH), _MAX_WIDTH)
    return ColumnPlan(header=header, kind=kind, num_format=num_format, width=width)


def decision_rules(plan: SheetPlan, begins_with: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(decision code, column index, rule) triples; the engine adds the format."""
    rules = []
    for code, label in plan.labels.items():
        rules.append((code, plan.code_index, {"type": "cell", "criteria": "==", "value": code}))
        for index in plan.label_indexes:
            text_rule = {"type": "text", "criteria": begins_with, "value": label}
            rules.append((code, index, text_rule))
    return rules
