"""A store with a tiny active model and an API token, and a TestClient over the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from core.api.app import create_app
from core.config.loading import load_config
from core.config.settings import Config
from core.model.registry import InitialPair, Registry
from core.model.trained import TrainedModel
from core.store.database import Store
from tests.helpers import ADMIN, train_tiny_model


@pytest.fixture(scope="package")
def tiny_model() -> TrainedModel:
    return train_tiny_model(load_config())[0]


@dataclass
class Api:
    cfg: Config
    store: Store
    client: TestClient
    token: str
    version: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def count(self, sql: str, params: list | None = None) -> int:
        with self.store.cursor() as cur:
            return int(cur.execute(sql, params or []).fetchone()[0])


def open_api(
    cfg: Config,
    model: TrainedModel | None,
    pair: InitialPair | None = None,
    *,
    store: Store | None = None,
) -> Api:
    """An API over ``store`` (default: a new one), with ``model`` registered and active
    (None: the store's active model) and a token for the calling system « crm »."""
    store = store or Store(cfg.paths.database, anchor=cfg.paths.audit_anchor)
    registry = Registry(cfg.paths.models_dir, store)
    if model is not None:
        registry.register(model, actor=ADMIN, activate=True, initial_pair=pair)
    active = registry.active()
    assert active is not None
    token = store.create_api_token("crm", actor=ADMIN)
    return Api(cfg, store, TestClient(create_app(cfg, store)), token, active.version)


@pytest.fixture
def api(cfg: Config, tiny_model: TrainedModel) -> Iterator[Api]:
    yield open_api(cfg, tiny_model)


CLAIM = {
    "ID Réclamation": "API-0001",
    "ID Client": "0012345",
    "Date Réclamation": "14/03/2025",
    "Montant demandé": "1 250,50",
    "Famille Produit": "Cartes",
    "Catégorie": "Opérations par carte",
    "Sous-catégorie": "Double débit carte",
    "Délai estimé": 12,
    "Segment": "Particuliers",
    "Marché": "Particuliers",
    "anciennete_annees": 4.5,
    "PNB analytique (vision commerciale) cumulé": 30000,
}
