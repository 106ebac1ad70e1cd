"""Ingest: a claims file read once, checked, and stored once.

Sniffing the real format from the bytes (``sniff``), reading every format safely
(``reader``, ``xlsx_cells``), choosing the sheet most like a claims table (``sheets``,
``workbook``), filling merged cells (``merged``), locating the header and normalising cells
(``normalize``, ``invisible``), leaving out blank and total lines (``rows``),
validating against the profile into a report that lists every problem at once (``validate``,
``report``, ``texts``), and the read -> validate -> store orchestration (``pipeline``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.ingest.known_levels import stored_known_levels
    from core.ingest.pipeline import (
        DUPLICATE,
        REJECTED,
        STORED,
        IngestResult,
        batch_key,
        ingest,
        validate_file,
    )
    from core.ingest.reader import RawTable, choose_sheet, list_sheets, read_table
    from core.ingest.report import Issue, ValidatedBatch, ValidationReport
    from core.ingest.sheets import SheetChoice, SheetScore
    from core.ingest.validate import validate

_EXPORTS = {
    "stored_known_levels": "core.ingest.known_levels",
    "DUPLICATE": "core.ingest.pipeline",
    "REJECTED": "core.ingest.pipeline",
    "STORED": "core.ingest.pipeline",
    "IngestResult": "core.ingest.pipeline",
    "batch_key": "core.ingest.pipeline",
    "ingest": "core.ingest.pipeline",
    "validate_file": "core.ingest.pipeline",
    "RawTable": "core.ingest.reader",
    "choose_sheet": "core.ingest.reader",
    "list_sheets": "core.ingest.reader",
    "read_table": "core.ingest.reader",
    "Issue": "core.ingest.report",
    "ValidatedBatch": "core.ingest.report",
    "ValidationReport": "core.ingest.report",
    "SheetChoice": "core.ingest.sheets",
    "SheetScore": "core.ingest.sheets",
    "validate": "core.ingest.validate",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "DUPLICATE",
    "REJECTED",
    "STORED",
    "IngestResult",
    "Issue",
    "RawTable",
    "SheetChoice",
    "SheetScore",
    "ValidatedBatch",
    "ValidationReport",
    "batch_key",
    "choose_sheet",
    "ingest",
    "list_sheets",
    "read_table",
    "stored_known_levels",
    "validate",
    "validate_file",
]
