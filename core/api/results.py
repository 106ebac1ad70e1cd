"""What scoring an API request gives: one :class:`Prediction` per claim, in a
:class:`ScoredRequest`; and who the API acts as in the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from core.config.identity import AUDITOR, Actor
from core.config.settings import Config
from core.decide.decisions import DECISION_CODES
from core.decide.rules import RULE_NAMES
from core.scoring.results import AppliedThresholds
from core.store.api_records import ANONYMOUS, ApiReplay
from core.store.database import Store


def api_actor(caller: str | None) -> Actor:
    """The identity of a calling system in the audit trail: ``api:<token name>``, with the
    auditor's role (scoring only: the API offers nothing else)."""
    name = caller or ANONYMOUS
    return Actor(id=f"api:{name}", name=name, role=AUDITOR, via="api")


def record_detail(model_version: str, thresholds: AppliedThresholds) -> dict[str, object]:
    """The ``api.predict`` audit row's detail: the model and the pair that decided."""
    return {
        "model_version": model_version,
        "thresholds_id": thresholds.id,
        "low": thresholds.low,
        "high": thresholds.high,
    }


def new_request_id() -> str:
    return uuid.uuid4().hex[:20]


@dataclass(frozen=True)
class Prediction:
    """One claim's outcome, as the results sheet gives it, with its reasons when asked."""

    claim_id: str | None
    probability: float
    decision: int  # after the rules: -1, 0, 1
    decision_model: int  # from the thresholds alone
    rule: str  # the rule that moved it ("" when none)
    rule_reason_fr: str
    rule_reason_en: str
    reasons_fr: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The final decision's name (after the rules)."""
        return DECISION_CODES[self.decision]

    @property
    def model_label(self) -> str:
        """The thresholds' decision's name (before the rules)."""
        return DECISION_CODES[self.decision_model]


@dataclass(frozen=True)
class ScoredRequest:
    """One request scored and recorded."""

    request_id: str
    caller: str
    model_version: str
    thresholds: AppliedThresholds
    predictions: tuple[Prediction, ...]
    seconds: dict[str, float] = field(default_factory=dict)
    replayed: bool = False  # a retry: the outcome first recorded, nothing recorded again


def replayed_request(
    found: ApiReplay, claim_id: str, *, request_id: str, caller: str, cfg: Config, store: Store
) -> ScoredRequest:
    """A retry's answer: the outcome first recorded (its ``api.replayed`` audit row is the
    caller's to write)."""
    if found.thresholds_id is not None:
        pair = store.get_thresholds(found.thresholds_id)
        thresholds = AppliedThresholds(pair.low, pair.high, pair.id, pair.source)
    else:
        low, high = cfg.thresholds.low, cfg.thresholds.high
        thresholds = AppliedThresholds(low, high, None, "config")
    english = RULE_NAMES.get(found.rule_flags, {}).get("en", "")
    prediction = Prediction(
        claim_id, found.probability, found.decision, found.decision_model,
        found.rule_flags, found.rule_reason, english,
    )  # fmt: skip
    return ScoredRequest(
        request_id, caller, found.model_version, thresholds, (prediction,), replayed=True
    )
