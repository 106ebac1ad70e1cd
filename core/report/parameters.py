"""The « Paramètres » sheet of a results workbook: what produced its decisions.

Model version, the threshold pair and its source (with who published it), the costs the pair
was chosen with (published with it, else the configuration's), the business rules and
whether they were applied, the profile, when the batch was scored and by whom (from the
audit trail's ``batch.scored`` / ``batch.redecided`` row of that scoring).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.config.settings import Config
from core.exceptions import StoreError
from core.store.database import Store


class _Thresholds(Protocol):
    low: float
    high: float
    id: int | None
    source: str


class _Scoring(Protocol):
    """What a scoring (``ScoringResult`` or ``StoredScoring``) offers."""

    batch_id: int
    model_version: str
    thresholds: _Thresholds
    scored_at: datetime | None


@dataclass(frozen=True)
class ScoringParameters:
    """What produced a batch's decisions, as written in the « Paramètres » sheet."""

    batch_id: int
    model_version: str
    low: float
    high: float
    threshold_source: str
    published_by: str | None
    costs: Mapping[str, Any]
    costs_source: str  # "thresholds" (published with the pair) | "config"
    rules: Mapping[str, Any]
    rules_applied: bool | None  # None: not recorded
    profile: str
    scored_at: datetime | None
    scored_by: str | None

    def rows(self, locale: str = "fr") -> list[tuple[str, str]]:
        """(parameter, value) text pairs in ``locale``."""
        en = locale == "en"
        yes, no, unknown = ("yes", "no", "not recorded") if en else ("oui", "non", "non consigné")
        applied = unknown if self.rules_applied is None else (yes if self.rules_applied else no)
        costs_from = (
            ("published with the thresholds" if en else "publiés avec les seuils")
            if self.costs_source == "thresholds"
            else "configuration"
        )
        source = self.threshold_source
        if self.published_by:
            source += f" ({'published by' if en else 'publiés par'} {self.published_by})"
        when = self.scored_at.strftime("%d/%m/%Y %H:%M:%S UTC") if self.scored_at else unknown
        names = _NAMES["en" if en else "fr"]
        values = (
            str(self.batch_id), self.model_version, f"{self.low:.4f}", f"{self.high:.4f}",
            source, f"{_as_text(self.costs)} ({costs_from})", _as_text(self.rules), applied,
            self.profile, when, self.scored_by or unknown,
        )  # fmt: skip
        return list(zip(names, values, strict=True))


_NAMES = {
    "fr": ("Lot", "Version du modèle", "Seuil bas", "Seuil haut", "Source des seuils", "Coûts",
           "Règles métier", "Règles appliquées", "Profil", "Scoré le", "Scoré par"),
    "en": ("Batch", "Model version", "Low threshold", "High threshold", "Threshold source",
           "Costs", "Business rules", "Rules applied", "Profile", "Scored at", "Scored by"),
}  # fmt: skip


def _as_text(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str)


def scoring_parameters(store: Store, cfg: Config, scoring: _Scoring) -> ScoringParameters:
    """The parameters of one scoring, completed from the store (thresholds record, audit
    row); what the store does not hold is said as « non consigné »."""
    t = scoring.thresholds
    published_by, costs, costs_source = None, dataclasses.asdict(cfg.costs), "config"
    if t.id is not None:
        try:
            record = store.get_thresholds(t.id)
        except StoreError:
            record = None
        if record is not None:
            published_by = record.published_by
            if record.costs:
                costs, costs_source = record.costs, "thresholds"
    actor, applied = _scored_by(store, scoring.batch_id, scoring.scored_at)
    return ScoringParameters(
        batch_id=scoring.batch_id,
        model_version=scoring.model_version,
        low=t.low,
        high=t.high,
        threshold_source=t.source,
        published_by=published_by,
        costs=costs,
        costs_source=costs_source,
        rules=dataclasses.asdict(cfg.rules),
        rules_applied=applied,
        profile=cfg.profile,
        scored_at=scoring.scored_at,
        scored_by=actor,
    )


def _scored_by(
    store: Store, batch_id: int, scored_at: datetime | None
) -> tuple[str | None, bool | None]:
    """(who, rules applied) from the audit row of that scoring (the latest one if unknown)."""
    with store.cursor("read the audit trail") as cur:
        rows = cur.execute(
            """SELECT actor, actor_role, detail FROM audit_log
               WHERE action IN ('batch.scored', 'batch.redecided')
                 AND json_extract_string(detail, '$.batch_id') = ?
               ORDER BY id DESC""",
            [str(batch_id)],
        ).fetchall()
    wanted = _naive(scored_at)
    for actor, role, detail in rows:
        data = json.loads(detail) if detail else {}
        if wanted is None or _naive(data.get("scored_at")) == wanted:
            rules = data.get("rules")
            who = f"{actor} ({role})" if role else str(actor)
            return who, (bool(rules) if rules is not None else None)
    return None, None


def _naive(value: datetime | str | None) -> datetime | None:
    """A time without its zone (the store keeps UTC times without one)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None
    return moment.replace(tzinfo=None)
