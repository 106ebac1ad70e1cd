"""Monitoring in production: how the model and the automatic decisions do, batch by batch.

Before labels, performance is *estimated* from the calibrated probabilities (error rates among
automatic decisions, automation, cost) with a sampling band; once labels come back — reviews,
the random quality-control sample of automatic decisions, outcome files — it is *realised*:
the error rate among automatic decisions is estimated without bias from the quality-control
sample, with an exact interval, and an alert says when the realised figure leaves the band.
"""

from core.monitor.performance import (
    BatchPerformance,
    Estimated,
    Realised,
    batch_performance,
    estimate,
    realise,
)

__all__ = ["BatchPerformance", "Estimated", "Realised", "batch_performance", "estimate", "realise"]
