"""The DuckDB store: one database file, versioned migrations, one module per table family.

``Store`` holds batches and claims (``batches``), scorings (``scores``), published thresholds
(``thresholds``), reviews (``reviews``) and background jobs (``jobs``). Processes share the
file, each holding it for one operation (``gate``); every write is one transaction with its
row in the hash-chained audit trail (``audit``). Storage knows tables and frames, never how
they were computed.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.store.audit import AuditEntry, ChainCheck, verify_chain
    from core.store.batches import BatchInfo, SaveResult
    from core.store.database import Store, open_store
    from core.store.jobs import Job
    from core.store.migrations import latest_version, migrate
    from core.store.reviews import REJECT, VALIDATE, Review
    from core.store.scores import ScoringInfo
    from core.store.thresholds import ThresholdsRecord

_EXPORTS = {
    "AuditEntry": "core.store.audit",
    "ChainCheck": "core.store.audit",
    "verify_chain": "core.store.audit",
    "BatchInfo": "core.store.batches",
    "SaveResult": "core.store.batches",
    "Store": "core.store.database",
    "open_store": "core.store.database",
    "Job": "core.store.jobs",
    "latest_version": "core.store.migrations",
    "migrate": "core.store.migrations",
    "REJECT": "core.store.reviews",
    "VALIDATE": "core.store.reviews",
    "Review": "core.store.reviews",
    "ScoringInfo": "core.store.scores",
    "ThresholdsRecord": "core.store.thresholds",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "REJECT",
    "VALIDATE",
    "AuditEntry",
    "BatchInfo",
    "ChainCheck",
    "Job",
    "Review",
    "SaveResult",
    "ScoringInfo",
    "Store",
    "ThresholdsRecord",
    "latest_version",
    "migrate",
    "open_store",
    "verify_chain",
]
