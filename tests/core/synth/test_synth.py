"""Tests of the demo data generator (core/synth.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from sklearn.metrics import roc_auc_score

from core.config.loading import load_config
from core.synth.generator import (
    COLUMNS,
    SynthResult,
    _true_probability,
    generate_claims,
    generate_demo,
)
from core.synth.names import HIERARCHY, NEW_SUBCATEGORY_2025, SEGMENTS, SUBCATEGORIES

AMOUNT = "Montant demandé"
PNB = "PNB analytique (vision commerciale) cumulé"
SUB = "Sous-catégorie"


@pytest.fixture(scope="module")
def year_2024() -> tuple[pd.DataFrame, np.ndarray]:
    return generate_claims(33_000, seed=42, year=2024)


@pytest.fixture(scope="module")
def year_2025() -> tuple[pd.DataFrame, np.ndarray]:
    return generate_claims(8_000, seed=42, year=2025, drift=True)


def _subcategories() -> set[str]:
    return {s for cats in HIERARCHY.values() for subs in cats.values() for s in subs}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_claims() -> None:
    a, pa = generate_claims(500, seed=7, year=2024)
    b, pb = generate_claims(500, seed=7, year=2024)
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_array_equal(pa, pb)


def test_different_seed_gives_different_claims() -> None:
    a, _ = generate_claims(500, seed=7, year=2024)
    b, _ = generate_claims(500, seed=8, year=2024)
    assert not a[AMOUNT].equals(b[AMOUNT])
    assert not a["ID Client"].equals(b["ID Client"])


# --------------------------------------------------------------------------- shape


def test_columns_are_the_reference_headers_in_order() -> None:
    labelled, _ = generate_claims(200, seed=1, year=2024)
    unlabelled, p = generate_claims(200, seed=1, year=2024, labelled=False)
    assert tuple(labelled.columns) == COLUMNS
    assert tuple(unlabelled.columns) == COLUMNS[:-1]
    assert len(p) == len(unlabelled) == 200
    assert set(labelled["Fondée"].unique()) <= {0, 1}


def test_ids_dates_and_order(year_2025: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, _ = year_2025
    assert frame["ID Réclamation"].iloc[0] == "REC-2025-000001"
    assert frame["ID Réclamation"].is_unique
    assert frame["ID Client"].str.fullmatch(r"\d{7}").all()
    dates = frame["Date Réclamation"]
    assert dates.dt.year.eq(2025).all()
    assert dates.is_monotonic_increasing  # sorted by date, then by ID
    assert frame["Délai estimé"].between(1, 180).all()
    assert (frame[AMOUNT].round(2) == frame[AMOUNT]).all()
    batch, _ = generate_claims(50, seed=42, year=2025, drift=True, id_start=8_001)
    assert batch["ID Réclamation"].iloc[0] == "REC-2025-008001"


def test_a_client_keeps_the_same_attributes(year_2024: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, _ = year_2024
    per_client = frame.groupby("ID Client")[["Segment", "Marché", "anciennete_annees", PNB]]
    assert (per_client.nunique() == 1).all().all()


def test_market_is_consistent_with_segment(year_2024: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, _ = year_2024
    pairs = set(zip(frame["Segment"], frame["Marché"], strict=True))
    allowed = {(s.name, m) for s in SEGMENTS for m, _ in s.markets}
    assert pairs <= allowed


# --------------------------------------------------------------------------- hierarchy


def test_hierarchy_has_4_families_12_categories_47_subcategories() -> None:
    assert list(HIERARCHY) == list(load_config().schema.by_role("family").levels)
    assert sum(len(cats) for cats in HIERARCHY.values()) == 12
    assert all(len(cats) == 3 for cats in HIERARCHY.values())
    all_subs = [s for cats in HIERARCHY.values() for subs in cats.values() for s in subs]
    assert len(all_subs) == len(set(all_subs)) == 47  # each under exactly one category
    categories = [c for cats in HIERARCHY.values() for c in cats]
    assert len(categories) == len(set(categories))


def test_frame_follows_the_hierarchy(year_2025: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, _ = year_2025
    tree = {s.name: (s.family, s.category) for s in (*SUBCATEGORIES, NEW_SUBCATEGORY_2025)}
    triples = frame[["Famille Produit", "Catégorie", SUB]].drop_duplicates()
    for family, category, sub in triples.itertuples(index=False):
        assert tree[sub] == (family, category)


def test_2024_uses_exactly_the_47_subcategories(
    year_2024: tuple[pd.DataFrame, np.ndarray],
) -> None:
    assert set(year_2024[0][SUB]) == _subcategories()


def test_2025_has_exactly_one_new_subcategory(
    year_2025: tuple[pd.DataFrame, np.ndarray],
) -> None:
    frame, _ = year_2025
    new = set(frame[SUB]) - _subcategories()
    assert new == {NEW_SUBCATEGORY_2025.name}
    assert 0.01 <= (frame[SUB] == NEW_SUBCATEGORY_2025.name).mean() <= 0.08
    family_effects = [p.effect for p in SUBCATEGORIES if p.category == "Opérations par carte"]
    assert min(family_effects) < NEW_SUBCATEGORY_2025.effect < max(family_effects)


# --------------------------------------------------------------------------- realism


def test_justified_rate_and_spread_by_subcategory(
    year_2024: tuple[pd.DataFrame, np.ndarray],
) -> None:
    frame, _ = year_2024
    assert 0.30 <= frame["Fondée"].mean() <= 0.40
    by_sub = frame.groupby(SUB)["Fondée"].agg(["mean", "size"])
    rates = by_sub.loc[by_sub["size"] >= 100, "mean"]
    assert rates.max() - rates.min() >= 0.6


def test_about_40_percent_of_clients_are_repeat_claimants(
    year_2024: tuple[pd.DataFrame, np.ndarray],
) -> None:
    claims_per_client = year_2024[0]["ID Client"].value_counts()
    assert 0.30 <= (claims_per_client > 1).mean() <= 0.50


@pytest.mark.parametrize("fixture", ["year_2024", "year_2025"])
def test_p_true_is_informative_but_not_perfect(fixture: str, request: pytest.FixtureRequest):
    frame, p_true = request.getfixturevalue(fixture)
    assert 0.83 <= roc_auc_score(frame["Fondée"], p_true) <= 0.92
    assert abs(p_true.mean() - frame["Fondée"].mean()) < 0.02  # labels drawn from p_true


@pytest.mark.parametrize("fixture", ["year_2024", "year_2025"])
def test_some_claims_exceed_the_client_pnb(fixture: str, request: pytest.FixtureRequest):
    frame, _ = request.getfixturevalue(fixture)
    assert 0.03 <= (frame[AMOUNT] > frame[PNB]).mean() <= 0.15


def test_amounts_span_the_subcategory_medians(
    year_2024: tuple[pd.DataFrame, np.ndarray],
) -> None:
    medians = year_2024[0].groupby(SUB)[AMOUNT].median()
    assert medians.min() < 200
    assert medians.max() > 30_000


def test_p_true_uses_only_what_is_known_when_the_claim_arrives(
    year_2025: tuple[pd.DataFrame, np.ndarray],
) -> None:
    """Rebuild p_true from the columns and the client's earlier claims of the year."""
    frame, p_true = year_2025
    profiles = (*SUBCATEGORIES, NEW_SUBCATEGORY_2025)
    sub = frame[SUB].map({p.name: i for i, p in enumerate(profiles)}).to_numpy()
    segment = frame["Segment"].map({s.name: i for i, s in enumerate(SEGMENTS)}).to_numpy()
    ordered = frame.sort_values(["Date Réclamation", "ID Réclamation"])
    prior = ordered.groupby("ID Client").cumcount().reindex(frame.index).to_numpy()
    rebuilt = _true_probability(
        sub,
        segment,
        frame[AMOUNT].to_numpy(),
        prior,
        frame["anciennete_annees"].to_numpy(),
        profiles,
    )
    np.testing.assert_allclose(rebuilt, p_true, rtol=1e-12)


def test_2025_drift(
    year_2024: tuple[pd.DataFrame, np.ndarray], year_2025: tuple[pd.DataFrame, np.ndarray]
) -> None:
    old, new = year_2024[0], year_2025[0]
    assert 1.10 <= new[AMOUNT].median() / old[AMOUNT].median() <= 1.20
    premium_old = (old["Segment"] == "Premium").mean()
    premium_new = (new["Segment"] == "Premium").mean()
    assert premium_new >= 1.6 * premium_old
    shift = new["Segment"].value_counts(normalize=True) - old["Segment"].value_counts(
        normalize=True
    )
    assert shift.abs().sum() / 2 >= 0.08  # total variation distance of the segment mix


def test_rejects_an_impossible_size() -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_claims(0, seed=1, year=2024)
    with pytest.raises(ValueError, match="n must be"):
        generate_claims(1_000_000, seed=1, year=2024)


# --------------------------------------------------------------------------- files


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=";",
        decimal=",",
        encoding="utf-8",
        dtype={"ID Réclamation": str, "ID Client": str},
    )


@pytest.mark.slow
def test_generate_demo_writes_consistent_deterministic_files(tmp_path: Path) -> None:
    result = generate_demo(tmp_path / "a", seed=42)
    assert isinstance(result, SynthResult)
    assert result.rows == {"claims_2024": 33_000, "claims_2025": 8_000, "batch_nouvelles": 2_000}
    assert all(f.is_file() for f in result.files)
    names = {f.name for f in result.files}
    assert {"claims_2024.truth.csv", "claims_2025.truth.csv"} <= names
    assert "batch_nouvelles.truth.csv" not in names

    csvs = {stem: _read_csv(result.out_dir / f"{stem}.csv") for stem in result.rows}
    for stem, frame in csvs.items():
        assert len(frame) == result.rows[stem]
        assert ("Fondée" in frame.columns) == (stem != "batch_nouvelles")
        assert frame["ID Client"].str.fullmatch(r"\d{7}").all()
    all_ids = pd.concat([f["ID Réclamation"] for f in csvs.values()])
    assert all_ids.is_unique

    for stem in ("claims_2024", "claims_2025"):
        truth = pd.read_csv(result.out_dir / f"{stem}.truth.csv")
        assert list(truth.columns) == ["ID Réclamation", "p_true"]
        assert truth["ID Réclamation"].tolist() == csvs[stem]["ID Réclamation"].tolist()
        assert truth["p_true"].between(0, 1).all()

    _check_xlsx_matches_csv(result.out_dir / "claims_2025.xlsx", csvs["claims_2025"])

    again = generate_demo(tmp_path / "b", seed=42)
    for first, second in zip(result.files, again.files, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def _check_xlsx_matches_csv(path: Path, csv: pd.DataFrame) -> None:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header, body = rows[0], rows[1:]
    assert tuple(header) == COLUMNS
    assert len(body) == len(csv)
    client_ids = [row[1] for row in body]
    assert all(isinstance(c, str) and len(c) == 7 for c in client_ids)
    assert any(c.startswith("00") for c in client_ids)  # leading zeros survived
    assert client_ids == csv["ID Client"].tolist()
    first = body[0]
    assert first[2].strftime("%d/%m/%Y") == csv["Date Réclamation"].iloc[0]  # a real date
    amounts = np.array([row[3] for row in body])
    np.testing.assert_allclose(amounts, csv[AMOUNT].to_numpy())
