"""Read a claims file (.xlsx, .xls, .xlsb, .ods or .csv) into a :class:`RawTable`, safely.

Safety first, before any parsing: the real type is taken from the magic bytes, never the
extension (a PDF renamed ``.xlsx`` is named as a PDF); password-protected workbooks (an OLE
container holding an ``EncryptionInfo`` stream) and zip bombs (declared uncompressed size or
compression ratio over the limits, read from the zip directory without inflating anything)
are refused with a message that says what to do. Workbooks are read by python-calamine
(Rust; macros are never run; formula cells give their cached value). CSV is read as a
French Excel saves it (``;`` or ``,``, UTF-8 with or without BOM, or Windows-1252).

Every unreadable file raises :class:`~core.exceptions.FileRejectedError` with a stable
``code``, a French message and ``message_en``. Cell values are left raw here; typing and
checking are :mod:`core.schema`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import logging
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
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

from core.config import LimitsConfig, SchemaConfig
from core.exceptions import FileRejectedError
from core.normalize import (
    blank_mask,
    cell_to_text,
    decode_text,
    find_header_row,
    header_lookup,
    header_score,
    normalize_text,
    sniff_separator,
)

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "xls", "xlsb", "ods", "csv")
ZIP_FORMATS = ("xlsx", "xlsb", "ods")
MB = 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_BIFF8_GLOBALS_BOF = bytes.fromhex("0908100000060500")  # BOF record, BIFF8, workbook globals
_TEXT_EXTENSIONS = ("", ".csv", ".txt", ".tsv")
_ZIP_BOMB_FLOOR = 1 * MB  # a member this small cannot hurt, whatever its ratio
# (magic bytes, French name, English name) of files people upload by mistake.
_SIGNATURES = (
    (b"%PDF", "un document PDF", "a PDF document"),
    (b"\x89PNG", "une image PNG", "a PNG image"),
    (b"\xff\xd8\xff", "une image JPEG", "a JPEG image"),
    (b"GIF8", "une image GIF", "a GIF image"),
    (b"\x1f\x8b", "une archive gzip", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip", "a 7-Zip archive"),
    (b"Rar!", "une archive RAR", "a RAR archive"),
    (b"{\\rtf", "un document RTF", "an RTF document"),
    (b"MZ", "un programme Windows", "a Windows program"),
)
_HELP_FR = "Déposez le classeur d'origine (.xlsx, .xls, .xlsb, .ods) ou un export CSV."
_HELP_EN = "Upload the original workbook (.xlsx, .xls, .xlsb, .ods) or a CSV export."
_RESAVE_FR = "Ouvrez-le dans Excel, enregistrez-le au format .xlsx puis déposez-le à nouveau."
_RESAVE_EN = "Open it in Excel, save it as .xlsx and upload it again."


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


def _reject(code: str, name: str, fr: str, en: str) -> FileRejectedError:
    return FileRejectedError(
        f"{name} : {fr}", file_name=name, code=code, message_en=f"{name}: {en}"
    )


# --------------------------------------------------------------------------- sniffing


def sniff_format(data: bytes, file_name: str) -> str:
    """The real format of ``data`` from its magic bytes: one of :data:`FORMATS`.

    Raises FileRejectedError naming what the file really is when it is not a workbook or
    CSV (PDF, image, Word document, HTML page, encrypted workbook...).
    """
    name = file_name or "fichier"
    if not data:
        raise _reject(
            "empty_file", name, "le fichier est vide (0 octet). Vérifiez le fichier déposé.",
            "the file is empty (0 bytes). Check the file you uploaded.",
        )  # fmt: skip
    if data[:4] in _ZIP_MAGIC:
        return _sniff_zip(data, name)
    if data[:8] == _OLE_MAGIC:
        return _sniff_ole(data, name)
    for magic, fr, en in _SIGNATURES:
        if data.startswith(magic):
            raise _not_a_workbook(name, fr, en)
    return _sniff_text(data, name)


def _not_a_workbook(name: str, fr: str, en: str) -> FileRejectedError:
    return _reject(
        "not_a_workbook",
        name,
        f"ce n'est pas un classeur ni un CSV mais {fr} (l'extension du nom ne correspond pas "
        f"au contenu). {_HELP_FR}",
        f"this is not a workbook nor a CSV but {en} (the name's extension does not match the "
        f"content). {_HELP_EN}",
    )


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {info.filename: info for info in zf.infolist()}
            mimetype = b""
            if "mimetype" in members and members["mimetype"].file_size < 200:
                mimetype = zf.read("mimetype")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _corrupted(name, "archive ZIP illisible", "unreadable ZIP archive") from exc
    if "xl/workbook.xml" in members:
        return "xlsx"
    if "xl/workbook.bin" in members:
        return "xlsb"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in members or b"opendocument.text" in mimetype:
        raise _not_a_workbook(name, "un document de traitement de texte", "a text document")
    if "ppt/presentation.xml" in members or b"opendocument.presentation" in mimetype:
        raise _not_a_workbook(name, "une présentation", "a presentation")
    raise _not_a_workbook(name, "une archive ZIP", "a ZIP archive")


def _sniff_ole(data: bytes, name: str) -> str:
    """Legacy OLE/CFB container: .xls, or an encrypted workbook, or another Office file.

    A workbook encrypted with a password (Excel 2007+, "Encrypt with Password") is an OLE
    container holding the streams ``EncryptionInfo`` and ``EncryptedPackage``; their names
    sit in UTF-16LE in the container's directory, which is what we look for. An encrypted
    .xls has a FILEPASS record (0x002F) right after the BOF of its workbook stream.
    """
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise _encrypted(name)
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        bof = data.find(_BIFF8_GLOBALS_BOF)  # an encrypted .xls: FILEPASS right after BOF
        if bof >= 0 and data[bof + 20 : bof + 22] == b"\x2f\x00":
            raise _encrypted(name)
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise _not_a_workbook(name, "un document Word (.doc)", "a Word document (.doc)")
    if "PowerPoint Document".encode("utf-16-le") in data:
        raise _not_a_workbook(name, "une présentation PowerPoint", "a PowerPoint presentation")
    raise _not_a_workbook(name, "un fichier Office qui n'est pas un classeur", "a non-Excel file")


def _sniff_text(data: bytes, name: str) -> str:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    elif b"\x00" in head:
        raise _not_a_workbook(name, "un fichier binaire inconnu", "an unknown binary file")
    else:
        text = head.decode("latin-1")
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered[:1024]:
        raise _not_a_workbook(
            name, "une page HTML (export web renommé en tableur)", "an HTML page (web export)"
        )
    if lowered.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise _not_a_workbook(name, "un classeur « XML 2003 »", "an 'XML 2003' workbook")
        raise _not_a_workbook(name, "un fichier XML", "an XML file")
    if Path(name).suffix.lower() in _TEXT_EXTENSIONS:
        return "csv"
    suffix = Path(name).suffix
    raise _reject(
        "not_a_workbook",
        name,
        f"ce fichier porte l'extension « {suffix} » mais contient du texte (sans doute un CSV). "
        "Renommez-le en .csv, ou ouvrez-le dans Excel et enregistrez-le au format .xlsx.",
        f"this file is named « {suffix} » but holds plain text (probably a CSV). Rename it "
        "to .csv, or open it in Excel and save it as .xlsx.",
    )


def _encrypted(name: str) -> FileRejectedError:
    return _reject(
        "encrypted",
        name,
        "le classeur est protégé par un mot de passe et ne peut pas être lu. Ouvrez-le dans "
        "Excel, enregistrez-le sans mot de passe (Fichier > Informations > Protéger le "
        "classeur > Chiffrer avec mot de passe : effacez-le) puis déposez-le à nouveau.",
        "the workbook is protected by a password and cannot be read. Open it in Excel, save "
        "it without password (File > Info > Protect Workbook > Encrypt with Password: clear "
        "it) and upload it again.",
    )


def _corrupted(name: str, fr: str, en: str) -> FileRejectedError:
    return _reject(
        "corrupted",
        name,
        f"le fichier est endommagé ou incomplet ({fr}). {_RESAVE_FR}",
        f"the file is damaged or incomplete ({en}). {_RESAVE_EN}",
    )


def check_zip_limits(data: bytes, limits: LimitsConfig, file_name: str) -> None:
    """Refuse a zip bomb from the zip directory alone (nothing is decompressed).

    Refused: a total declared uncompressed size over ``max_uncompressed_mb``, or a member of
    more than 1 MB whose compression ratio exceeds ``max_compression_ratio``.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _corrupted(file_name, "archive ZIP illisible", "unreadable ZIP archive") from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * MB:
        size, limit = total / MB, limits.max_uncompressed_mb
        raise _zip_bomb(
            file_name, f"{size:,.0f} Mo ; limite {limit:,.0f} Mo".replace(",", " "),
            f"{size:,.0f} MB; limit {limit:,.0f} MB",
        )  # fmt: skip
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ZIP_BOMB_FLOOR and ratio > limits.max_compression_ratio:
            limit = limits.max_compression_ratio
            raise _zip_bomb(
                file_name, f"taux de compression de {ratio:.0f} pour 1 ; limite {limit:g}",
                f"compression ratio of {ratio:.0f} to 1; limit {limit:g}",
            )  # fmt: skip


def _zip_bomb(name: str, what_fr: str, what_en: str) -> FileRejectedError:
    return _reject(
        "zip_bomb",
        name,
        f"le classeur se décompresse de façon anormale ({what_fr}) : il est refusé par "
        "sécurité (possible « bombe zip »). S'il est légitime, découpez le lot en plusieurs "
        "fichiers ou enregistrez-le à nouveau depuis Excel.",
        f"the workbook decompresses abnormally ({what_en}): it is refused for safety "
        "(possible zip bomb). If it is genuine, split the batch into several files or save it "
        "again from Excel.",
    )


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


def list_sheets(
    source: bytes | Path, file_name: str | None = None, *, limits: LimitsConfig | None = None
) -> list[str]:
    """Worksheet names of a workbook, in order ([] for a CSV). Raises FileRejectedError."""
    limits = limits or LimitsConfig()
    data, name = _load(source, file_name, limits)
    fmt = sniff_format(data, name)
    if fmt == "csv":
        return []
    return _worksheet_names(_open_workbook(data, fmt, name, limits))


def _worksheet_names(workbook: CalamineWorkbook) -> list[str]:
    return [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]


def read_table(
    source: bytes | Path,
    file_name: str | None = None,
    *,
    sheet: str | None = None,
    limits: LimitsConfig,
    schema: SchemaConfig | None = None,
) -> RawTable:
    """Read one sheet (``sheet``, else ``schema.sheet``, else the first sheet with data).

    With a ``schema``, the header is the row among the first ``limits.header_search_rows``
    that matches the most known headers (title rows above it are skipped), and the default
    sheet is the first one holding such a header. Raises FileRejectedError.
    """
    data, name = _load(source, file_name, limits)
    fmt = sniff_format(data, name)
    lookup = header_lookup(schema) if schema is not None else {}
    if fmt == "csv":
        rows, sheet_name, sheets, uncalculated = read_csv_rows(data, name), None, (), ()
    else:
        workbook = _open_workbook(data, fmt, name, limits)
        wanted = sheet or (schema.sheet if schema is not None else None)
        sheet_name, rows = _read_sheet(workbook, wanted, name, lookup, limits)
        sheets = tuple(_worksheet_names(workbook))
        uncalculated = _patch_error_cells(data, sheet_name, rows) if fmt == "xlsx" else ()
    header_idx = find_header_row(rows, lookup, limits.header_search_rows)
    table = _make_table(rows, header_idx, uncalculated)
    n_rows = len(table["row_numbers"])
    if n_rows > limits.max_rows:
        raise _too_many_rows(name, n_rows, limits)
    log.info("read %s (%s, sheet %r): %d rows", name, fmt, sheet_name, n_rows)
    return RawTable(
        file_name=name,
        file_format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        sheet=sheet_name,
        sheets=sheets,
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


# --------------------------------------------------------------------------- xlsx cells

_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")
_UNCALCULATED = re.compile(rb"(?:</f>|<f\b[^>]*/>)(?:<v\s*/>)?</c>")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _patch_error_cells(data: bytes, sheet_name: str | None, rows: list[list]) -> tuple:
    """Put Excel error values back into ``rows`` and list never-calculated formulas.

    python-calamine reads an error cell (``#N/A``, ``#DIV/0!``...) as an empty string, and a
    formula cell without cached value (a file written by a program and never opened in
    Excel) as empty too. Both are found in the sheet XML (searched only when it holds an
    error cell or a formula), so that the report can name them.
    """
    xml = _sheet_xml(data, sheet_name) if sheet_name is not None else None
    if xml is None:
        return ()
    pos = xml.find(b't="e"')
    while pos >= 0:
        start, tag_end = xml.rfind(b"<c ", 0, pos), xml.find(b">", pos)
        cell_end = xml.find(b"</c>", pos)
        if xml[tag_end - 1 : tag_end] == b"/" or start < 0:  # <c .../>: no value, no cell
            cell_end = -1
        ref, value = _CELL_REF.search(xml, start, tag_end), _CELL_VALUE.search(xml, pos, cell_end)
        if b' t="e"' in xml[start:tag_end] and ref and value:
            r, c = _cell_index(ref)
            if r < len(rows) and c < len(rows[r]) and rows[r][c] == "":
                rows[r][c] = html.unescape(value.group(1).decode("utf-8", "replace"))
        pos = xml.find(b't="e"', pos + 5)
    if b"<f" not in xml:
        return ()
    cells = []
    for match in _UNCALCULATED.finditer(xml):
        start = xml.rfind(b"<c ", 0, match.start())
        ref = _CELL_REF.search(xml, start, xml.find(b">", start))
        if ref:
            r, c = _cell_index(ref)
            cells.append((r + 1, c))
    return tuple(cells)


def _cell_index(ref: re.Match[bytes]) -> tuple[int, int]:
    col = 0
    for letter in ref.group(1):
        col = col * 26 + letter - 64
    return int(ref.group(2)) - 1, col - 1


def _sheet_xml(data: bytes, sheet_name: str) -> bytes | None:
    """The XML part of worksheet ``sheet_name`` (zip limits were checked before)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            rid = target = None
            for match in _SHEET_TAG.finditer(zf.read("xl/workbook.xml")):
                attrs = dict(_ATTR.findall(match.group(1)))
                if html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace")) == sheet_name:
                    rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
            for match in _REL_TAG.finditer(zf.read("xl/_rels/workbook.xml.rels")):
                attrs = dict(_ATTR.findall(match.group(1)))
                if rid is not None and attrs.get(b"Id") == rid:
                    target = attrs.get(b"Target", b"").decode("utf-8", "replace")
            if not target:
                return None
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return zf.read(posixpath.normpath(part))
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error, NotImplementedError) as exc:
        log.warning("cannot scan sheet %r for error cells: %s", sheet_name, exc)
        return None


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
