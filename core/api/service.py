"""Score the claims of one API request with the workbench's own model, thresholds and rules.

:class:`ScoringService` is what the HTTP layer (:mod:`core.api.app`) calls; it knows nothing
of HTTP. Per request:

1. :meth:`ScoringService.stamp` — one read: the caller of the bearer token and the active
   model version (a cheap version stamp: the model is reloaded only when it changes);
2. :meth:`ScoringService.score` — one claim without explanation (most requests) takes
   :func:`core.api.single.score_one`: one serialised unit of few statements that reads the
   client's stored claims (history and yearly cap at once), predicts, decides, applies the
   rules and records. Otherwise: the clients' history from the store (batches and earlier
   API claims), the calibrated probabilities (no lock held), then one serialised unit
   (:meth:`Store.exclusive`, as batch scoring): the published pair of that model, the
   automatic validations already stored for these clients, the three-way decisions, the
   business rules, and the record of the claims with their ``api.predict`` audit row in one
   transaction — so the yearly cap holds across the API and the batches, either way;
3. with ``explain``, the three plain-language reasons of each claim (:mod:`core.explain`);
4. :meth:`ScoringService.refuse` records a refused request (``api.refused``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.api.claims import CheckedClaims
from core.api.fast import RowScorer, rules_for_one
from core.api.results import (
    Prediction,
    ScoredRequest,
    api_actor,
    new_request_id,
    record_detail,
    replayed_request,
)
from core.api.single import score_one
from core.config.identity import Actor
from core.config.settings import Config
from core.decide.decisions import decide
from core.decide.rules import apply_rules
from core.exceptions import ModelNotFoundError, WorkbenchError
from core.explain.explainer import explain_claim
from core.model.registry import Registry
from core.model.trained import TrainedModel
from core.scoring.results import AppliedThresholds
from core.store.api_records import ApiStamp, claim_digests
from core.store.api_unit import ApiClaimUnits
from core.store.database import Store

__all__ = ["Prediction", "ScoredRequest", "ScoringService", "api_actor", "new_request_id"]

logger = logging.getLogger(__name__)


class ScoringService:
    """The API's scoring (see the module docstring); one per server process, thread-safe."""

    def __init__(self, cfg: Config, store: Store, registry: Registry | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.registry = registry or Registry(cfg.paths.models_dir, store)
        # (version, model, its single-claim path when checked), replaced as one value
        self._loaded: tuple[str, TrainedModel, RowScorer | None] | None = None
        self._loading = threading.Lock()
        self.units = ApiClaimUnits(store)  # the single-claim path's units (core.api.single)

    # ------------------------------------------------------------------ per request
    def stamp(self, token: str | None) -> ApiStamp:
        """The caller of ``token`` (None when unknown or revoked) and the active model."""
        return self.store.api_stamp(token)

    def model(self, version: str | None) -> TrainedModel:
        """The model of ``version``, loaded (and its files verified) once per version."""
        return self._load(version)[1]

    def _load(self, version: str | None) -> tuple[str, TrainedModel, RowScorer | None]:
        if version is None:
            raise ModelNotFoundError("no active model")
        loaded = self._loaded
        if loaded is not None and loaded[0] == version:
            return loaded
        with self._loading:
            if self._loaded is None or self._loaded[0] != version:
                started = time.perf_counter()
                model = self.registry.load(version)
                if model.booster is not None:
                    model.booster.set_param({"nthread": 1})  # one claim: threads cost more
                self._loaded = (version, model, checked_row_scorer(model))
                logger.info("model %s loaded in %.2f s", version, time.perf_counter() - started)
            return self._loaded

    def score(
        self,
        checked: CheckedClaims,
        *,
        caller: str,
        model_version: str | None,
        request_id: str,
        explain: bool = False,
    ) -> ScoredRequest:
        """Score, decide, apply the rules and record the request's claims (module docstring)."""
        timer: dict[str, float] = {}
        start = time.perf_counter()
        model_version, model, row = self._load(model_version)
        frame = checked.frame
        columns = {c: frame[c].to_numpy() for c in frame.columns}
        if row is not None and len(frame) == 1 and not explain:
            return score_one(
                self.units, row, self.cfg, columns, caller=caller,
                model_version=model_version, request_id=request_id,
            )  # fmt: skip
        history = self._history(frame)
        probabilities = predict(model, frame, history)
        timer["predict"] = time.perf_counter() - start
        actor = api_actor(caller)
        with self.store.exclusive(f"score the API request {request_id}"):
            started = time.perf_counter()
            replayed = self._replay(columns, caller, request_id, actor)
            if replayed is not None:
                if explain and replayed.model_version == model_version:
                    fr, en = self._reasons(model, frame, history)[0]
                    one = dataclasses.replace(replayed.predictions[0], reasons_fr=fr, reasons_en=en)
                    replayed = dataclasses.replace(replayed, predictions=(one,))
                return replayed
            record = self.store.active_thresholds(model_version, self.cfg.thresholds)
            assert record is not None  # a fallback was given
            thresholds = AppliedThresholds(record.low, record.high, record.id, record.source)
            model_codes = decide(probabilities, thresholds.low, thresholds.high)
            prior = None
            if "client_id" in frame.columns and frame["client_id"].notna().any():
                prior = self.store.auto_validation_counts(
                    columns["client_id"], exclude_batch_id=None
                )
            outcome = _rules(frame, columns, model_codes, self.cfg, prior)
            scored = columns | {
                "probability": probabilities,
                "decision_model": model_codes,
                "decision": outcome.decisions,
                "rule_flags": outcome.codes,
                "rule_reason": outcome.reasons,
            }
            self.store.save_api_scores(
                scored,
                request_id=request_id,
                actor=actor,
                model_version=model_version,
                thresholds_id=thresholds.id,
                detail=record_detail(model_version, thresholds),
            )
            timer["decide_and_record"] = time.perf_counter() - started
        reasons = self._reasons(model, frame, history) if explain else None
        id_key = "id" if "id" in frame.columns else None
        predictions = tuple(
            Prediction(
                claim_id=_text_or_none(columns[id_key][i]) if id_key else None,
                probability=float(probabilities[i]),
                decision=int(outcome.decisions[i]),
                decision_model=int(model_codes[i]),
                rule=str(outcome.codes[i] or ""),
                rule_reason_fr=str(outcome.reasons[i] or ""),
                rule_reason_en=str(outcome.reasons_en[i] or ""),
                reasons_fr=reasons[i][0] if reasons else (),
                reasons_en=reasons[i][1] if reasons else (),
            )
            for i in range(len(frame))
        )
        timer["total"] = time.perf_counter() - start
        return ScoredRequest(request_id, caller, model_version, thresholds, predictions, timer)

    def refuse(
        self,
        *,
        request_id: str,
        caller: str | None,
        path: str,
        status: int,
        reason: str,
        model_version: str | None = None,
    ) -> None:
        """Record a refused request; a failure to record is logged, never raised (the caller
        still gets its refusal)."""
        try:
            self.store.record_api_refusal(
                request_id=request_id,
                actor=api_actor(caller),
                path=path,
                status=status,
                reason=reason,
                model_version=model_version,
            )
        except WorkbenchError as exc:
            logger.error("refusal %s could not be recorded: %s", request_id, exc)

    # ------------------------------------------------------------------ stages
    def _history(self, frame: pd.DataFrame) -> pd.DataFrame | None:
        """Stored claims of the request's clients: batches and earlier API claims."""
        if "client_id" not in frame.columns or not frame["client_id"].notna().any():
            return None
        return self.store.client_history(frame["client_id"], exclude_batch_id=None)

    def _replay(
        self, columns: dict[str, np.ndarray], caller: str, request_id: str, actor: Actor
    ) -> ScoredRequest | None:
        """A retry of one claim already scored for this caller (same ID, same values) gets
        the outcome first recorded: scoring it again would count it twice in the cap."""
        ids = columns.get("id")
        if ids is None or len(ids) != 1 or _text_or_none(ids[0]) is None:
            return None
        digest = claim_digests(columns)[0]
        found = self.store.api_replay(caller, str(ids[0]), digest)
        if found is None:
            return None
        self.store.record_api_replay(request_id=request_id, actor=actor, replay=found)
        return replayed_request(
            found, str(ids[0]), request_id=request_id, caller=caller, cfg=self.cfg,
            store=self.store,
        )  # fmt: skip

    def _reasons(
        self, model: TrainedModel, frame: pd.DataFrame, history: pd.DataFrame | None
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(French, English) three strongest reasons of each claim; the other claims of the
        request count as its history, as in scoring."""
        out = []
        context = frame
        if history is not None:
            context = pd.concat([history, frame.assign(label_excluded=False)], ignore_index=True)
        for i in range(len(frame)):
            explanation = explain_claim(
                model, frame.iloc[[i]], context, currency=self.cfg.costs.currency
            )
            out.append((explanation.reasons_fr, explanation.reasons_en))
        return out


@dataclass(frozen=True)
class _Outcome:
    """The rules' outcome arrays the service reads (as :class:`RuleOutcome`'s)."""

    decisions: np.ndarray
    codes: np.ndarray
    reasons: np.ndarray
    reasons_en: np.ndarray


def _rules(
    frame: pd.DataFrame,
    columns: dict[str, np.ndarray],
    model_codes: np.ndarray,
    cfg: Config,
    prior: pd.DataFrame | None,
) -> _Outcome:
    """The business rules: :func:`rules_for_one` for one claim, else :func:`apply_rules`."""
    if len(frame) == 1:
        claim = {c: values[0] for c, values in columns.items()}
        one = rules_for_one(claim, int(model_codes[0]), cfg, prior)
        return _Outcome(
            np.array([one.decision], dtype=np.int8),
            np.array([one.code], dtype=object),
            np.array([one.reason_fr], dtype=object),
            np.array([one.reason_en], dtype=object),
        )
    full = apply_rules(frame, model_codes, cfg, prior_validations=prior)
    return _Outcome(full.decisions, full.codes, full.reasons, full.reasons_en)


def checked_row_scorer(model: TrainedModel, sample: int = 12) -> RowScorer | None:
    """The single-claim path of ``model`` if it gives the vectorised path's features and
    probabilities on sample claims of the model's reference (some with a client history);
    else None, with the reason in the log."""
    scorer = RowScorer(model)
    reference = model.reference
    if reference is None or not len(reference):
        logger.warning("model without reference claims: the single-claim path is not used")
        return None
    claims = reference.drop(columns=["probability"], errors="ignore").reset_index(drop=True)
    client = model.features.columns.get("client_id")
    order = np.arange(len(claims))
    if client is not None and client in claims:
        repeated = claims[client].duplicated(keep=False).to_numpy()
        order = np.concatenate([np.flatnonzero(repeated), np.flatnonzero(~repeated)])
    picked = order[:sample]
    rest = np.setdiff1d(np.arange(len(claims)), picked)
    why = scorer.check(claims.iloc[picked], claims.iloc[rest])
    if why is not None:
        logger.warning("single-claim path differs (%s): the vectorised path is used", why)
        return None
    return scorer


def predict(model: TrainedModel, frame: pd.DataFrame, history: pd.DataFrame | None) -> np.ndarray:
    """Calibrated probabilities of the claims (as :func:`core.scoring.batch.score_batch`)."""
    probabilities = np.asarray(model.predict_proba(frame, history), dtype=float)
    if probabilities.shape != (len(frame),) or np.isnan(probabilities).any():
        raise WorkbenchError(
            "Le modèle n'a pas rendu de probabilité pour chaque réclamation. / The model "
            "returned no probability for some claims: activate another version."
        )
    return np.clip(probabilities, 0.0, 1.0)


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)
