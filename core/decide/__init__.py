"""Decisions: the cost model and the three-way decision, with no model in sight.

Costs in DH and their evaluation (``costs``), decisions from a (low, high) pair and the
vectorised cost surface (``decisions``), the threshold choosers — cost minimum, Yao's closed
form, audit capacity, error guarantee (MAPIE risk control, ``guarantee``), the safe pair
maximising a lower confidence bound of the net gain (``gain_bounds``) — and the business
rules that can only move a claim towards human audit (``rules``).
"""

from core.decide.costs import CostModel, Evaluation, ZoneTotals
from core.decide.decisions import DECISION_CODES, CostSurface, check_thresholds, decide, evaluate
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
