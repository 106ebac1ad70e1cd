"""Reports: the results workbook an auditor downloads, and the decisions table's filters.

The results sheet built from the file or from the store (``results``), its safe, styled
Excel export (``export``, ``cells``) and the filters of the decisions table (``filters``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.report.export import DECISION_LABELS, RESULT_COLUMNS, results_to_bytes, write_results
    from core.report.filters import ClaimFilter, filter_claims
    from core.report.results import reason_texts, results_from_file, results_from_store, to_xlsx

_EXPORTS = {
    "DECISION_LABELS": "core.report.export",
    "RESULT_COLUMNS": "core.report.export",
    "results_to_bytes": "core.report.export",
    "write_results": "core.report.export",
    "ClaimFilter": "core.report.filters",
    "filter_claims": "core.report.filters",
    "reason_texts": "core.report.results",
    "results_from_file": "core.report.results",
    "results_from_store": "core.report.results",
    "to_xlsx": "core.report.results",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

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
