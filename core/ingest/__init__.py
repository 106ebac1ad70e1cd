"""Ingest: a claims file read once, checked, and stored once.

Sniffing the real format from the bytes (``sniff``), reading every format safely
(``reader``, ``xlsx_cells``), locating the header and normalising cells (``normalize``),
validating against the profile into a report that lists every problem at once (``validate``,
``report``, ``texts``), and the read -> validate -> store orchestration (``pipeline``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.ingest.pipeline import (
        DUPLICATE,
        REJECTED,
        STORED,
        IngestResult,
        batch_key,
        ingest,
        validate_file,
    )
    from core.ingest.reader import RawTable, list_sheets, read_table
    from core.ingest.report import Issue, ValidatedBatch, ValidationReport
    from core.ingest.validate import validate

_EXPORTS = {
    "DUPLICATE": "core.ingest.pipeline",
    "REJECTED": "core.ingest.pipeline",
    "STORED": "core.ingest.pipeline",
    "IngestResult": "core.ingest.pipeline",
    "batch_key": "core.ingest.pipeline",
    "ingest": "core.ingest.pipeline",
    "validate_file": "core.ingest.pipeline",
    "RawTable": "core.ingest.reader",
    "list_sheets": "core.ingest.reader",
    "read_table": "core.ingest.reader",
    "Issue": "core.ingest.report",
    "ValidatedBatch": "core.ingest.report",
    "ValidationReport": "core.ingest.report",
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
    "ValidatedBatch",
    "ValidationReport",
    "batch_key",
    "ingest",
    "list_sheets",
    "read_table",
    "validate",
    "validate_file",
]
