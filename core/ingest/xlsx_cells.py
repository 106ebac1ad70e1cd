"""Raw-XML scan of an .xlsx sheet: Excel error cells and never-calculated formulas.

python-calamine reads both as blanks; :mod:`core.ingest.reader` calls :func:`_patch_error_cells`
to put the error values back and to list the formula cells, so that the report can name
them.
"""

from __future__ import annotations

import html
import io
import logging
import posixpath
import re
import zipfile
import zlib

log = logging.getLogger(__name__)

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
