"""Builders of real-world input files, good and bad, for reader and validation tests.

Each builder writes one file into ``tmp`` and returns its path. :data:`BAD_FILES` maps every
bad builder to what it must produce: the code of a report issue, or of the
``FileRejectedError`` raised while reading (the app tests can run them all through ingest).

No writer exists in the venv for .xls, .xlsb or .ods, so .xls and .ods are assembled by hand:
:func:`cfb` writes a minimal OLE2 compound file (the container of .xls and of encrypted
workbooks) and :func:`biff8` a minimal BIFF8 workbook stream; :func:`good_ods` zips a
minimal OpenDocument spreadsheet. .xlsb has no writer at all (tests skip it).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

HEADERS = (
    "ID Réclamation", "ID Client", "Date Réclamation", "Montant demandé", "Famille Produit",
    "Catégorie", "Sous-catégorie", "Délai estimé", "Segment", "Marché", "anciennete_annees",
    "PNB analytique (vision commerciale) cumulé", "Fondée",
)  # fmt: skip
FAMILIES = ("Cartes", "Comptes", "Crédits", "Épargne et Placements")


def claim_rows(n: int = 5, start: int = 1) -> list[list[Any]]:
    """``n`` valid claims under :data:`HEADERS` (IDs as text with leading zeros)."""
    return [
        [f"{start + i:06d}", f"C{(start + i) % 3:07d}", dt.datetime(2024, 3, 1 + i % 28),
         1500.5 + i, FAMILIES[i % 4], "Fraude", "Fraude carte", 10.0 + i, "Confort",
         "Particuliers", 3.0, 25000.0, "Oui" if i % 2 else "Non"]
        for i in range(n)
    ]  # fmt: skip


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """xlsxwriter workbook: str -> text, number -> number, datetime -> date cell,
    ("=formula", cached) -> formula with cached value, None -> nothing."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, value[0], None, value[1])
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write_number(r, c, value)
    book.close()
    return path


def _table(tmp: Path, name: str, headers: Any, rows: list[list[Any]]) -> Path:
    return write_xlsx(tmp / name, {"Réclamations": [list(headers), *rows]})


def _replace_column(rows: list[list[Any]], header: str, values: list[Any]) -> list[list[Any]]:
    col = HEADERS.index(header)
    for row, value in zip(rows, values, strict=False):
        row[col] = value
    return rows


# ------------------------------------------------------------------ good inputs


def good_xlsx(tmp: Path) -> Path:
    return _table(tmp, "lot_ok.xlsx", HEADERS, claim_rows(6))


def good_csv_utf8_semicolon(tmp: Path) -> Path:
    """As "CSV UTF-8" from a French Excel: BOM, ';', decimal comma, dd/mm/yyyy, CRLF."""
    lines = [";".join(HEADERS)]
    for row in claim_rows(4):
        cells = [v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime) else v for v in row]
        cells = [f"{v:.2f}".replace(".", ",") if isinstance(v, float) else v for v in cells]
        lines.append(";".join(cells))
    path = tmp / "lot_utf8.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    return path


def good_csv_cp1252_comma(tmp: Path) -> Path:
    """Windows-1252, ',' separator, decimal commas quoted ("1 234,56")."""
    lines = [",".join(HEADERS)]
    for row in claim_rows(3):
        cells = [v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime) else v for v in row]
        cells = [f'"{v:,.2f}"'.replace(",", " ").replace(".", ",") if isinstance(v, float)
                 else v for v in cells]  # fmt: skip
        lines.append(",".join(cells))
    path = tmp / "lot_cp1252.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
    'tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:'
    f'full-path="/" manifest:media-type="{_ODS_MIME}"/><manifest:file-entry manifest:full-path='
    '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def good_ods(tmp: Path) -> Path:
    """A minimal OpenDocument spreadsheet (mimetype, manifest, content.xml)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
        if isinstance(value, dt.datetime):
            day = value.date().isoformat()
            return f'<table:table-cell office:value-type="date" office:date-value="{day}"/>'
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'  # noqa: E501

    rows = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
        for row in [list(HEADERS), *claim_rows(3)]
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version='
        f'"1.2"><office:body><office:spreadsheet><table:table table:name="Feuille1">{rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp / "lot.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIME)
        zf.writestr("META-INF/manifest.xml", _ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def good_xls(tmp: Path) -> Path:
    """A BIFF8 .xls written by hand (text, numbers, one date cell)."""
    rows: list[list[Any]] = [list(HEADERS)]
    for row in claim_rows(3):
        rows.append([("date", _serial(v)) if isinstance(v, dt.datetime) else v for v in row])
    path = tmp / "lot.xls"
    path.write_bytes(biff8({"Feuil1": rows}))
    return path


def title_rows(tmp: Path) -> Path:
    """Header on row 4, below a title, a date line and an empty row."""
    rows = [["Export des réclamations"], ["Agence Casablanca — mars 2024"], [], list(HEADERS)]
    return write_xlsx(tmp / "titre.xlsx", {"Réclamations": rows + claim_rows(3)})


def several_sheets(tmp: Path) -> Path:
    """Sheets: "Vide" (empty), "Sommaire" (text only), "Lot mars", "Lot avril"."""
    return write_xlsx(tmp / "feuilles.xlsx", {
        "Vide": [],
        "Sommaire": [["Lots de réclamations du trimestre"]],
        "Lot mars": [list(HEADERS), *claim_rows(3)],
        "Lot avril": [list(HEADERS), *claim_rows(2, start=100)],
    })  # fmt: skip


def messy_headers(tmp: Path) -> Path:
    """Case, accents, spaces, underscores and aliases: all must map."""
    headers = ["  id_RECLAMATION ", "Client", "date", "MONTANT_DEMANDE", "famille-produit",
               "categorie", "Sous  Catégorie", "delai", "Segment client", "MARCHE",
               "Ancienneté (années)", "pnb", "fondee"]  # fmt: skip
    return _table(tmp, "entetes.xlsx", headers, claim_rows(2))


def french_numbers(tmp: Path) -> Path:
    """Amounts typed as text the French way (spaces, NBSP, narrow NBSP, DH, dots)."""
    texts = ["1 234,56", "12 500 DH", "1.234,56", "1\u00a0234,5", "2\u202f000", "750"]
    rows = _replace_column(claim_rows(6), "Montant demandé", texts)
    return _table(tmp, "nombres.xlsx", HEADERS, rows)


def leading_zero_ids(tmp: Path) -> Path:
    """IDs as text with leading zeros, and one ID stored as a number (123 -> "123")."""
    rows = _replace_column(claim_rows(3), "ID Réclamation", ["000123", "0042", 123.0])
    return _table(tmp, "ids.xlsx", HEADERS, rows)


def formulas_cached(tmp: Path) -> Path:
    """Amounts computed by formulas whose cached values were saved (xlsxwriter value=)."""
    rows = _replace_column(claim_rows(3), "Montant demandé", [("=1000+500", 1500), ("=2*50", 100)])
    return _table(tmp, "formules.xlsx", HEADERS, rows)


# ------------------------------------------------------------------ bad content


def missing_required_column(tmp: Path) -> Path:
    """No "Montant demandé" column."""
    keep = [i for i, h in enumerate(HEADERS) if h != "Montant demandé"]
    rows = [[row[i] for i in keep] for row in claim_rows(3)]
    return _table(tmp, "sans_montant.xlsx", [HEADERS[i] for i in keep], rows)


def not_claims(tmp: Path) -> Path:
    """A workbook of something else: no known column at all."""
    rows = [["Dupont", "Jean", "0612345678"], ["Alaoui", "Sara", "0698765432"]]
    return _table(tmp, "contacts.xlsx", ["Nom", "Prénom", "Téléphone"], rows)


def missing_expected_column(tmp: Path) -> Path:
    """No "Segment" column (expected, not required)."""
    keep = [i for i, h in enumerate(HEADERS) if h != "Segment"]
    rows = [[row[i] for i in keep] for row in claim_rows(3)]
    return _table(tmp, "sans_segment.xlsx", [HEADERS[i] for i in keep], rows)


def duplicate_columns(tmp: Path) -> Path:
    """Two columns map to the amount: "Montant demandé" and its alias "montant" (column N)."""
    rows = [[*row, 99.0] for row in claim_rows(3)]
    return _table(tmp, "doublon_colonne.xlsx", [*HEADERS, "montant"], rows)


def extra_columns(tmp: Path) -> Path:
    """An unknown column "Commentaire" (ignored, warning)."""
    rows = [[*row, "RAS"] for row in claim_rows(3)]
    return _table(tmp, "colonne_en_plus.xlsx", [*HEADERS, "Commentaire"], rows)


def unnamed_column(tmp: Path) -> Path:
    """Data in column N, whose header cell is empty."""
    rows = [[*row, "note"] for row in claim_rows(3)]
    return _table(tmp, "sans_entete.xlsx", [*HEADERS, None], rows)


def bad_dates(tmp: Path) -> Path:
    """Rows 2-4 fine (date cell, Excel serial number, text dd/mm/yyyy); 5-7 bad."""
    values = [dt.datetime(2024, 3, 1), 45352.0, "01/03/2024", "31/02/2024", "demain", 12.0]
    rows = _replace_column(claim_rows(6), "Date Réclamation", values)
    return _table(tmp, "dates.xlsx", HEADERS, rows)


def bad_amounts(tmp: Path) -> Path:
    """Row 3 negative, row 4 zero, row 5 absurd (> amount_max)."""
    rows = _replace_column(claim_rows(4), "Montant demandé", [100.0, -250.0, 0.0, 9e9])
    return _table(tmp, "montants.xlsx", HEADERS, rows)


def out_of_range_numbers(tmp: Path) -> Path:
    """Row 2: delay -5 (min 0); row 3: tenure 200 (max 120)."""
    rows = _replace_column(claim_rows(3), "Délai estimé", [-5.0])
    rows = _replace_column(rows, "anciennete_annees", [3.0, 200.0])
    return _table(tmp, "bornes.xlsx", HEADERS, rows)


def non_numeric_amounts(tmp: Path) -> Path:
    """CSV whose amounts (rows 2-8) hold NaN, ±inf, Excel errors and a word."""
    bad = ["NaN", "inf", "-inf", "#N/A", "#DIV/0!", "#VALUE!", "environ cent"]
    lines = [";".join(HEADERS)]
    for row, amount in zip(claim_rows(len(bad)), bad, strict=True):
        cells = [v.strftime("%d/%m/%Y") if isinstance(v, dt.datetime) else str(v) for v in row]
        cells[HEADERS.index("Montant demandé")] = amount
        lines.append(";".join(cells))
    path = tmp / "non_numeriques.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def excel_error_cells(tmp: Path) -> Path:
    """Formulas whose cached values are Excel errors: amount row 2 (#DIV/0!), segment row 3
    (#N/A, a failed VLOOKUP)."""
    rows = _replace_column(claim_rows(3), "Montant demandé", [("=1/0", "#DIV/0!")])
    rows[1][HEADERS.index("Segment")] = ("=NA()", "#N/A")
    return _table(tmp, "erreurs_excel.xlsx", HEADERS, rows)


def duplicate_ids(tmp: Path) -> Path:
    """ID 000001 on rows 2 and 4."""
    rows = _replace_column(claim_rows(4), "ID Réclamation", ["000001", "000002", "000001"])
    return _table(tmp, "doublon_id.xlsx", HEADERS, rows)


def unknown_categories(tmp: Path) -> Path:
    """Family "Assurance" (row 3) is not a configured level; "cartes" (row 2) only differs
    in case and takes the configured spelling."""
    rows = _replace_column(claim_rows(3), "Famille Produit", ["cartes", "Assurance"])
    return _table(tmp, "categories.xlsx", HEADERS, rows)


def unknown_label(tmp: Path) -> Path:
    """Label "Peut-être" on row 3."""
    rows = _replace_column(claim_rows(3), "Fondée", ["Oui", "Peut-être", "non"])
    return _table(tmp, "libelle.xlsx", HEADERS, rows)


def header_only(tmp: Path) -> Path:
    return _table(tmp, "entete_seule.xlsx", HEADERS, [])


def blank_rows(tmp: Path) -> Path:
    """Blank rows 4, 6 and 7 (only spaces) between data rows 2, 3, 5 and 8."""
    rows = claim_rows(4)
    spaces = [" "] * len(HEADERS)
    body = [rows[0], rows[1], [], rows[2], [], spaces, rows[3]]
    return _table(tmp, "lignes_vides.xlsx", HEADERS, body)


def formulas_uncached(tmp: Path) -> Path:
    """openpyxl writes formulas without cached values: amount on row 3 is never calculated."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Réclamations"
    sheet.append(list(HEADERS))
    for row in claim_rows(3):
        sheet.append(row)
    sheet.cell(row=3, column=HEADERS.index("Montant demandé") + 1, value="=D2*2")
    path = tmp / "formules_non_calculees.xlsx"
    book.save(path)
    return path


def empty_workbook(tmp: Path) -> Path:
    return write_xlsx(tmp / "classeur_vide.xlsx", {"Feuil1": []})


# ------------------------------------------------------------------ unreadable files


def empty_file(tmp: Path) -> Path:
    path = tmp / "vide.xlsx"
    path.write_bytes(b"")
    return path


def pdf_renamed(tmp: Path) -> Path:
    path = tmp / "releve.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    return path


def png_renamed(tmp: Path) -> Path:
    path = tmp / "capture.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17))
    return path


def text_renamed(tmp: Path) -> Path:
    """A CSV saved under an .xlsx name."""
    path = tmp / "export.xlsx"
    path.write_text(";".join(HEADERS) + "\n000001;1500,5\n", encoding="utf-8")
    return path


def html_renamed(tmp: Path) -> Path:
    """A web export: an HTML table saved as .xls (very common)."""
    path = tmp / "export_web.xls"
    path.write_text("<html><body><table><tr><td>ID</td></tr></table></body></html>")
    return path


def docx_renamed(tmp: Path) -> Path:
    path = tmp / "note.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return path


def truncated_xlsx(tmp: Path) -> Path:
    """A download cut in the middle."""
    data = good_xlsx(tmp).read_bytes()
    path = tmp / "tronque.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted_xlsx(tmp: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 container holding the
    streams "EncryptionInfo" (here an agile-encryption header) and "EncryptedPackage"."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    path = tmp / "protege.xlsx"
    path.write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": bytes(range(256)) * 20}))
    return path


def encrypted_xls(tmp: Path) -> Path:
    """A password-protected .xls: FILEPASS record after the BOF of the workbook stream."""
    path = tmp / "protege.xls"
    path.write_bytes(biff8({"Feuil1": [list(HEADERS)]}, encrypted=True))
    return path


def zip_bomb_ratio(tmp: Path) -> Path:
    """A real small xlsx plus an 8 MB member of zeros (compressed ~8 KB: ratio ~1000)."""
    chunk = bytes(1024 * 1024)
    path = tmp / "bombe_ratio.xlsx"
    with zipfile.ZipFile(good_xlsx(tmp)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        member = zipfile.ZipInfo("xl/media/image1.bin")
        member.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(member, "w") as out:
            for _ in range(8):
                out.write(chunk)
    return path


def zip_bomb_size(tmp: Path) -> Path:
    """A real small xlsx whose zip directory declares a 3 GB sheet (over the 400 MB limit).

    Writing gigabytes of zeros would be slow; what the reader checks, before inflating
    anything, is the size each member declares, so the declaration is forged instead.
    """
    data = bytearray(good_xlsx(tmp).read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local, central
        pos = data.find(signature)
        while pos >= 0:
            name_len = struct.unpack_from("<H", data, pos + size_at + 4)[0]
            start = pos + (30 if size_at == 22 else 46)
            if data[start : start + name_len] == name:
                struct.pack_into("<I", data, pos + size_at, 3_000_000_000)
            pos = data.find(signature, pos + 4)
    path = tmp / "bombe_taille.xlsx"
    path.write_bytes(bytes(data))
    return path


def too_many_rows(tmp: Path) -> Path:
    """30 rows: refused when limits.max_rows is 10 (tests replace the limit)."""
    return _table(tmp, "gros_lot.xlsx", HEADERS, claim_rows(30))


# ------------------------------------------------------------------ OLE2 / BIFF8 by hand

_END, _FREE, _FAT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, *, right: int = _NONE, child: int = _NONE,
               start: int = _END, size: int = 0) -> bytes:  # fmt: skip
    raw = name.encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIII", raw, len(raw) + 2 if name else 0, kind, 1, _NONE, right, child,
        bytes(16), 0, 0, 0, start, size, 0,
    )  # fmt: skip


def cfb(streams: dict[str, bytes]) -> bytes:
    """Minimal compound file (OLE2 v3, 512-byte sectors, up to 3 streams, < 64 KB): streams
    are padded to 4096 bytes so that none lives in the mini stream. Sector 0 is the FAT,
    sector 1 the directory, the streams follow."""
    fat, body = [_FAT, _END], b""
    entries = [_dir_entry("Root Entry", 5, child=1 if streams else _NONE)]
    for i, (name, data) in enumerate(streams.items()):
        size = max(4096, -(-len(data) // 512) * 512)
        start = len(fat)
        fat += [*range(start + 1, start + size // 512), _END]
        body += data.ljust(size, b"\0")
        right = i + 2 if i + 1 < len(streams) else _NONE
        entries.append(_dir_entry(name, 2, right=right, start=start, size=size))
    assert len(fat) <= 128 and len(entries) <= 4
    entries += [_dir_entry("", 0, start=0)] * (4 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), bytes(16), 0x3E, 3,
        0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, _END, 0, _END, 0,
    ) + struct.pack("<109I", 0, *[_FREE] * 108)  # fmt: skip
    return (
        header + struct.pack("<128I", *fat, *[_FREE] * (128 - len(fat))) + b"".join(entries) + body
    )


def _rec(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _serial(day: dt.datetime) -> float:
    return float((day - dt.datetime(1899, 12, 30)).days)


def biff8(sheets: dict[str, list[list[Any]]], *, encrypted: bool = False) -> bytes:
    """A BIFF8 workbook (.xls): str -> LABEL, number -> NUMBER, ("date", serial) -> NUMBER
    with a date format (XF 1, built-in format 14). ``encrypted`` adds a FILEPASS record."""
    head = _bof(5) + (_rec(0x002F, struct.pack("<H", 1) + bytes(52)) if encrypted else b"")
    head += _rec(0x0042, struct.pack("<H", 1200))  # code page: UTF-16
    head += _rec(0x00E0, struct.pack("<HH", 0, 0) + bytes(16))  # XF 0: general
    head += _rec(0x00E0, struct.pack("<HH", 0, 14) + bytes(16))  # XF 1: date

    def bound(pos: int, name: str) -> bytes:
        return _rec(
            0x0085, struct.pack("<IBBBB", pos, 0, 0, len(name), 1) + name.encode("utf-16-le")
        )

    bodies = []
    for rows in sheets.values():
        body = _bof(0x10)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    text = struct.pack("<HHHHB", r, c, 0, len(value), 1) + value.encode("utf-16-le")
                    body += _rec(0x0204, text)
                elif isinstance(value, tuple):
                    body += _rec(0x0203, struct.pack("<HHHd", r, c, 1, value[1]))
                elif value is not None:
                    body += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
        bodies.append(body + _rec(0x000A))
    pos = len(head) + sum(len(bound(0, n)) for n in sheets) + 4
    for name, body in zip(sheets, bodies, strict=True):
        head += bound(pos, name)
        pos += len(body)
    return cfb({"Workbook": head + _rec(0x000A) + b"".join(bodies)})


# ------------------------------------------------------------------ catalogue

# builder -> code of the report issue or of the FileRejectedError it must produce
BAD_FILES: dict[Callable[[Path], Path], str] = {
    missing_required_column: "missing_required_column",
    not_claims: "no_known_column",
    missing_expected_column: "missing_expected_column",
    duplicate_columns: "duplicate_column",
    extra_columns: "extra_column",
    unnamed_column: "unnamed_column",
    bad_dates: "invalid_date",
    bad_amounts: "negative_amount",
    out_of_range_numbers: "out_of_range",
    non_numeric_amounts: "not_finite",
    excel_error_cells: "excel_error",
    duplicate_ids: "duplicate_id",
    unknown_categories: "unknown_category",
    unknown_label: "unknown_label",
    header_only: "no_data_rows",
    blank_rows: "blank_rows",
    formulas_uncached: "formula_not_calculated",
    empty_workbook: "empty_file",
    empty_file: "empty_file",
    pdf_renamed: "not_a_workbook",
    png_renamed: "not_a_workbook",
    text_renamed: "not_a_workbook",
    html_renamed: "not_a_workbook",
    docx_renamed: "not_a_workbook",
    truncated_xlsx: "corrupted",
    encrypted_xlsx: "encrypted",
    encrypted_xls: "encrypted",
    zip_bomb_ratio: "zip_bomb",
    zip_bomb_size: "zip_bomb",
}
