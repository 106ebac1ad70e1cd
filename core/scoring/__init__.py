"""Scoring: a stored batch through the model, the decisions and the rules, into the store.

``score_batch`` predicts and decides, ``redecide`` re-decides from stored probabilities for
another threshold pair, ``load_scoring`` reads a batch's latest scoring back with its cost
evaluation, and ``review_queue`` is the batch's Audit Humain work list.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.scoring.batch import redecide, score_batch
    from core.scoring.evaluation import evaluate_decisions
    from core.scoring.results import AppliedThresholds, ScoringResult, StoredScoring
    from core.scoring.review_queue import ReviewQueue, review_queue
    from core.scoring.stored import load_scores, load_scoring

_EXPORTS = {
    "redecide": "core.scoring.batch",
    "score_batch": "core.scoring.batch",
    "evaluate_decisions": "core.scoring.evaluation",
    "AppliedThresholds": "core.scoring.results",
    "ScoringResult": "core.scoring.results",
    "StoredScoring": "core.scoring.results",
    "ReviewQueue": "core.scoring.review_queue",
    "review_queue": "core.scoring.review_queue",
    "load_scores": "core.scoring.stored",
    "load_scoring": "core.scoring.stored",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "AppliedThresholds",
    "ReviewQueue",
    "ScoringResult",
    "StoredScoring",
    "evaluate_decisions",
    "load_scores",
    "load_scoring",
    "redecide",
    "review_queue",
    "score_batch",
]
