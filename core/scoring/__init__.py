"""Scoring: a stored batch through the model, the decisions and the rules, into the store.

``score_batch`` predicts and decides, ``redecide`` re-decides from stored probabilities for
another threshold pair, ``load_scoring`` reads a batch's latest scoring back with its cost
evaluation; ``review_queues`` are the batch's Audit Humain work list and its quality-control
sample, ordered by what an audit is worth (``audit_value``), and ``export_queue`` /
``export_reviews`` write them (and every review) to .xlsx.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.scoring.batch import redecide, score_batch
    from core.scoring.evaluation import evaluate_decisions
    from core.scoring.results import AppliedThresholds, ScoringResult, StoredScoring
    from core.scoring.review_export import export_queue, export_reviews
    from core.scoring.review_queue import ReviewQueue, audit_value, review_queue, review_queues
    from core.scoring.stored import load_scores, load_scoring

_EXPORTS = {
    "redecide": "core.scoring.batch",
    "score_batch": "core.scoring.batch",
    "evaluate_decisions": "core.scoring.evaluation",
    "AppliedThresholds": "core.scoring.results",
    "ScoringResult": "core.scoring.results",
    "StoredScoring": "core.scoring.results",
    "export_queue": "core.scoring.review_export",
    "export_reviews": "core.scoring.review_export",
    "ReviewQueue": "core.scoring.review_queue",
    "audit_value": "core.scoring.review_queue",
    "review_queue": "core.scoring.review_queue",
    "review_queues": "core.scoring.review_queue",
    "load_scores": "core.scoring.stored",
    "load_scoring": "core.scoring.stored",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "AppliedThresholds",
    "ReviewQueue",
    "ScoringResult",
    "StoredScoring",
    "audit_value",
    "evaluate_decisions",
    "export_queue",
    "export_reviews",
    "load_scores",
    "load_scoring",
    "redecide",
    "review_queue",
    "review_queues",
    "score_batch",
]
