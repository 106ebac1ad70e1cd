"""Reports: the results workbook an auditor downloads, and the decisions table's filters.

The results sheet built from the file or from the store (``results``), its safe, styled
Excel export (``export``, ``cells``) and the filters of the decisions table (``filters``).
"""

from core.report.export import DECISION_LABELS, RESULT_COLUMNS, results_to_bytes, write_results
from core.report.filters import ClaimFilter, filter_claims
from core.report.results import reason_texts, results_from_file, results_from_store, to_xlsx

__all__ = [
    "DECISION_LABELS",
    "RESULT_COLUMNS",
    "ClaimFilter",
    "filter_claims",
    "reason_texts",
    "results_from_file",
    "results_from_store",
    "results_to_bytes",
    "to_xlsx",
    "write_results",
]
