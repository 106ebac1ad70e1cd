"""The HTTP service through FastAPI's TestClient: scoring, refusals, records, docs."""

from __future__ import annotations

import json

import pytest

from core.api.service import ScoringService
from core.ingest.texts import _text
from core.store.audit import verify_chain
from tests.core.api.conftest import CLAIM, Api


def test_a_claim_is_scored_with_the_active_model_and_its_published_pair(api: Api):
    response = api.client.post("/predict", json=CLAIM, headers=api.auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == api.version
    record = api.store.active_thresholds(api.version)
    assert record is not None
    assert body["thresholds"] == {
        "low": record.low,
        "high": record.high,
        "id": record.id,
        "source": record.source,
    }
    assert 0 <= body["Probabilite_Fondee"] <= 1
    assert body["Decision_Code"] in (-1, 0, 1)
    assert body["Decision_Modele"] in ("Rejet Auto", "Audit Humain", "Validation Auto")
    assert body["claim_id"] == "API-0001"
    assert "reasons" not in body
    assert response.headers["x-request-id"] == body["request_id"]


def test_explain_adds_three_plain_language_reasons_in_the_callers_language(api: Api):
    fr = api.client.post("/predict?explain=true", json=CLAIM, headers=api.auth).json()
    en = api.client.post(
        "/predict?explain=true", json=CLAIM, headers={**api.auth, "Accept-Language": "en-GB,en"}
    ).json()
    assert len(fr["reasons"]) == 3 and len(en["reasons"]) == 3
    assert fr["reasons"] != en["reasons"]
    assert all(isinstance(r, str) and r for r in fr["reasons"] + en["reasons"])


def test_english_and_normalised_field_names_are_accepted(api: Api):
    english = {
        "claim id": "API-0002",
        "client id": "0012345",
        "claim date": "2025-03-15",
        "AMOUNT": 800,
        "product_family": "Cartes",
        "category": "Opérations par carte",
        "sub-category": "Double débit carte",
    }
    response = api.client.post("/predict", json=english, headers=api.auth)
    assert response.status_code == 200, response.text
    assert response.json()["claim_id"] == "API-0002"
    assert response.json()["warnings"] == []


def test_no_token_unknown_token_and_revoked_token_get_401_and_are_recorded(api: Api):
    assert api.client.post("/predict", json=CLAIM).status_code == 401
    bad = {"Authorization": "Bearer wbk_not-a-token"}
    response = api.client.post("/predict", json=CLAIM, headers=bad)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "révoqué" in response.json()["detail"][0]["reason"]
    from tests.helpers import ADMIN

    api.store.revoke_api_token("crm", actor=ADMIN)
    assert api.client.post("/predict", json=CLAIM, headers=api.auth).status_code == 401
    assert api.count("SELECT count(*) FROM api_refusals WHERE status = 401") == 3
    assert api.count("SELECT count(*) FROM audit_log WHERE action = 'api.refused'") == 3
    assert api.count("SELECT count(*) FROM api_claims") == 0


def test_bad_fields_get_a_422_naming_each_field_with_the_batch_reports_reasons(api: Api):
    bad = {**CLAIM, "Montant demandé": "-12", "Date Réclamation": "32/13/2025"}
    del bad["Famille Produit"]
    response = api.client.post("/predict", json=bad, headers=api.auth)
    assert response.status_code == 422
    problems = {p["field"]: p["reason"] for p in response.json()["detail"]}
    assert set(problems) == {"Montant demandé", "Date Réclamation", "Famille Produit"}
    fr_amount, _ = _text("negative_amount", value="-12")
    assert problems["Montant demandé"] == fr_amount[:1].upper() + fr_amount[1:]
    assert problems["Date Réclamation"].startswith("« 32/13/2025 » n'est pas une date lisible")
    assert problems["Famille Produit"].startswith("Colonne obligatoire « Famille Produit »")
    assert "ligne" not in problems["Famille Produit"]  # no header row in a request
    english = api.client.post("/predict", json=bad, headers={**api.auth, "Accept-Language": "en"})
    _, en_amount = _text("negative_amount", value="-12")
    reasons = {p["field"]: p["reason"] for p in english.json()["detail"]}
    assert reasons["Montant demandé"] == en_amount[:1].upper() + en_amount[1:]
    assert api.count("SELECT count(*) FROM api_refusals WHERE status = 422") == 2
    assert api.count("SELECT count(*) FROM api_claims") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CLAIM, "Montant demandé": {"value": 3}}, "Montant demandé"),
        ({**CLAIM, "montant": 10}, "Montant demandé"),  # the same field twice
        ([CLAIM], "body"),
    ],
)
def test_a_body_of_the_wrong_shape_gets_a_422_naming_the_field(api: Api, body, field):
    response = api.client.post("/predict", json=body, headers=api.auth)
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [field]


def test_invalid_json_gets_a_422_not_a_traceback(api: Api):
    response = api.client.post(
        "/predict", content=b'{"Montant', headers={**api.auth, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"][0]["reason"]


def test_unknown_fields_and_the_label_are_ignored_with_a_warning(api: Api):
    body = {**CLAIM, "Commentaire": "urgent", "Fondée": "Oui"}
    response = api.client.post("/predict", json=body, headers=api.auth)
    assert response.status_code == 200
    assert {w["field"] for w in response.json()["warnings"]} == {"Commentaire", "Fondée"}


def test_a_body_over_the_limit_gets_413_before_it_is_read(api: Api):
    big = b"x" * (api.cfg.api.max_body_kb * 1024 + 1)
    response = api.client.post("/predict", content=big, headers=api.auth)
    assert response.status_code == 413
    assert "1.0 MB" in response.json()["detail"][0]["reason"]

    def chunks():  # no Content-Length: counted while read
        for _ in range(3):
            yield b"y" * (512 * 1024)

    chunked = api.client.post("/predict/batch", content=chunks(), headers=api.auth)
    assert chunked.status_code == 413
    assert api.count("SELECT count(*) FROM api_refusals WHERE status = 413") == 2


def test_no_token_and_a_big_body_gets_401_first(api: Api):
    assert api.client.post("/predict", content=b"x" * (3 * 1024 * 1024)).status_code == 401


def test_a_batch_over_the_configured_size_gets_a_422(api: Api):
    claims = [dict(CLAIM, **{"ID Réclamation": f"B-{i}"}) for i in range(api.cfg.api.max_batch + 1)]
    response = api.client.post("/predict/batch", json={"claims": claims}, headers=api.auth)
    assert response.status_code in (413, 422)
    small = api.client.post("/predict/batch", json={"claims": claims[:3]}, headers=api.auth)
    assert small.status_code == 200
    assert [p["claim"] for p in small.json()["predictions"]] == [0, 1, 2]


def test_an_internal_error_never_returns_a_traceback(api: Api, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(ScoringService, "score", broken)
    from fastapi.testclient import TestClient

    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.post("/predict", json=CLAIM, headers=api.auth)
    assert response.status_code == 500
    text = response.text
    assert "Traceback" not in text and "secret internal detail" not in text
    assert response.json()["detail"][0]["reason"].startswith("Erreur interne")


def test_every_scored_claim_is_recorded_with_caller_model_and_decision(api: Api):
    claims = [dict(CLAIM, **{"ID Réclamation": f"R-{i}"}) for i in range(4)]
    body = api.client.post("/predict/batch", json={"claims": claims}, headers=api.auth).json()
    with api.store.cursor() as cur:
        rows = cur.execute(
            "SELECT claim_id, caller, model_version, decision, request_id FROM api_claims "
            "ORDER BY position"
        ).fetchall()
        audit_rows = cur.execute(
            "SELECT actor, actor_role, detail FROM audit_log WHERE action = 'api.predict'"
        ).fetchall()
        check = verify_chain(cur, api.store.anchor_path)
    assert [r[0] for r in rows] == ["R-0", "R-1", "R-2", "R-3"]
    assert {r[1] for r in rows} == {"crm"} and {r[2] for r in rows} == {api.version}
    assert [r[3] for r in rows] == [p["Decision_Code"] for p in body["predictions"]]
    assert {r[4] for r in rows} == {body["request_id"]}
    assert [(a, r) for a, r, _ in audit_rows] == [("api:crm", "auditor")]
    assert json.loads(audit_rows[0][2])["claims"] == 4
    assert check.ok, check.problems


def test_the_token_is_stored_hashed_never_in_clear(api: Api):
    with api.store.cursor() as cur:
        stored = cur.execute("SELECT token_sha256 FROM api_tokens").fetchall()
        trail = cur.execute("SELECT detail FROM audit_log").fetchall()
    assert stored and api.token not in str(stored) and api.token not in str(trail)


def test_health_says_model_store_and_version_and_docs_are_served(api: Api):
    health = api.client.get("/health")
    assert health.status_code == 200
    assert health.json() | {"schema_version": 0} == {
        "status": "ok",
        "model_loaded": True,
        "model_version": api.version,
        "store_reachable": True,
        "schema_version": 0,
        "version": "1.0",
    }
    assert api.client.get("/docs").status_code == 200
    schema = api.client.get("/openapi.json").json()
    claim = schema["components"]["schemas"]["Claim"]
    assert "Montant demandé" in claim["properties"]
    assert {"Montant demandé", "Famille Produit"} <= set(claim["required"])
    assert "/predict/batch" in schema["paths"]


def test_health_is_unavailable_without_an_active_model(cfg):
    from fastapi.testclient import TestClient

    from core.api.app import create_app
    from core.store.database import Store

    store = Store(cfg.paths.database)
    client = TestClient(create_app(cfg, store))
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["model_loaded"] is False
    token = store.create_api_token("crm", actor=__import__("tests.helpers").helpers.ADMIN)
    refused = client.post("/predict", json=CLAIM, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 503
    assert "modèle actif" in refused.json()["detail"][0]["reason"]


def test_unknown_paths_answer_json(api: Api):
    response = api.client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["detail"][0]["field"] == "path"
