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
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from core.config.schema import SchemaConfig
from core.config.settings import LimitsConfig
from core.ingest.merged import MergedRange, fill_merged
from core.ingest.normalize import (
    blank_mask,
    cell_to_text,
    decode_text,
    find_header_row,
    header_lookup,
    sniff_separator,
)
from core.ingest.sheets import SheetChoice, SheetScore
from core.ingest.sniff import (
    MB,
    ZIP_FORMATS,
    _corrupted,
    _encrypted,
    _reject,
    check_zip_limits,
    sniff_format,
)
from core.ingest.workbook import choose_in_workbook, read_sheet, too_many_rows
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
    sheet_choice: SheetChoice | None = None  # how the sheet was chosen, every sheet scored
    merged: tuple[MergedRange, ...] = ()  # merged ranges filled down in the data rows


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
    # Sheet scores by profile (see choose_sheet), kept so that a file is scored once.
    scores: dict[tuple, tuple[SheetScore, ...]] = field(default_factory=dict, repr=False)


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
        choice = SheetChoice(None, False, (), 0)
    else:
        wanted = sheet or (schema.sheet if schema is not None else None)
        cache = opened.scores
        choice, rows, ranges = read_sheet(
            opened.workbook, name, cache, wanted, schema, lookup, limits
        )
        sheet_name = choice.sheet
        uncalculated = _patch_error_cells(opened.data, sheet_name, rows) if fmt == "xlsx" else ()
    header_idx = find_header_row(rows, lookup, limits.header_search_rows)
    merged = fill_merged(rows, ranges, header_idx) if opened.workbook is not None else ()
    table = _make_table(rows, header_idx, uncalculated)
    n_rows = len(table["row_numbers"])
    if n_rows > limits.max_rows:
        raise too_many_rows(name, n_rows, limits)
    log.info("read %s (%s, sheet %r): %d rows", name, fmt, sheet_name, n_rows)
    return RawTable(
        file_name=name,
        file_format=fmt,
        sha256=opened.sha256,
        size_bytes=len(opened.data),
        sheet=sheet_name,
        sheets=opened.sheets,
        **table,
        sheet_choice=choice,
        merged=merged,
    )


# --------------------------------------------------------------------------- sheets


def choose_sheet(
    source: bytes | Path | SourceFile,
    file_name: str | None = None,
    *,
    limits: LimitsConfig | None = None,
    schema: SchemaConfig | None = None,
) -> SheetChoice:
    """The sheet that :func:`read_table` reads by default, with every sheet's score.

    The upload page's sheet picker defaults to it, so the page and the command line read
    the same sheet: the profile's ``sheet`` when it names one, else the best match. Scores
    are kept with an opened :class:`SourceFile` (a later :func:`read_table` of that file
    does not score again). Raises FileRejectedError.
    """
    limits = limits or LimitsConfig()
    opened = open_source(source, file_name, limits=limits)
    if opened.workbook is None:
        return SheetChoice(None, False, (), 0)
    lookup = header_lookup(schema) if schema is not None else {}
    wanted = schema.sheet if schema is not None else None
    return choose_in_workbook(
        opened.workbook, opened.name, opened.scores, wanted, schema, lookup, limits
    )[0]


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
