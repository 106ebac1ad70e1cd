"""One claim without explanation — most requests — scored in one serialised unit of few
statements (:mod:`core.store.api_unit`), with the single-claim paths of :mod:`core.api.fast`.

Inside the unit, in order: the client's stored claims (history and yearly cap in one read;
a retry recognised in the same read), the probability (:class:`RowScorer`, a fraction of a
millisecond), the model's active pair, the three-way decision, the rules
(:func:`rules_for_one`), and the record with its audit row. The decisions are those of
:meth:`ScoringService.score`'s general path and of batch scoring (``tests/core/api``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from core.api.fast import RowScorer, rules_for_one
from core.api.results import (
    Prediction,
    ScoredRequest,
    api_actor,
    record_detail,
    replayed_request,
)
from core.config.settings import Config
from core.decide.decisions import decide
from core.scoring.results import AppliedThresholds
from core.store.api_unit import ApiClaimUnits


def score_one(
    units: ApiClaimUnits,
    scorer: RowScorer,
    cfg: Config,
    columns: Mapping[str, np.ndarray],
    *,
    caller: str,
    model_version: str,
    request_id: str,
) -> ScoredRequest:
    """Score, decide, apply the rules and record one claim (columns by key, one value each)."""
    start = time.perf_counter()
    actor = api_actor(caller)
    claim = {c: values[0] for c, values in columns.items()}
    action = f"score the API request {request_id}"
    with units.open(columns, caller=caller, model_version=model_version, action=action) as unit:
        context = unit.context
        claim_id = _text_or_none(claim.get("id"))
        if context.replay is not None and claim_id is not None:
            units.store.record_api_replay(request_id=request_id, actor=actor, replay=context.replay)
            return replayed_request(
                context.replay, claim_id, request_id=request_id, caller=caller, cfg=cfg,
                store=units.store,
            )  # fmt: skip
        probability = scorer.probability(claim, context.client)
        pair = context.pair
        if pair is None:
            low, high = cfg.thresholds.low, cfg.thresholds.high
            thresholds = AppliedThresholds(low, high, None, "config")
        else:
            thresholds = AppliedThresholds(pair.low, pair.high, pair.id, pair.source)
        model_code = int(decide(np.array([probability]), thresholds.low, thresholds.high)[0])
        ruling = rules_for_one(claim, model_code, cfg, context.client)
        unit.save(
            {
                "probability": [probability],
                "decision": [ruling.decision],
                "decision_model": [model_code],
                "rule_flags": [ruling.code],
                "rule_reason": [ruling.reason_fr],
            },
            request_id=request_id,
            actor=actor,
            model_version=model_version,
            thresholds_id=thresholds.id,
            detail=record_detail(model_version, thresholds),
        )
    prediction = Prediction(
        claim_id, probability, ruling.decision, model_code, ruling.code, ruling.reason_fr,
        ruling.reason_en,
    )  # fmt: skip
    seconds = {"total": time.perf_counter() - start}
    return ScoredRequest(request_id, caller, model_version, thresholds, (prediction,), seconds)


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)
