"""Ingest: a claims file read once, checked, and stored once.

Sniffing the real format from the bytes (``sniff``), reading every format safely
(``reader``, ``xlsx_cells``), locating the header and normalising cells (``normalize``),
validating against the profile into a report that lists every problem at once (``validate``,
``report``, ``texts``), and the read -> validate -> store orchestration (``pipeline``).
"""

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
