"""A threshold pair as every chooser returns it: :class:`ThresholdChoice`."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from core.decide.costs import Evaluation
from core.decide.decisions import CostSurface, check_thresholds

__all__ = ["SOURCES", "ThresholdChoice", "make_choice", "manual_choice"]

SOURCES = ("cost-optimal", "closed-form", "capacity", "guarantee", "manual", "safe-gain")


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold pair, where it came from, and what it costs (NaN when not evaluated)."""

    low: float
    high: float
    expected_cost: float
    net_gain: float
    source: str
    details: dict[str, Any] = field(default_factory=dict)
    feasible: bool = True
    note: str = ""
    realised_cost: float | None = None
    realised_net_gain: float | None = None
    evaluation: Evaluation | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {', '.join(SOURCES)}")
        check_thresholds(self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (NaN costs become None)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for key in ("expected_cost", "net_gain"):
            out[key] = None if math.isnan(out[key]) else out[key]
        out["evaluation"] = None if self.evaluation is None else self.evaluation.to_dict()
        return out


def make_choice(
    surface: CostSurface | None, low: float, high: float, source: str, **kwargs: Any
) -> ThresholdChoice:
    """A ThresholdChoice with its costs filled in from ``surface`` when given."""
    if surface is None:
        return ThresholdChoice(low, high, math.nan, math.nan, source, **kwargs)
    ev = surface.evaluate(low, high)
    return ThresholdChoice(
        ev.low,
        ev.high,
        ev.expected_cost,
        ev.expected_net_gain,
        source,
        realised_cost=ev.realised_cost,
        realised_net_gain=ev.realised_net_gain,
        evaluation=ev,
        **kwargs,
    )


def manual_choice(low: float, high: float, surface: CostSurface | None = None) -> ThresholdChoice:
    """Thresholds set by hand (costs filled in when a surface is given)."""
    low, high = check_thresholds(low, high)
    return make_choice(surface, low, high, "manual", note="Thresholds set by hand.")
