"""API claims in the store: the yearly cap and the client history count them; tokens."""

from __future__ import annotations

import dataclasses

import pytest

from core.exceptions import PermissionDeniedError, WorkbenchError
from core.model.registry import InitialPair
from core.store.migrations import latest_version
from tests.core.api.conftest import CLAIM, Api, open_api
from tests.helpers import ADMIN, AUDITOR

ALL_VALIDATED = InitialPair(0.0, 0.0, "manual", "tout valider : test du plafond")


@pytest.fixture
def validating(cfg, tiny_model) -> Api:
    """An API whose pair validates every claim (only the rules move them)."""
    return open_api(cfg, tiny_model, ALL_VALIDATED)


def test_migration_6_creates_the_api_tables(api: Api):
    assert api.store.schema_version == latest_version() >= 6
    for table in ("api_tokens", "api_claims", "api_refusals"):
        assert api.count(f"SELECT count(*) FROM {table}") >= 0


def test_the_cap_counts_claims_scored_by_the_api(validating: Api):
    first = validating.client.post("/predict", json=CLAIM, headers=validating.auth).json()
    assert first["Decision_Code"] == 1
    counts = validating.store.auto_validation_counts(["0012345"], exclude_batch_id=None)
    assert counts.to_dict("records") == [{"client_id": "0012345", "year": 2025, "n": 1}]
    second = dict(CLAIM, **{"ID Réclamation": "API-0002", "Date Réclamation": "20/03/2025"})
    body = validating.client.post("/predict", json=second, headers=validating.auth).json()
    assert (body["Decision_Code_Modele"], body["Decision_Code"]) == (1, 0)
    # named as in the results file: the model's decision before the rules, the final after
    assert (body["Decision_Modele"], body["Decision_Finale"]) == ("Validation Auto", "Audit Humain")
    assert body["rule"] == "max_auto_validations"
    assert "1 déjà en 2025" in body["Motif_Regle"]
    other_year = dict(CLAIM, **{"ID Réclamation": "API-0003", "Date Réclamation": "02/01/2026"})
    third = validating.client.post("/predict", json=other_year, headers=validating.auth).json()
    assert third["Decision_Code"] == 1


def test_the_client_history_holds_the_claims_scored_by_the_api(api: Api):
    api.client.post("/predict", json=CLAIM, headers=api.auth)
    history = api.store.client_history(["0012345"], exclude_batch_id=None)
    assert history["id"].tolist() == ["API-0001"]
    assert history["batch_id"].isna().all() and history["amount"].tolist() == [1250.5]


def test_a_claim_already_scored_counts_as_history_for_the_next(api: Api):
    later = dict(CLAIM, **{"ID Réclamation": "API-0009", "Date Réclamation": "20/03/2025"})
    model = api.client.app.state.service.model(api.version)
    from core.api.fast import RowScorer

    scorer = RowScorer(model)
    api.client.post("/predict", json=CLAIM, headers=api.auth)
    history = api.store.client_history(["0012345"], exclude_batch_id=None)
    row = {
        "id": "API-0009",
        "client_id": "0012345",
        "date": __import__("pandas").Timestamp("2025-03-20"),
    }
    features = dict(zip(scorer.names, scorer.features(row, history), strict=True))
    assert features["prior_claims_year"] == 1 and features["days_since_prior_claim"] == 6
    assert api.client.post("/predict", json=later, headers=api.auth).status_code == 200


def test_tokens_are_created_and_revoked_by_admins_only(api: Api):
    with pytest.raises(PermissionDeniedError):
        api.store.create_api_token("erp", actor=AUDITOR)
    with pytest.raises(WorkbenchError, match="déjà un jeton actif"):
        api.store.create_api_token("crm", actor=ADMIN)
    with pytest.raises(WorkbenchError, match="invalide"):
        api.store.create_api_token("bad name!", actor=ADMIN)
    api.store.revoke_api_token("crm", actor=ADMIN, reason="fin du contrat")
    with pytest.raises(WorkbenchError, match="Aucun jeton actif"):
        api.store.revoke_api_token("crm", actor=ADMIN)
    renewed = api.store.create_api_token("crm", actor=ADMIN)
    assert renewed != api.token
    assert api.store.api_stamp(renewed).caller == "crm"
    assert api.store.api_stamp(api.token).caller is None
    actions = api.count(
        "SELECT count(*) FROM audit_log WHERE action IN ('api.token_created', 'api.token_revoked')"
    )
    assert actions == 3  # created (fixture), revoked, renewed


def test_a_new_pair_or_a_new_active_model_applies_from_the_next_request(api: Api, tiny_model):
    from core.model.registry import Registry

    first = api.client.post("/predict", json=CLAIM, headers=api.auth).json()
    api.store.publish_thresholds(
        api.version, 0.0, 0.0, source="manual", actor=ADMIN, reason="tout valider"
    )
    claim = dict(CLAIM, **{"ID Réclamation": "API-0002"})  # another claim (not a retry)
    second = api.client.post("/predict", json=claim, headers=api.auth).json()
    assert (second["thresholds"]["low"], second["thresholds"]["high"]) == (0.0, 0.0)
    assert second["thresholds"]["id"] != first["thresholds"]["id"]
    assert second["Decision_Code_Modele"] == 1
    registry = Registry(api.cfg.paths.models_dir, api.store)
    other = dataclasses.replace(tiny_model, metadata={**tiny_model.metadata, "note": "second"})
    newer = registry.register(other, actor=ADMIN, activate=True).version
    claim = dict(CLAIM, **{"ID Réclamation": "API-0003"})
    third = api.client.post("/predict", json=claim, headers=api.auth).json()
    assert third["model_version"] == newer != api.version


def test_a_retry_gets_the_recorded_outcome_and_is_not_counted_twice(validating: Api):
    auth = validating.auth
    first = validating.client.post("/predict", json=CLAIM, headers=auth).json()
    again = validating.client.post("/predict?explain=true", json=CLAIM, headers=auth).json()
    assert first["Decision_Code"] == again["Decision_Code"] == 1  # not moved by the cap
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["Probabilite_Fondee"] == first["Probabilite_Fondee"]
    assert again["thresholds"] == first["thresholds"] and len(again["reasons"]) == 3
    assert validating.count("SELECT count(*) FROM api_claims") == 1
    assert validating.count("SELECT count(*) FROM audit_log WHERE action = 'api.replayed'") == 1
    corrected = dict(CLAIM, **{"Montant demandé": 990})  # same ID, other values: a new claim
    third = validating.client.post("/predict", json=corrected, headers=auth).json()
    assert third["replayed"] is False and third["rule"] == "max_auto_validations"
