"""Explanations: why the model scored a claim so, in SHAP values and in plain words.

Exact TreeSHAP contributions grouped by original column (``explainer``), the plain-language
reasons (``text``), global importance read from or stored in the database (``lookup``), and
what-if edits of a claim (``whatif``). Result types live in ``results``.
"""

from core.explain.explainer import explain_claim, explain_sample, reasons
from core.explain.lookup import compute_summary, find_claim, load_summary, similar_claims
from core.explain.results import ClaimExplanation, GlobalExplanation, GroupContribution
from core.explain.whatif import decide_claim, edit_claim

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
