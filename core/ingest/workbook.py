"""The sheets of a workbook: the one to read (named, or the best match for the profile,
see :mod:`core.ingest.sheets`), its cells from A1 and its merged ranges. Used by
:func:`core.ingest.reader.read_table` and :func:`core.ingest.reader.choose_sheet`."""

from __future__ import annotations

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from core.config.schema import SchemaConfig
from core.config.settings import LimitsConfig
from core.exceptions import FileRejectedError
from core.ingest.normalize import normalize_text
from core.ingest.sheets import SheetChoice, SheetScore, best_sheet, score_sheet
from core.ingest.sniff import _corrupted, _reject


def too_many_rows(name: str, n: int, limits: LimitsConfig) -> FileRejectedError:
    return _reject(
        "too_many_rows", name,
        f"trop de lignes ({n} ; limite {limits.max_rows}). Découpez le lot en plusieurs fichiers.",
        f"too many rows ({n}; limit {limits.max_rows}). Split the batch into several files.",
    )  # fmt: skip


def choose_in_workbook(
    workbook: CalamineWorkbook,
    name: str,
    cache: dict[tuple, tuple[SheetScore, ...]],
    wanted: str | None,
    schema: SchemaConfig | None,
    lookup: dict[str, str],
    limits: LimitsConfig,
) -> tuple[SheetChoice, CalamineSheet | None, list[list] | None]:
    """The choice, and the chosen sheet with its cells when scoring just read them.

    A workbook with one worksheet is not scored. Otherwise every sheet is parsed and scored
    once per file and profile (the scores are kept in ``cache``), keeping only the chosen
    sheet's cells; a sheet named by the user is read, the others still scored and named.
    """
    n_required = sum(c.required for c in schema.columns) if schema is not None else 0
    meta = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    chosen = _match_sheet(wanted, [m.name for m in meta], name) if wanted is not None else None
    if len(meta) <= 1:
        only = chosen or (meta[0].name if meta else None)
        return SheetChoice(only, wanted is not None, (), n_required), None, None
    cache_key = tuple(sorted(lookup.items()))
    scores = cache.get(cache_key)
    kept: tuple[CalamineSheet | None, list[list] | None] = (None, None)
    if scores is None:
        found, best = [], None
        cap = limits.max_rows + limits.header_search_rows + 1
        for position, m in enumerate(meta):
            sheet = _get_sheet(workbook, m.name, name)
            rows = _sheet_rows(sheet, name, limits, nrows=cap)
            visible = m.visible == SheetVisibleEnum.Visible
            score = score_sheet(
                m.name, rows, schema, lookup, position=position, visible=visible,
                search_rows=limits.header_search_rows,
            )  # fmt: skip
            found.append(score)
            if m.name == chosen or (chosen is None and (best is None or score.rank > best.rank)):
                best, kept = score, (sheet, rows)
        scores = cache[cache_key] = tuple(found)
    pick = chosen or (best.name if (best := best_sheet(scores)) else None)
    return SheetChoice(pick, wanted is not None, scores, n_required), *kept


def read_sheet(
    workbook: CalamineWorkbook,
    name: str,
    cache: dict[tuple, tuple[SheetScore, ...]],
    wanted: str | None,
    schema: SchemaConfig | None,
    lookup: dict[str, str],
    limits: LimitsConfig,
) -> tuple[SheetChoice, list[list], tuple]:
    """The chosen sheet's cells from A1 (row index = Excel row - 1) and its merged ranges."""
    choice, sheet, rows = choose_in_workbook(workbook, name, cache, wanted, schema, lookup, limits)
    if choice.sheet is None:
        return choice, [], ()
    if sheet is None:
        sheet = _get_sheet(workbook, choice.sheet, name)
    if rows is None or len(rows) < (sheet.end[0] + 1 if sheet.end else 0):
        rows = _sheet_rows(sheet, name, limits)  # the whole sheet (or too many rows)
    return choice, rows, tuple(sheet.merged_cell_ranges or ())


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
        raise too_many_rows(file_name, sheet.height, limits)
    return sheet.to_python(skip_empty_area=False, nrows=nrows)
