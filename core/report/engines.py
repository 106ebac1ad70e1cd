"""The two engines that write a prepared frame and its :class:`~core.report.export.SheetPlan`:
``rustpy-xlsxwriter`` (Rust) and ``xlsxwriter`` (constant memory). Both write every string
as a text cell (never a formula, link or number) and the « Paramètres » sheet as text."""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

from core.report.plan import (
    _EXCEL_EPOCH,
    DATE_FORMAT,
    DECISION_COLOURS,
    DECISION_FONT_COLOURS,
    HEADER_FILL,
    HEADER_FONT,
    SheetPlan,
    decision_rules,
)


def write_with_rust(prepared: pd.DataFrame, plan: SheetPlan, target: Any) -> None:
    """rustpy-xlsxwriter: strings are always text cells (it has no formula detection)."""
    rx = importlib.import_module("rustpy_xlsxwriter")
    fmt = rx.Format
    conditional: dict[str, list[dict[str, Any]]] = {}
    for code, index, rule in decision_rules(plan, "begins_with"):
        colours = fmt().set_background_color(DECISION_COLOURS[code])
        rule["format"] = colours.set_font_color(DECISION_FONT_COLOURS[code])
        conditional.setdefault(plan.columns[index].header, []).append(rule)
    header = fmt().set_bold().set_background_color(HEADER_FILL).set_font_color(HEADER_FONT)
    numbers = {c.header: fmt().set_num_format(c.num_format) for c in plan.columns if c.num_format}
    widths = [c.width for c in plan.columns]
    if not plan.parameters:
        rx.write_worksheet(
            prepared, target, sheet_name=plan.sheet_name, freeze_row=1, autofilter=True,
            header_format=header, datetime_format=DATE_FORMAT, column_widths=widths,
            column_formats=numbers, conditional_formats=conditional,
        )  # fmt: skip
        return
    name, params = plan.parameter_sheet[0], parameter_frame(plan)
    results = plan.sheet_name
    rx.write_worksheets(
        [(results, prepared), (name, params)], target,
        freeze_panes={results: {"row": 1, "col": 0}, name: {"row": 1, "col": 0}},
        autofilter={results: True}, header_format={results: header, name: header},
        datetime_format=DATE_FORMAT, column_widths={results: widths, name: parameter_widths(plan)},
        column_formats={results: numbers}, conditional_formats={results: conditional},
    )  # fmt: skip


def parameter_frame(plan: SheetPlan) -> pd.DataFrame:
    """The « Paramètres » sheet: two text columns."""
    _, key, value = plan.parameter_sheet
    return pd.DataFrame(list(plan.parameters), columns=[key, value], dtype=object)


def parameter_widths(plan: SheetPlan) -> list[float]:
    keys = max((len(k) for k, _ in plan.parameters), default=10)
    values = max((len(v) for _, v in plan.parameters), default=10)
    return [min(max(keys + 2.0, 14.0), 40.0), min(max(values + 2.0, 14.0), 90.0)]


def write_with_xlsxwriter(prepared: pd.DataFrame, plan: SheetPlan, target: Any) -> None:
    """xlsxwriter in constant-memory mode; strings go through write_string only."""
    import xlsxwriter

    off = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(target, {"constant_memory": True, **off}) as book:
        sheet = book.add_worksheet(plan.sheet_name)
        header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "font_color": HEADER_FONT})
        for j, col in enumerate(plan.columns):
            number = book.add_format({"num_format": col.num_format}) if col.num_format else None
            sheet.set_column(j, j, col.width, number)
            sheet.write_string(0, j, col.header, header)
        _write_rows(sheet, prepared, plan)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, plan.n_rows, len(plan.columns) - 1)
        for code, index, rule in decision_rules(plan, "begins with") if plan.n_rows else []:
            colours = {"bg_color": DECISION_COLOURS[code]}
            rule["format"] = book.add_format({**colours, "font_color": DECISION_FONT_COLOURS[code]})
            sheet.conditional_format(1, index, plan.n_rows, index, rule)
        if plan.parameters:
            params = book.add_worksheet(plan.parameter_sheet[0])
            for j, width in enumerate(parameter_widths(plan)):
                params.set_column(j, j, width)
            for r, row in enumerate([plan.parameter_sheet[1:], *plan.parameters]):
                for j, text in enumerate(row):
                    params.write_string(r, j, text, header if r == 0 else None)
            params.freeze_panes(1, 0)


def _write_rows(sheet: Any, prepared: pd.DataFrame, plan: SheetPlan) -> None:
    """One tight loop over rows (constant-memory mode needs rows in order)."""
    by_kind = {"text": sheet.write_string, "bool": sheet.write_boolean}
    writers = [by_kind.get(c.kind, sheet.write_number) for c in plan.columns]
    columns = [_cell_values(prepared[c.header], c.kind) for c in plan.columns]
    for r, row in enumerate(zip(*columns, strict=True), start=1):
        for j, (write, value) in enumerate(zip(writers, row, strict=True)):
            if value is not None:
                write(r, j, value)


def _cell_values(series: pd.Series, kind: str) -> list[Any]:
    """Python values for one column, ``None`` for an empty cell; dates as Excel serials."""
    if kind == "date":
        series = (series - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    if kind in ("date", "number"):
        values = series.to_numpy(dtype="float64")
        return [None if v != v else v for v in values.tolist()]
    if kind == "text":
        return [v or None for v in series.tolist()]
    return series.tolist()
