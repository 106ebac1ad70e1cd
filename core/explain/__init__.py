"""Explanations: why the model scored a claim so, in SHAP values and in plain words.

Exact TreeSHAP contributions grouped by original column (``explainer``), the plain-language
reasons (``text``), global importance read from or stored in the database (``lookup``), and
what-if edits of a claim (``whatif``). Result types live in ``results``.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.explain.explainer import explain_claim, explain_sample, reasons
    from core.explain.lookup import compute_summary, find_claim, load_summary, similar_claims
    from core.explain.results import ClaimExplanation, GlobalExplanation, GroupContribution
    from core.explain.whatif import decide_claim, edit_claim

_EXPORTS = {
    "explain_claim": "core.explain.explainer",
    "explain_sample": "core.explain.explainer",
    "reasons": "core.explain.explainer",
    "compute_summary": "core.explain.lookup",
    "find_claim": "core.explain.lookup",
    "load_summary": "core.explain.lookup",
    "similar_claims": "core.explain.lookup",
    "ClaimExplanation": "core.explain.results",
    "GlobalExplanation": "core.explain.results",
    "GroupContribution": "core.explain.results",
    "decide_claim": "core.explain.whatif",
    "edit_claim": "core.explain.whatif",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ClaimExplanation",
    "GlobalExplanation",
    "GroupContribution",
    "compute_summary",
    "decide_claim",
    "edit_claim",
    "explain_claim",
    "explain_sample",
    "find_claim",
    "load_summary",
    "reasons",
    "similar_claims",
]
