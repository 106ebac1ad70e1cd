"""Read a claims file (.xlsx, .xls, .xlsb, .ods or .csv) into a :class:`RawTable`, safely.

Safety first, before any parsing (:mod:`core.ingest.sniff`): the real type is taken from the
magic bytes, never the extension (a PDF renamed ``.xlsx`` is named as a PDF);
password-protected workbooks and zip bombs are refused with a message that says what to do.
Workbooks are read by python-calamine (Rust; macros are never run; formula cells give their
cached value; Excel error cells and never-calculated formulas are recovered from the sheet
XML by :mod:`core.ingest.xlsx_cells`). CSV is read as a French Excel saves it (``;`` or ``,``,
UTF-8 with or without BOM, or Windows-1252).

Every unreadable file raises :class:`~core.exceptions.FileRejectedError` with a stable
``code``, a French message and ``message_en``. Cell values are left raw here; typing and
checking are :mod:`core.ingest.validate`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from core.config.schema import SchemaConfig
from core.config.settings import LimitsConfig
from core.exceptions import FileRejectedError
from core.ingest.normalize import (
    blank_mask,
    cell_to_text,
    decode_text,
    find_header_row,
    header_lookup,
    header_score,
    normalize_text,
    sniff_separator,
)
from core.ingest.sniff import (
    MB,
    ZIP_FORMATS,
    _corrupted,
    _encrypted,
    _reject,
    check_zip_limits,
    sniff_format,
)
from core.ingest.xlsx_cells import _patch_error_cells

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawTable:
    """One sheet (or CSV) as found: header cells and raw data rows, nothing typed yet."""

    file_name: str
    file_format: str  # "xlsx" | "xls" | "xlsb" | "ods" | "csv"
    sha256: str  # of the file bytes
    size_bytes: int
    sheet: str | None  # chosen sheet (None for CSV)
    sheets: tuple[str, ...]  # all worksheet names (() for CSV)
    header_row: int  # 1-based row number of the header line in the file (0: no header)
    headers: tuple[str, ...]  # header cells as found (stringified, stripped)
    frame: pd.DataFrame  # data rows, object dtype, raw cell values, columns 0..k-1
    row_numbers: np.ndarray  # 1-based file row number of each data row (as Excel shows it)
    # Cells (file row, column index) holding a formula that was never calculated (xlsx
    # written by a program, not saved by Excel): calamine reads them as blanks.
    uncalculated_formulas: tuple[tuple[int, int], ...] = ()


# --------------------------------------------------------------------------- reading


def _load(source: bytes | Path, file_name: str | None, limits: LimitsConfig) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), file_name or "fichier"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            _check_size(path.stat().st_size, name, limits)
            data = path.read_bytes()
        except OSError as exc:
            raise _reject(
                "file_not_found", name, f"fichier introuvable ou illisible ({exc.strerror}).",
                f"file not found or unreadable ({exc.strerror}).",
            ) from exc  # fmt: skip
    _check_size(len(data), name, limits)
    return data, name


def _check_size(size: int, name: str, limits: LimitsConfig) -> None:
    if size > limits.max_file_mb * MB:
        mb, limit = size / MB, limits.max_file_mb
        raise _reject(
            "file_too_large", name,
            f"fichier trop volumineux ({mb:.1f} Mo, limite {limit:g} Mo). Découpez le lot.",
            f"file too large ({mb:.1f} MB, limit {limit:g} MB). Split the batch.",
        )  # fmt: skip


def _open_workbook(data: bytes, fmt: str, name: str, limits: LimitsConfig) -> CalamineWorkbook:
    if fmt in ZIP_FORMATS:
        check_zip_limits(data, limits, name)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise _encrypted(name) from exc
    except CalamineError as exc:
        raise _corrupted(name, str(exc)[:200], str(exc)[:200]) from exc


@dataclass(frozen=True, eq=False)
class SourceFile:
    """A claims file opened once: its bytes, real format, SHA-256 and worksheets.

    :func:`open_source` sniffs the format, checks the size and the zip limits and opens a
    workbook exactly once; the sheet list (for a picker) and every :func:`read_table` of
    this file come from that one opening. A sheet is parsed only when it is read.
    """

    name: str
    data: bytes = field(repr=False)
    file_format: str  # "xlsx" | "xls" | "xlsb" | "ods" | "csv"
    sha256: str
    sheets: tuple[str, ...]  # worksheet names in order (() for a CSV)
    workbook: CalamineWorkbook | None = field(default=None, repr=False)  # None for a CSV


def open_source(
    source: bytes | Path | SourceFile,
    file_name: str | None = None,
    *,
    limits: LimitsConfig | None = None,
) -> SourceFile:
    """Open a file once (an already open :class:`SourceFile` is returned as it is).

    Raises FileRejectedError for a missing, oversized, encrypted, corrupted or unsupported
    file, before any sheet is parsed.
    """
    if isinstance(source, SourceFile):
        return source
    limits = limits or LimitsConfig()
    data, name = _load(source, file_name, limits)
    fmt = sniff_format(data, name)
    workbook = None if fmt == "csv" else _open_workbook(data, fmt, name, limits)
    sheets = () if workbook is None else tuple(_worksheet_names(workbook))
    return SourceFile(name, data, fmt, hashlib.sha256(data).hexdigest(), sheets, workbook)


def list_sheets(
    source: bytes | Path | SourceFile,
    file_name: str | None = None,
    *,
    limits: LimitsConfig | None = None,
) -> list[str]:
    """Worksheet names of a workbook, in order ([] for a CSV). Raises FileRejectedError."""
    return list(open_source(source, file_name, limits=limits).sheets)


def _worksheet_names(workbook: CalamineWorkbook) -> list[str]:
    return [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]


def read_table(
    source: bytes | Path | SourceFile,
    file_name: str | None = None,
    *,
    sheet: str | None = None,
    limits: LimitsConfig,
    schema: SchemaConfig | None = None,
) -> RawTable:
    """Read one sheet (``sheet``, else ``schema.sheet``, else the first sheet with data).

    With a ``schema``, the header is the row among the first ``limits.header_search_rows``
    that matches the most known headers (title rows above it are skipped), and the default
    sheet is the first one holding such a header. ``source`` may be a file already opened
    by :func:`open_source` (it is not opened again). Raises FileRejectedError.
    """
    opened = open_source(source, file_name, limits=limits)
    name, fmt = opened.name, opened.file_format
    lookup = header_lookup(schema) if schema is not None else {}
    if opened.workbook is None:
        rows, sheet_name, uncalculated = read_csv_rows(opened.data, name), None, ()
    else:
        wanted = sheet or (schema.sheet if schema is not None else None)
        sheet_name, rows = _read_sheet(opened.workbook, wanted, name, lookup, limits)
        uncalculated = _patch_error_cells(opened.data, sheet_name, rows) if fmt == "xlsx" else ()
    header_idx = find_header_row(rows, lookup, limits.header_search_rows)
    table = _make_table(rows, header_idx, uncalculated)
    n_rows = len(table["row_numbers"])
    if n_rows > limits.max_rows:
        raise _too_many_rows(name, n_rows, limits)
    log.info("read %s (%s, sheet %r): %d rows", name, fmt, sheet_name, n_rows)
    return RawTable(
        file_name=name,
        file_format=fmt,
        sha256=opened.sha256,
        size_bytes=len(opened.data),
        sheet=sheet_name,
        sheets=opened.sheets,
        **table,
    )


def _too_many_rows(name: str, n: int, limits: LimitsConfig) -> FileRejectedError:
    return _reject(
        "too_many_rows", name,
        f"trop de lignes ({n} ; limite {limits.max_rows}). Découpez le lot en plusieurs fichiers.",
        f"too many rows ({n}; limit {limits.max_rows}). Split the batch into several files.",
    )  # fmt: skip


# --------------------------------------------------------------------------- sheets


def _read_sheet(
    workbook: CalamineWorkbook,
    wanted: str | None,
    name: str,
    lookup: dict[str, str],
    limits: LimitsConfig,
) -> tuple[str | None, list[list]]:
    """The chosen sheet's cells from A1 (row index = Excel row - 1).

    Without ``wanted``: the first visible worksheet (then hidden ones) whose first rows hold
    a known header; failing that, the first one with any data.
    """
    if wanted is not None:
        chosen = _match_sheet(wanted, _worksheet_names(workbook), name)
        return chosen, _sheet_rows(_get_sheet(workbook, chosen, name), name, limits)
    meta = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    ordered = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible]
    ordered += [m.name for m in meta if m.name not in ordered]
    fallback = None
    for sheet_name in ordered:
        sheet = _get_sheet(workbook, sheet_name, name)
        head = _sheet_rows(sheet, name, limits, nrows=limits.header_search_rows)
        if not any(cell_to_text(v) for row in head for v in row):
            continue
        if not lookup or header_score(head, lookup)[1] > 0:
            return sheet_name, _sheet_rows(sheet, name, limits)
        fallback = fallback or (sheet_name, sheet)
    if fallback is not None:
        return fallback[0], _sheet_rows(fallback[1], name, limits)
    return (ordered[0] if ordered else None), []


def _match_sheet(wanted: str, names: list[str], file_name: str) -> str:
    if wanted in names:
        return wanted
    by_norm = {normalize_text(n): n for n in names}
    if normalize_text(wanted) in by_norm:
        return by_norm[normalize_text(wanted)]
    listed = ", ".join(f"« {n} »" for n in names) or "(aucune)"
    raise _reject(
        "unknown_sheet", file_name,
        f"la feuille « {wanted} » n'existe pas dans ce classeur. Feuilles disponibles : "
        f"{listed}. Choisissez l'une d'elles.",
        f"there is no sheet « {wanted} » in this workbook. Sheets: {listed}. Choose one of them.",
    )  # fmt: skip


def _get_sheet(workbook: CalamineWorkbook, sheet_name: str, file_name: str) -> CalamineSheet:
    """Parse one sheet (the costly step: calamine reads the whole sheet here)."""
    try:
        return workbook.get_sheet_by_name(sheet_name)
    except CalamineError as exc:
        raise _corrupted(
            file_name, f"feuille « {sheet_name} » : {str(exc)[:200]}",
            f"sheet « {sheet_name} »: {str(exc)[:200]}",
        ) from exc  # fmt: skip


def _sheet_rows(
    sheet: CalamineSheet, file_name: str, limits: LimitsConfig, nrows: int | None = None
) -> list[list]:
    """Cells as Python values from A1 (blank cells are ""), refusing an oversized sheet."""
    if nrows is None and sheet.height > limits.max_rows + limits.header_search_rows:
        raise _too_many_rows(file_name, sheet.height, limits)
    return sheet.to_python(skip_empty_area=False, nrows=nrows)


# --------------------------------------------------------------------------- CSV


def read_csv_rows(data: bytes, file_name: str) -> list[list[str]]:
    """CSV as a French Excel saves it: encoding and separator sniffed, every cell text."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise _corrupted(file_name, "texte UTF-16 invalide", "invalid UTF-16 text") from exc
    separator = sniff_separator(text)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise _corrupted(file_name, f"CSV illisible : {exc}", f"unreadable CSV: {exc}") from exc


def _make_table(rows: list[list], header_idx: int, uncalculated: tuple) -> dict:
    """headers, frame, row numbers; trailing blank rows and empty unnamed columns dropped."""
    if header_idx < 0:
        empty = np.empty(0, dtype=np.int64)
        return {"header_row": 0, "headers": (), "frame": pd.DataFrame(), "row_numbers": empty}
    headers = [cell_to_text(v) or "" for v in rows[header_idx]]
    body = rows[header_idx + 1 :]
    end = len(body)
    while end and not any(cell_to_text(v) for v in body[end - 1]):
        end -= 1
    frame = pd.DataFrame(body[:end], dtype=object)
    width = max(len(headers), frame.shape[1])
    frame = frame.reindex(columns=range(width), fill_value="")
    headers += [""] * (width - len(headers))
    while width and not headers[width - 1] and blank_mask(frame[width - 1]).all():
        width -= 1
    first_data_row = header_idx + 2  # 1-based row just below the header
    return {
        "header_row": header_idx + 1,
        "headers": tuple(headers[:width]),
        "frame": frame.iloc[:, :width],
        "row_numbers": np.arange(first_data_row, first_data_row + end, dtype=np.int64),
        "uncalculated_formulas": tuple(c for c in uncalculated if c[0] >= first_data_row),
    }
