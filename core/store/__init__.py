"""The DuckDB store: one database file, versioned migrations, one module per table family.

``Store`` holds batches and claims (``batches``), scorings (``scores``), published thresholds
(``thresholds``) and reviews (``reviews``), each write in one transaction with its audit
entry. Storage knows tables and frames, never how they were computed.
"""

from core.store.batches import BatchInfo, SaveResult
from core.store.database import Store, open_store
from core.store.migrations import latest_version, migrate
from core.store.reviews import REJECT, VALIDATE, Review, latest_reviews, save_review
from core.store.scores import ScoringInfo
from core.store.thresholds import ThresholdsRecord

__all__ = [
    "REJECT",
    "VALIDATE",
    "BatchInfo",
    "Review",
    "SaveResult",
    "ScoringInfo",
    "Store",
    "ThresholdsRecord",
    "latest_reviews",
    "latest_version",
    "migrate",
    "open_store",
    "save_review",
]
