"""The API's response bodies (for the OpenAPI documentation) and how a prediction reads.

A prediction carries the results sheet's columns under the same names and meanings
(``Probabilite_Fondee``; ``Decision_Modele``, the thresholds' decision before the rules;
``Decision_Finale`` and its code ``Decision_Code``, after the rules; ``Motif_Regle``), plus the
claim's place in the request, its ID, the code of the thresholds' decision, the rule's code
and, with ``?explain=true``, the three strongest reasons in plain words.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.api.service import Prediction


class ProblemOut(BaseModel):
    field: str = Field(description="champ (nom du profil) / field (profile's name)")
    reason: str = Field(description="motif, comme dans le rapport de validation / reason")
    claim: int | None = Field(None, description="rang de la réclamation (0...) / claim index")


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


class ThresholdsOut(BaseModel):
    low: float
    high: float
    id: int | None = Field(description="paire publiée (None : configuration) / published pair")
    source: str


class PredictionOut(BaseModel):
    claim: int = Field(description="rang dans la requête / place in the request")
    claim_id: str | None
    Probabilite_Fondee: float = Field(ge=0, le=1)
    Decision_Modele: str = Field(
        description="décision des seuils, avant les règles / the thresholds' decision, before "
        "the rules: Rejet Auto | Audit Humain | Validation Auto"
    )
    Decision_Finale: str = Field(
        description="décision finale, après les règles / final decision, after the rules"
    )
    Decision_Code: int = Field(description="-1 | 0 | 1, après les règles / after the rules")
    Decision_Code_Modele: int = Field(description="-1 | 0 | 1, avant les règles / before the rules")
    Motif_Regle: str = Field(description="motif de la règle appliquée / rule reason")
    rule: str = Field(description="code de la règle ('' : aucune) / rule code")
    reasons: list[str] | None = Field(None, description="?explain=true : 3 raisons / reasons")


class Envelope(BaseModel):
    request_id: str
    model_version: str
    thresholds: ThresholdsOut
    warnings: list[ProblemOut]
    replayed: bool = Field(
        description="une reprise : la décision déjà enregistrée / a retry: the recorded outcome"
    )


class PredictOut(Envelope, PredictionOut):
    pass


class BatchOut(Envelope):
    predictions: list[PredictionOut]


class HealthOut(BaseModel):
    status: str = Field(description="ok | unavailable")
    model_loaded: bool
    model_version: str | None
    store_reachable: bool
    schema_version: int | None
    version: str


def prediction_body(prediction: Prediction, index: int, locale: str) -> dict[str, Any]:
    """One prediction as the API returns it, texts in ``locale``."""
    en = locale == "en"
    body: dict[str, Any] = {
        "claim": index,
        "claim_id": prediction.claim_id,
        "Probabilite_Fondee": prediction.probability,
        "Decision_Modele": prediction.model_label,
        "Decision_Finale": prediction.label,
        "Decision_Code": prediction.decision,
        "Decision_Code_Modele": prediction.decision_model,
        "Motif_Regle": prediction.rule_reason_en if en else prediction.rule_reason_fr,
        "rule": prediction.rule,
    }
    reasons = prediction.reasons_en if en else prediction.reasons_fr
    if reasons:
        body["reasons"] = list(reasons)
    return body
