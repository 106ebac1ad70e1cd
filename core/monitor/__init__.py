"""Monitoring in production: how the model and the automatic decisions do, batch by batch.

Before labels, performance is *estimated* from the calibrated probabilities (error rates among
automatic decisions, automation, cost) with a sampling band; once labels come back — reviews,
the random quality-control sample of automatic decisions, outcome files — it is *realised*:
the error rate among automatic decisions is estimated without bias from the quality-control
sample, with an exact interval, and an alert says when the realised figure leaves the band.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.monitor.performance import (
        BatchPerformance,
        Estimated,
        Realised,
        batch_performance,
        estimate,
        realise,
    )

_EXPORTS = {
    "BatchPerformance": "core.monitor.performance",
    "Estimated": "core.monitor.performance",
    "Realised": "core.monitor.performance",
    "batch_performance": "core.monitor.performance",
    "estimate": "core.monitor.performance",
    "realise": "core.monitor.performance",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["BatchPerformance", "Estimated", "Realised", "batch_performance", "estimate", "realise"]
