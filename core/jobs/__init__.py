"""Background jobs: work queued in the database with an action, run by a server process.

The drift report of each scored batch is queued in the same transaction as its scores and
run by :class:`JobRunner` (a thread of the app server) or on the command line; a page left
early, a closed tab or a restart loses nothing, and jobs left running by a dead process are
run again.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.jobs.runner import HANDLERS, JobOutcome, JobRunner, run_job, run_pending

_EXPORTS = {
    "HANDLERS": "core.jobs.runner",
    "JobOutcome": "core.jobs.runner",
    "JobRunner": "core.jobs.runner",
    "run_job": "core.jobs.runner",
    "run_pending": "core.jobs.runner",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["HANDLERS", "JobOutcome", "JobRunner", "run_job", "run_pending"]
