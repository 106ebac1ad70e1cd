"""Merged cells in the data rows of a sheet: filled down, never a silent gap.

Excel keeps a merged range's value in its first cell only; the others read as blanks. A
branch that merges « Cartes » over 398 rows means « Cartes » on each of them, so the value
of the range's first cell is written into every cell of the range (below the header only),
and each range filled is kept so that the report names it (sheet, range, column).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.ingest.normalize import cell_to_text, col_letter

# python-calamine's merged ranges: ((first row, first column), (last row, last column)), 0-based
CalamineRange = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class MergedRange:
    """One merged range filled down: Excel rows (1-based), columns (0-based), its value."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    value: str | None  # the first cell's value as text (None: the range is empty)
    filled: bool = True  # False: it starts in or above the header, its data cells stay empty

    @property
    def ref(self) -> str:
        """The range as Excel names it, e.g. ``A2:A400``."""
        first = f"{col_letter(self.first_col)}{self.first_row}"
        return f"{first}:{col_letter(self.last_col)}{self.last_row}"

    @property
    def n_cells(self) -> int:
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    def covers(self, column: int) -> bool:
        return self.first_col <= column <= self.last_col


def fill_merged(
    rows: list[list], ranges: Iterable[CalamineRange], header_index: int
) -> tuple[MergedRange, ...]:
    """Fill each merged range below the header with its first cell's value (in place).

    Ranges in or above the header (titles, two-line headers) are left as they are; one
    that reaches below the header is kept with ``filled=False`` so that the report names
    its data cells, read empty.
    """
    if header_index < 0:
        return ()
    filled = []
    for (r0, c0), (r1, c1) in sorted(ranges):
        if r0 <= header_index < r1:
            filled.append(MergedRange(header_index + 2, c0, r1 + 1, c1, None, filled=False))
        if r0 <= header_index or r0 >= len(rows) or (r0 == r1 and c0 == c1):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if cell_to_text(row[c]) is None:
                    row[c] = value
        filled.append(MergedRange(r0 + 1, c0, r1 + 1, c1, cell_to_text(value)))
    return tuple(filled)
