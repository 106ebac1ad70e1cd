"""What the validation report says about how the file was read, beyond its cells' values:
the sheet chosen (and every other sheet, with its reasons), merged ranges filled down, and
formulas never calculated. Used by :mod:`core.ingest.validate`."""

from __future__ import annotations

import numpy as np

from core.ingest.issues import Issues
from core.ingest.reader import RawTable
from core.ingest.report import MAX_LISTED
from core.ingest.texts import _more_text, _text


def report_sheet_choice(raw: RawTable, issues: Issues) -> None:
    """One information line naming the sheet read, why, and the other sheets (workbooks
    with several sheets only)."""
    choice = raw.sheet_choice
    if choice is None or not choice.others:
        return
    issues.add("info", "sheet_chosen", choice.message("fr"), choice.message("en"))


def report_merged(raw: RawTable, positions: dict[str, int], issues: Issues) -> None:
    """One warning per merged range filled down over a mapped column (sheet, range, column)."""
    mapped = sorted(set(positions.values()))
    listed = 0
    for merged in raw.merged:
        covered = [p for p in mapped if merged.covers(p)]
        if not covered:
            continue
        listed += 1
        if listed > MAX_LISTED:
            continue
        n = merged.last_row - merged.first_row + 1
        code = "merged_cells" if merged.filled else "merged_header_cells"
        fr, en = _text(code, ref=merged.ref, sheet=raw.sheet, value=merged.value or "", n=n)
        header = raw.headers[covered[0]]
        issues.add("warning", code, fr, en, row=merged.first_row, column=header,
                   value=merged.ref)  # fmt: skip
    if listed > MAX_LISTED:
        fr, en = _more_text(listed - MAX_LISTED, ("plages", "ranges"))
        issues.add("warning", "merged_cells", fr, en, count=listed - MAX_LISTED)


def report_uncalculated(raw: RawTable, positions: dict[str, int], issues: Issues) -> None:
    """Formula cells without cached value in a mapped column (one warning per cell)."""
    mapped = set(positions.values())
    for pos in sorted(mapped):
        rows = np.array([r for r, c in raw.uncalculated_formulas if c == pos], dtype=np.int64)
        if len(rows):
            blanks = np.full(len(rows), "", dtype=object)
            where = np.arange(len(rows))
            issues.cells("warning", "formula_not_calculated", raw.headers[pos], where, rows, blanks)
