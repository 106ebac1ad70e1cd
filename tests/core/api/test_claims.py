"""A claim as the API reads it: the profile's field names, and clean claims typed directly
exactly as the batch validation types them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.api.claims import check_claims, claim_model
from core.api.typing_fast import clean_frame
from core.config.loading import load_config
from core.ingest.reader import RawTable
from core.ingest.validate import validate
from core.synth.generator import generate_claims
from tests.core.api.conftest import CLAIM


def _validated(values: dict, cfg) -> pd.DataFrame:
    names = list(values)
    raw = RawTable("api", "json", "", 0, None, (), 0, tuple(names),
                   pd.DataFrame([list(values.values())], dtype=object), np.arange(1))  # fmt: skip
    return validate(raw, cfg.schema, cfg.limits).frame


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


def test_clean_claims_are_typed_as_the_batch_validation_types_them():
    cfg = load_config()
    columns = [c for c in cfg.schema.columns if c.role != "label"]
    names = [c.name for c in columns]
    raw, _ = generate_claims(300, seed=9, year=2025, drift=True, labelled=False)
    fast = 0
    for i, row in raw.iterrows():
        values = {n: _json(row).get(n) for n in names}
        if i % 3 == 0:
            values["Date Réclamation"] = row["Date Réclamation"].strftime("%Y-%m-%d")  # ISO
        if i == 7:
            values["Date Réclamation"] = "01/01/1970"  # the epoch is a date like any other
        if i % 5 == 0:
            values["Segment"] = None  # an expected field left empty
        if i % 4 == 0:  # numbers as a French CSV export writes them
            values["Montant demandé"] = f"{values['Montant demandé']}".replace(".", ",")
            values["Délai estimé"] = str(values["Délai estimé"])
        frame = clean_frame(values, columns, cfg.limits)
        if frame is None:
            continue
        fast += 1
        pd.testing.assert_frame_equal(frame, _validated(values, cfg))
    assert fast >= 250  # generated claims are clean: nearly all take the direct way


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Montant demandé", "1 234,56"),  # text: read the French way by the validation
        ("Montant demandé", 0),  # zero amount: a warning
        ("Montant demandé", -5),
        ("Délai estimé", 99999),  # out of range
        ("Famille Produit", "cartes"),  # another spelling of a level
        ("Famille Produit", "#N/A"),
        ("Date Réclamation", "2025/03/14"),
        ("Date Réclamation", "14/03/1900"),
        ("Famille Produit", None),  # required
    ],
)
def test_anything_unsure_goes_through_the_batch_validation(field, value):
    cfg = load_config()
    columns = [c for c in cfg.schema.columns if c.role != "label"]
    values = {c.name: CLAIM.get(c.name) for c in columns} | {field: value}
    values["Montant demandé"] = 1250.5 if field != "Montant demandé" else value
    assert clean_frame(values, columns, cfg.limits) is None


def test_the_claim_model_reads_every_alias_and_keeps_what_it_does_not_know():
    cfg = load_config()
    model = claim_model(cfg.schema)
    claim = model.model_validate({"MONTANT": 10, "product family": "Cartes", "Note": "x"})
    dumped = claim.model_dump(by_alias=True)
    assert dumped["Montant demandé"] == 10 and dumped["Famille Produit"] == "Cartes"
    assert claim.model_extra == {"Note": "x"}
    checked = check_claims([claim], cfg, "en")
    assert [w.field for w in checked.warnings] == ["Note"]
    assert checked.frame["amount"].tolist() == [10.0]


def test_a_header_shared_by_two_roles_is_one_field_as_in_a_file():
    from dataclasses import replace

    cfg = load_config()
    columns = tuple(
        replace(c, name="ID Réclamation", aliases=()) if c.role == "client_id" else c
        for c in cfg.schema.columns
    )
    cfg = replace(cfg, schema=replace(cfg.schema, columns=columns))
    model = claim_model(cfg.schema)
    claim = model.model_validate({k: v for k, v in CLAIM.items() if k != "ID Client"})
    checked = check_claims([claim], cfg, "fr")
    assert checked.frame[["id", "client_id"]].iloc[0].tolist() == ["API-0001", "API-0001"]
