"""Write the scored results of a batch to a styled .xlsx, fast and safe against formula injection.

One sheet: the input columns (the file's headers) plus the four result columns, a bold filled
header row kept frozen, filters over the used range, number formats (amounts ``#,##0.00``,
dates ``dd/mm/yyyy``, probability ``0.0%``) and the decision cells coloured by conditional
formatting on ``Decision_Code`` and ``Decision_Modele``: six rules instead of 100,000 cell
formats, and the colours follow any sort or edit.

Every text value becomes a text cell, never a formula, link or number: ``=HYPERLINK(...)``
in an input cell comes out as that very text. Engines: ``rustpy-xlsxwriter`` (Rust, no
formula detection at all; ~0.7 s for 50k x 17) by default, ``xlsxwriter`` (``write_string``
with ``strings_to_formulas/urls/numbers`` off; ~4 s) when the Rust wheel is missing. Both get
the same prepared frame and sheet plan."""

from __future__ import annotations

import importlib
import io
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.exceptions import WorkbenchError
from core.report.cells import prepare_frame

log = logging.getLogger(__name__)

DECISION_LABELS: dict[str, dict[int, str]] = {
    "fr": {-1: "Rejet Auto", 0: "Audit Humain", 1: "Validation Auto"},
    "en": {-1: "Auto reject", 0: "Human audit", 1: "Auto validate"},
}
# Light fills with dark text of the same hue: every pair has a WCAG contrast >= 7:1 (AAA).
# The label text always carries the decision too, so colour is never the only cue.
DECISION_COLOURS: dict[int, str] = {-1: "#F8D7DA", 0: "#FFF3CD", 1: "#D4EDDA"}
DECISION_FONT_COLOURS: dict[int, str] = {-1: "#842029", 0: "#664D03", 1: "#0F5132"}
HEADER_FILL, HEADER_FONT = "#1F3864", "#FFFFFF"  # contrast 11.6:1

RESULT_COLUMNS = ("Probabilite_Fondee", "Decision_Modele", "Decision_Code", "Motif_Regle")
LABEL_COLUMN, REASON_COLUMN = RESULT_COLUMNS[1], RESULT_COLUMNS[3]

AMOUNT_FORMAT, PROBABILITY_FORMAT = "#,##0.00", "0.0%"
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_MAX_DATA_ROWS = 1_048_575  # one row is the header
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
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
    label_index: int
    n_rows: int


def is_dangerous_text(value: str) -> bool:
    """True when a spreadsheet would read ``value`` as a formula if typed in a cell."""
    return value.startswith(DANGEROUS_PREFIXES)


def write_results(
    frame: pd.DataFrame,
    target: Path | str | io.BytesIO,
    *,
    locale: str = "fr",
    sheet_name: str = "Résultats",
    date_columns: Sequence[str] = (),
    amount_columns: Sequence[str] = (),
    probability_column: str = "Probabilite_Fondee",
    code_column: str = "Decision_Code",
    engine: str = "auto",
) -> None:
    """Write ``frame`` (input columns plus the four result columns) as one styled sheet.

    ``Decision_Modele`` is rewritten from ``code_column`` in the labels of ``locale`` so the
    text always matches its colour; a missing or unknown code keeps the frame's label.
    ``engine`` is ``"auto"`` (Rust when installed), ``"rust"`` or ``"xlsxwriter"``.
    Raises ``ValueError`` for a bad argument and ``WorkbenchError`` when the file cannot be
    written or holds too many rows for Excel.
    """
    _check_arguments(frame, locale, sheet_name, (probability_column, code_column))
    numeric = (*amount_columns, probability_column, code_column)
    prepared = prepare_frame(frame, date_columns=date_columns, numeric_columns=numeric)
    labels = DECISION_LABELS[locale]
    prepared[LABEL_COLUMN] = _labels_from_codes(
        prepared[code_column], prepared[LABEL_COLUMN], labels
    )
    plan = plan_sheet(prepared, sheet_name, labels, amount_columns, probability_column, code_column)
    name, writer = _pick_engine(engine)
    if isinstance(target, io.IOBase):
        writer(prepared, plan, target)
    else:
        _write_atomically(Path(target), lambda handle: writer(prepared, plan, handle))
    log.info("Wrote %d result rows x %d columns with %s", len(prepared), prepared.shape[1], name)


def results_to_bytes(frame: pd.DataFrame, **kwargs: Any) -> bytes:
    """The workbook as bytes, e.g. for a download button (same options as write_results)."""
    buffer = io.BytesIO()
    write_results(frame, buffer, **kwargs)
    return buffer.getvalue()


def _check_arguments(
    frame: pd.DataFrame, locale: str, sheet_name: str, result_names: tuple[str, str]
) -> None:
    if locale not in DECISION_LABELS:
        raise ValueError(f"locale {locale!r} is not one of {', '.join(DECISION_LABELS)}")
    if not sheet_name or len(sheet_name) > 31 or _BAD_SHEET_CHARS.search(sheet_name):
        raise ValueError(f"invalid sheet name {sheet_name!r} (1-31 chars, none of []:*?/\\)")
    required = (result_names[0], LABEL_COLUMN, result_names[1], REASON_COLUMN)
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks the result columns {missing}")
    if len(frame) > EXCEL_MAX_DATA_ROWS:
        raise WorkbenchError(
            f"Trop de lignes pour un fichier Excel ({len(frame):,} > {EXCEL_MAX_DATA_ROWS:,}) : "
            "découpez le lot."
        )


def _pick_engine(engine: str) -> tuple[str, Callable[[pd.DataFrame, SheetPlan, Any], None]]:
    if engine not in ("auto", "rust", "xlsxwriter"):
        raise ValueError(f"engine {engine!r} is not one of auto, rust, xlsxwriter")
    if engine != "xlsxwriter":
        try:
            importlib.import_module("rustpy_xlsxwriter")
            return "rust", _write_with_rust
        except ImportError:
            if engine == "rust":
                raise
            log.warning("rustpy-xlsxwriter is not installed: falling back to xlsxwriter")
    return "xlsxwriter", _write_with_xlsxwriter


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    tmp = path.with_name(f".~{path.stem}.{os.getpid()}{path.suffix}")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        tmp.replace(path)
    except OSError as exc:
        raise WorkbenchError(
            f"Impossible d'écrire le fichier de résultats {path} : {exc.strerror or exc}."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _labels_from_codes(codes: pd.Series, labels: pd.Series, names: dict[int, str]) -> pd.Series:
    """The label of each known code; the frame's own label where the code is unknown."""
    mapped = pd.Series(codes).map({float(k): v for k, v in names.items()})
    return mapped.where(mapped.notna(), labels).astype(object).where(lambda s: s.notna(), None)


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
    return SheetPlan(
        sheet_name=sheet_name,
        columns=columns,
        labels=labels,
        code_index=headers.index(code_column),
        label_index=headers.index(LABEL_COLUMN),
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
    elif series.dtype == bool or pd.api.types.infer_dtype(present, skipna=True) == "boolean":
        kind, num_format, value_width = "bool", None, 5
    else:
        kind, num_format = "text", None
        value_width = max((len(str(v)) for v in present.head(_WIDTH_SAMPLE)), default=0)
    # The header is bold and carries the filter button: about four characters more.
    width = min(max(len(header) + 4.0, value_width + 2.0, _MIN_WIDTH), _MAX_WIDTH)
    return ColumnPlan(header=header, kind=kind, num_format=num_format, width=width)


def _decision_rules(plan: SheetPlan, begins_with: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(decision code, column index, rule) triples; the engine adds the format."""
    rules = []
    for code, label in plan.labels.items():
        rules.append((code, plan.code_index, {"type": "cell", "criteria": "==", "value": code}))
        text_rule = {"type": "text", "criteria": begins_with, "value": label}
        rules.append((code, plan.label_index, text_rule))
    return rules


# --------------------------------------------------------------------------- engines


def _write_with_rust(prepared: pd.DataFrame, plan: SheetPlan, target: Any) -> None:
    """rustpy-xlsxwriter: strings are always text cells (it has no formula detection)."""
    rx = importlib.import_module("rustpy_xlsxwriter")
    fmt = rx.Format
    conditional: dict[str, list[dict[str, Any]]] = {}
    for code, index, rule in _decision_rules(plan, "begins_with"):
        colours = fmt().set_background_color(DECISION_COLOURS[code])
        rule["format"] = colours.set_font_color(DECISION_FONT_COLOURS[code])
        conditional.setdefault(plan.columns[index].header, []).append(rule)
    header = fmt().set_bold().set_background_color(HEADER_FILL).set_font_color(HEADER_FONT)
    numbers = {c.header: fmt().set_num_format(c.num_format) for c in plan.columns if c.num_format}
    rx.write_worksheet(
        prepared,
        target,
        sheet_name=plan.sheet_name,
        freeze_row=1,
        autofilter=True,
        header_format=header,
        datetime_format=DATE_FORMAT,
        column_widths=[c.width for c in plan.columns],
        column_formats=numbers,
        conditional_formats=conditional,
    )


def _write_with_xlsxwriter(prepared: pd.DataFrame, plan: SheetPlan, target: Any) -> None:
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
        for code, index, rule in _decision_rules(plan, "begins with") if plan.n_rows else []:
            colours = {"bg_color": DECISION_COLOURS[code]}
            rule["format"] = book.add_format({**colours, "font_color": DECISION_FONT_COLOURS[code]})
            sheet.conditional_format(1, index, plan.n_rows, index, rule)


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
