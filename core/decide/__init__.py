"""Decisions: the cost model and the three-way decision, with no model in sight.

Costs in DH and their evaluation (``costs``), decisions from a (low, high) pair and the
vectorised cost surface (``decisions``), the threshold choosers — cost minimum, Yao's closed
form, audit capacity, error guarantee (MAPIE risk control, ``guarantee``), the safe pair
maximising a lower confidence bound of the net gain (``gain_bounds``) — and the business
rules that can only move a claim towards human audit (``rules``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.decide.costs import CostModel, Evaluation, ZoneTotals
    from core.decide.decisions import (
        DECISION_CODES,
        CostSurface,
        check_thresholds,
        decide,
        evaluate,
    )
    from core.decide.gain_bounds import GainBootstrap, GainInterval
    from core.decide.rules import RULE_NAMES, RuleOutcome, apply_rules
    from core.decide.thresholds import (
        ThresholdChoice,
        choose_capacity,
        choose_closed_form,
        choose_cost_minimum,
        choose_guarantee,
        choose_safe_gain,
        manual_choice,
    )

_EXPORTS = {
    "CostModel": "core.decide.costs",
    "Evaluation": "core.decide.costs",
    "ZoneTotals": "core.decide.costs",
    "DECISION_CODES": "core.decide.decisions",
    "CostSurface": "core.decide.decisions",
    "check_thresholds": "core.decide.decisions",
    "decide": "core.decide.decisions",
    "evaluate": "core.decide.decisions",
    "GainBootstrap": "core.decide.gain_bounds",
    "GainInterval": "core.decide.gain_bounds",
    "RULE_NAMES": "core.decide.rules",
    "RuleOutcome": "core.decide.rules",
    "apply_rules": "core.decide.rules",
    "ThresholdChoice": "core.decide.thresholds",
    "choose_capacity": "core.decide.thresholds",
    "choose_closed_form": "core.decide.thresholds",
    "choose_cost_minimum": "core.decide.thresholds",
    "choose_guarantee": "core.decide.thresholds",
    "choose_safe_gain": "core.decide.thresholds",
    "manual_choice": "core.decide.thresholds",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "DECISION_CODES",
    "RULE_NAMES",
    "CostModel",
    "CostSurface",
    "Evaluation",
    "GainBootstrap",
    "GainInterval",
    "RuleOutcome",
    "ThresholdChoice",
    "ZoneTotals",
    "apply_rules",
    "check_thresholds",
    "choose_capacity",
    "choose_closed_form",
    "choose_cost_minimum",
    "choose_guarantee",
    "choose_safe_gain",
    "decide",
    "evaluate",
    "manual_choice",
]
