"""The HTTP service: ``POST /predict``, ``POST /predict/batch``, ``GET /health``, ``/docs``.

:func:`create_app` builds the FastAPI application for a configuration: the claim model is
generated from its profile (:mod:`core.api.claims`), the scoring is :mod:`core.api.service`,
and :mod:`core.api.guard` checks the token and the body size before anything is parsed.
Every refusal is a JSON body ``{"detail": [{"field", "reason"[, "claim"]}]}`` in the caller's
language (``Accept-Language``: English, else French); no response ever holds a traceback.
"""

import logging
from typing import Any

from fastapi import FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.api.claims import ClaimsRefusedError, FieldProblem, batch_model, check_claims, claim_model
from core.api.errors import problems_of
from core.api.guard import ApiGuard
from core.api.models import BatchOut, HealthOut, PredictOut, ProblemsOut, prediction_body
from core.api.service import ScoredRequest, ScoringService
from core.api.texts import locale_of, text
from core.config.settings import Config
from core.exceptions import ModelNotFoundError, StoreBusyError, WorkbenchError
from core.store.database import Store, open_store

logger = logging.getLogger(__name__)

API_VERSION = "1.0"
_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "Jeton absent, inconnu ou révoqué / no token"},
    413: {"model": ProblemsOut, "description": "Corps trop volumineux / body too large"},
    422: {"model": ProblemsOut, "description": "Champs refusés / fields refused"},
    503: {"model": ProblemsOut, "description": "Pas de modèle actif, base occupée / no model"},
}


def create_app(cfg: Config, store: Store | None = None) -> FastAPI:
    """The API for ``cfg`` (its profile, thresholds, rules, limits and data folder)."""
    store = store or open_store(cfg)
    service = ScoringService(cfg, store)
    claim = claim_model(cfg.schema)
    batch = batch_model(claim, cfg.api.max_batch)
    app = FastAPI(
        title="Claims Triage Workbench — API de notation / scoring API",
        version=API_VERSION,
        description=(
            "Note une réclamation comme l'atelier (même modèle, mêmes seuils publiés, mêmes "
            "règles). / Scores a claim as the workbench does (same model, published "
            "thresholds and rules). Jeton : `Authorization: Bearer <jeton>`."
        ),
    )
    app.state.service = service
    app.add_middleware(ApiGuard, service=service, max_body_bytes=cfg.api.max_body_kb * 1024)
    bearer = [Security(HTTPBearer(auto_error=False, description="python -m core api-token"))]

    @app.post(
        "/predict",
        response_model=PredictOut,
        responses=_REFUSALS,
        dependencies=bearer,
        summary="Noter une réclamation / score one claim",
    )
    def predict(
        request: Request,
        body: claim,  # type: ignore[valid-type]
        explain: bool = Query(False, description="ajoute les 3 raisons / adds the 3 reasons"),
    ) -> JSONResponse:
        result, locale, warnings = _score(request, service, [body], explain)
        payload = {
            **_envelope(result, warnings),
            **prediction_body(result.predictions[0], 0, locale),
        }
        return JSONResponse(payload)

    @app.post(
        "/predict/batch",
        response_model=BatchOut,
        responses=_REFUSALS,
        dependencies=bearer,
        summary=f"Noter jusqu'à {cfg.api.max_batch} réclamations / score a small batch",
    )
    def predict_batch(
        request: Request,
        body: batch,  # type: ignore[valid-type]
        explain: bool = Query(False, description="ajoute les 3 raisons / adds the 3 reasons"),
    ) -> JSONResponse:
        result, locale, warnings = _score(request, service, body.claims, explain)
        predictions = [prediction_body(p, i, locale) for i, p in enumerate(result.predictions)]
        return JSONResponse({**_envelope(result, warnings), "predictions": predictions})

    @app.get("/health", response_model=HealthOut, summary="État du service / health")
    def health() -> JSONResponse:
        return _health(service)

    _add_handlers(app, service, cfg)
    return app


def _score(
    request: Request, service: ScoringService, claims: list, explain: bool
) -> tuple[ScoredRequest, str, list[FieldProblem]]:
    state = request.scope["state"]
    locale = locale_of(request.headers.get("accept-language"))
    checked = check_claims(claims, service.cfg, locale)
    state["claims"] = len(checked.frame)
    result = service.score(
        checked,
        caller=state["caller"],
        model_version=state.get("model_version"),
        request_id=state["request_id"],
        explain=explain,
    )
    return result, locale, list(checked.warnings)


def _envelope(result: ScoredRequest, warnings: list[FieldProblem]) -> dict[str, Any]:
    return {
        "request_id": result.request_id,
        "model_version": result.model_version,
        "thresholds": {
            "low": result.thresholds.low,
            "high": result.thresholds.high,
            "id": result.thresholds.id,
            "source": result.thresholds.source,
        },
        "warnings": [w.as_dict() for w in warnings],
        "replayed": result.replayed,
    }


def _health(service: ScoringService) -> JSONResponse:
    store_ok, schema, version, model_ok = False, None, None, False
    try:
        schema = service.store.schema_version
        store_ok = True
        version = service.stamp(None).model_version
        if version is not None:
            service.model(version)
            model_ok = True
    except WorkbenchError as exc:
        logger.warning("health: %s", exc)
    payload = {
        "status": "ok" if store_ok and model_ok else "unavailable",
        "model_loaded": model_ok,
        "model_version": version,
        "store_reachable": store_ok,
        "schema_version": schema,
        "version": API_VERSION,
    }
    return JSONResponse(payload, status_code=200 if store_ok and model_ok else 503)


def _add_handlers(app: FastAPI, service: ScoringService, cfg: Config) -> None:
    names = {c.name for c in cfg.schema.columns}

    def refuse(request: Request, status: int, problems: list[FieldProblem]) -> JSONResponse:
        state = request.scope.get("state", {})
        reason = "; ".join(f"{p.field}: {p.reason}" for p in problems)
        if request.url.path.startswith("/predict"):
            service.refuse(
                request_id=state.get("request_id", ""),
                caller=state.get("caller"),
                path=request.url.path,
                status=status,
                reason=reason,
                model_version=state.get("model_version"),
            )
        return JSONResponse({"detail": [p.as_dict() for p in problems]}, status_code=status)

    def locale(request: Request) -> str:
        return locale_of(request.headers.get("accept-language"))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return refuse(request, 422, problems_of(exc.errors(), cfg, names, locale(request)))

    @app.exception_handler(ClaimsRefusedError)
    def invalid_claims(request: Request, exc: ClaimsRefusedError) -> JSONResponse:
        return refuse(request, 422, list(exc.problems))

    @app.exception_handler(ModelNotFoundError)
    def no_model(request: Request, exc: ModelNotFoundError) -> JSONResponse:
        return refuse(request, 503, [FieldProblem("model", text("no_model", locale(request)))])

    @app.exception_handler(StoreBusyError)
    def busy(request: Request, exc: StoreBusyError) -> JSONResponse:
        logger.warning("busy: %s", exc)  # the store cannot record it either
        reason = text("busy", locale(request), detail=str(exc)[:300])
        return JSONResponse({"detail": [{"field": "store", "reason": reason}]}, status_code=503)

    @app.exception_handler(WorkbenchError)
    def workbench_error(request: Request, exc: WorkbenchError) -> JSONResponse:
        logger.error("request refused: %s", exc)
        return refuse(request, 503, [FieldProblem("service", str(exc))])

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "method"
        reason = text(code, locale(request), method=request.method)
        if exc.status_code not in (404, 405):
            reason = str(exc.detail)
        return JSONResponse(
            {"detail": [{"field": "path", "reason": reason}]}, status_code=exc.status_code
        )

    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> JSONResponse:
        request_id = request.scope.get("state", {}).get("request_id", "")
        logger.error("request %s failed", request_id, exc_info=exc)  # logged, never sent
        reason = text("internal", locale(request), request_id=request_id)
        return JSONResponse({"detail": [{"field": "service", "reason": reason}]}, status_code=500)
