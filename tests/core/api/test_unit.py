"""One claim's unit (core.store.api_unit): what it reads equals what the batch path reads.

The store holds two scored batches of 2025 claims sharing their clients — the first one
re-decided with another pair, so its latest scoring is not its first — and claims scored by
the API. For claims of those clients, the unit's one read must give the features of the
vectorised path over :meth:`Store.client_history` and the yearly cap's count of
:meth:`Store.auto_validation_counts`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.api.fast import RowScorer
from core.config.loading import load_config
from core.config.settings import Config
from core.ingest.pipeline import ingest
from core.model.registry import InitialPair, Registry
from core.model.training_data import keyed_frame
from core.scoring.batch import redecide, score_batch
from core.store.api_unit import ApiClaimUnits
from core.store.audit import verify_chain
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.core.api.conftest import CLAIM, Api, open_api
from tests.helpers import ADMIN

PAIR = InitialPair(0.2, 0.5, "manual", "trois décisions : test de l'unité d'une réclamation")


def _batch(cfg: Config, api: Api, path: Path, frame: pd.DataFrame) -> int:
    write_claims_xlsx(frame, path)
    batch = ingest(path, cfg, api.store, actor=ADMIN).batch_id
    assert batch is not None
    score_batch(batch, api.store, Registry(cfg.paths.models_dir, api.store), cfg, actor=ADMIN)
    return batch


@pytest.fixture(scope="module")
def stored(tmp_path_factory, tiny_model) -> tuple[Api, pd.DataFrame]:
    """The store described in the module docstring, and new claims of the same clients."""
    folder = tmp_path_factory.mktemp("unit")
    base = load_config()
    paths = replace(
        base.paths,
        data_dir=folder,
        database=folder / "workbench.duckdb",
        models_dir=folder / "models",
    )
    cfg = replace(base, paths=paths)
    api = open_api(cfg, tiny_model, PAIR)
    first, _ = generate_claims(300, seed=21, year=2025)
    clients = first["ID Client"].to_numpy()[:60]  # 60 clients, each in several claims
    rng = np.random.default_rng(21)
    first["ID Client"] = rng.choice(clients, size=len(first))
    second, _ = generate_claims(200, seed=22, year=2025, labelled=False, id_start=2001)
    second["ID Client"] = rng.choice(clients, size=len(second))
    batch = _batch(cfg, api, folder / "premier.xlsx", first)
    redecide(batch, 0.0, 0.3, api.store, cfg, save=True, actor=ADMIN, reason="autre paire")
    _batch(cfg, api, folder / "second.xlsx", second)
    for i, client in enumerate(clients[:20]):  # some of their claims scored by the API
        claim = dict(CLAIM, **{"ID Réclamation": f"API-{i}", "ID Client": str(client)})
        assert api.client.post("/predict", json=claim, headers=api.auth).status_code == 200
    new, _ = generate_claims(150, seed=23, year=2025, labelled=False, id_start=9001)
    new["ID Client"] = rng.choice(np.append(clients, "9999999"), size=len(new))  # one unknown
    return api, keyed_frame(new, cfg.schema)


def test_one_read_gives_the_history_features_and_the_cap_of_the_batch_path(stored, tiny_model):
    api, new = stored
    units, scorer = ApiClaimUnits(api.store), RowScorer(tiny_model)
    version = api.version
    checked = with_history = 0
    for i in range(len(new)):
        one = new.iloc[[i]].reset_index(drop=True)
        columns = {c: one[c].to_numpy() for c in one.columns}
        with units.open(columns, caller="crm", model_version=version, action="test") as unit:
            claims = unit.context.client
        client = str(one["client_id"].iloc[0])
        history = api.store.client_history([client], exclude_batch_id=None)
        row = one.iloc[0].to_dict()
        want = tiny_model.transform(one, history).to_numpy(float)[0]
        got = scorer.features(row, claims)
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
        year = int(one["date"].iloc[0].year)
        counts = api.store.auto_validation_counts([client], exclude_batch_id=None)
        expected = int(counts.loc[counts["year"] == year, "n"].sum())
        assert claims.validations_in(year) == expected, client
        checked += 1
        with_history += len(claims) > 0
    assert checked == len(new) and with_history >= len(new) * 0.9
    # The history and the cap really held something: earlier claims and validations.
    prior = [dict(zip(scorer.names, scorer.features(r, None), strict=True)) for r in [new.iloc[0]]]
    assert prior[0]["prior_claims_total"] == 0
    counts = api.store.auto_validation_counts(new["client_id"], exclude_batch_id=None)
    assert counts["n"].sum() > 20


def test_the_latest_scoring_of_a_batch_is_the_one_the_cap_counts(stored):
    api, new = stored
    units = ApiClaimUnits(api.store)
    client = str(new["client_id"].iloc[0])
    columns = {c: new.iloc[[0]][c].to_numpy() for c in new.columns}
    with units.open(columns, caller="crm", model_version=api.version, action="test") as unit:
        validated = int(unit.context.client.validated.sum())
    # the first batch re-decided with (0, 0.3): its latest scoring validates far more claims
    with api.store.cursor() as cur:
        (latest,) = cur.execute(
            """SELECT count(*) FROM scores s JOIN claims c USING (batch_id, row_number)
               WHERE c.client_id = ? AND s.decision = 1 AND s.scored_at =
                   (SELECT max(scored_at) FROM scores WHERE batch_id = s.batch_id)""",
            [client],
        ).fetchone()
        (api_validated,) = cur.execute(
            "SELECT count(*) FROM api_claims WHERE client_id = ? AND decision = 1", [client]
        ).fetchone()
    assert validated == latest + api_validated


def test_the_pair_is_read_again_only_when_the_trail_moved(api: Api):
    units = api.client.app.state.service.units
    for i in range(3):
        claim = dict(CLAIM, **{"ID Réclamation": f"API-P{i}"})
        assert api.client.post("/predict", json=claim, headers=api.auth).status_code == 200
    assert units.reads == {"pair": 1, "anchor": 1}  # this process's own rows moved nothing
    # Another store on the file (as another process would) publishes a pair: the next
    # request reads it, since the head is no longer the one this process wrote.
    from core.store.database import Store

    other = Store(api.cfg.paths.database, anchor=api.cfg.paths.audit_anchor)
    other.publish_thresholds(api.version, 0.0, 0.0, source="manual", actor=ADMIN, reason="tout")
    claim = dict(CLAIM, **{"ID Réclamation": "API-P9"})
    body = api.client.post("/predict", json=claim, headers=api.auth).json()
    assert (body["thresholds"]["low"], body["thresholds"]["high"]) == (0.0, 0.0)
    assert body["Decision_Code_Modele"] == 1
    assert units.reads == {"pair": 2, "anchor": 2}


def test_the_trail_and_its_anchor_stay_verifiable(api: Api):
    auth = api.auth
    for i in range(4):
        claim = dict(CLAIM, **{"ID Réclamation": f"API-V{i}"})
        assert api.client.post("/predict", json=claim, headers=auth).status_code == 200
    api.client.post("/predict", json=dict(CLAIM, **{"ID Réclamation": "API-V0"}), headers=auth)
    api.client.post("/predict", json={"Montant demandé": "beaucoup"}, headers=auth)  # 422
    api.client.post("/predict", json=CLAIM, headers={"Authorization": "Bearer faux"})  # 401
    claim = dict(CLAIM, **{"ID Réclamation": "API-V9"})
    assert api.client.post("/predict", json=claim, headers=auth).status_code == 200
    with api.store.cursor() as cur:
        check = verify_chain(cur, api.store.anchor_path)
        rows = cur.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
    actions = [r[0] for r in rows]
    assert check.ok, check.problems
    assert actions[-8:] == ["api.predict"] * 4 + [
        "api.replayed",
        "api.refused",
        "api.refused",
        "api.predict",
    ]
