"""The API decides each claim as batch scoring does, with the same model, pair and history."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config.settings import Config
from core.ingest.pipeline import ingest
from core.model.registry import InitialPair, Registry
from core.scoring.batch import score_batch
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.core.api.conftest import open_api
from tests.helpers import ADMIN

PAIR = InitialPair(0.2, 0.5, "manual", "trois décisions et le plafond : test d'égalité")


def _config(cfg: Config, root: Path) -> Config:
    root.mkdir()
    paths = replace(
        cfg.paths, data_dir=root, database=root / "workbench.duckdb", models_dir=root / "models"
    )
    return replace(cfg, paths=paths)


def _files(folder: Path) -> tuple[Path, pd.DataFrame]:
    """A history batch and a new batch of 2025 claims sharing their clients."""
    history, _ = generate_claims(400, seed=7, year=2025, labelled=False)
    new, _ = generate_claims(150, seed=7, year=2025, labelled=False, id_start=5001)
    pnb = new["PNB analytique (vision commerciale) cumulé"].to_numpy(dtype=float).copy()
    pnb[::9] = 50.0  # some claims above the client's PNB: the other rule
    new["PNB analytique (vision commerciale) cumulé"] = pnb
    write_claims_xlsx(history, folder / "historique.xlsx")
    write_claims_xlsx(new, folder / "nouveau.xlsx")
    return folder / "historique.xlsx", new


def _with_history(cfg: Config, model, history: Path) -> Store:
    store = Store(cfg.paths.database)
    Registry(cfg.paths.models_dir, store).register(
        model, actor=ADMIN, activate=True, initial_pair=PAIR
    )
    batch = ingest(history, cfg, store, actor=ADMIN).batch_id
    assert batch is not None
    score_batch(batch, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
    return store


def _json(row: pd.Series) -> dict:
    out = {}
    for name, value in row.items():
        if isinstance(value, pd.Timestamp):
            out[name] = value.strftime("%d/%m/%Y")
        elif pd.isna(value):
            out[name] = None
        else:
            out[name] = value.item() if isinstance(value, np.generic) else value
    return out


@pytest.mark.slow
def test_the_api_decides_every_claim_as_batch_scoring_does(cfg, tiny_model, tmp_path):
    history, new = _files(tmp_path)
    # Batch scoring in one store ...
    cfg_a = _config(cfg, tmp_path / "batch")
    store_a = _with_history(cfg_a, tiny_model, history)
    write_claims_xlsx(new, tmp_path / "nouveau_a.xlsx")
    batch = ingest(tmp_path / "nouveau_a.xlsx", cfg_a, store_a, actor=ADMIN).batch_id
    registry = Registry(cfg_a.paths.models_dir, store_a)
    expected = score_batch(batch, store_a, registry, cfg_a, actor=ADMIN).frame
    # ... the API, one claim at a time in date order, in another store with the same history.
    cfg_b = _config(cfg, tmp_path / "api")
    store_b = _with_history(cfg_b, tiny_model, history)
    api = open_api(cfg_b, None, store=store_b)
    got = []
    for _, row in new.iterrows():
        response = api.client.post("/predict", json=_json(row), headers=api.auth)
        assert response.status_code == 200, response.text
        got.append(response.json())
    assert [g["claim_id"] for g in got] == expected["id"].tolist()
    codes = np.array([g["Decision_Code"] for g in got])
    np.testing.assert_array_equal(codes, expected["decision"].to_numpy())
    np.testing.assert_array_equal(
        [g["Decision_Code_Modele"] for g in got], expected["decision_model"].to_numpy()
    )
    np.testing.assert_allclose(
        [g["Probabilite_Fondee"] for g in got], expected["probability"], rtol=1e-12
    )
    assert [g["rule"] for g in got] == [str(r or "") for r in expected["rule_flags"]]
    # Both rules and all three decisions were exercised.
    assert set(codes) == {-1, 0, 1}
    assert {g["rule"] for g in got} >= {"amount_above_pnb", "max_auto_validations"}
    # ... and the same claims sent as one /predict/batch request, in a third store.
    cfg_c = _config(cfg, tmp_path / "api_batch")
    store_c = _with_history(cfg_c, tiny_model, history)
    api_c = open_api(cfg_c, None, store=store_c)
    claims = [_json(row) for _, row in new.iterrows()]
    response = api_c.client.post("/predict/batch", json={"claims": claims}, headers=api_c.auth)
    assert response.status_code == 200, response.text
    batch_codes = [p["Decision_Code"] for p in response.json()["predictions"]]
    np.testing.assert_array_equal(batch_codes, expected["decision"].to_numpy())
