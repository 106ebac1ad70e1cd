"""SHAP explanations: additivity (raw, grouped, probability scale), the grouping rule, the
sentences in French and English, global summaries stored in DuckDB, stored-claim lookups."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.config.loading import load_config
from core.exceptions import WorkbenchError
from core.explain import explainer as explain
from core.explain import lookup as explain_store
from core.explain import whatif as explain_whatif
from core.explain.text import Facts, describe, sentence
from core.ingest.pipeline import ingest
from core.model.calibration import Calibrator
from core.model.registry import Registry
from core.model.training_data import keyed_frame
from core.scoring.batch import score_batch
from core.scoring.stored import load_scores
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, train_tiny_model

ROLES = {k: k for k in ("amount", "subcategory", "segment", "pnb", "delay", "tenure")}


@pytest.fixture(scope="module")
def trained():
    model, frame = train_tiny_model(load_config(), n=1500)
    return model, frame


@pytest.fixture(scope="module")
def rows(trained):
    _, frame = trained
    return [frame.iloc[[i]] for i in (3, 250, 700, 1100, 1499)]


def test_raw_contributions_sum_to_the_margin(trained, rows):
    model, frame = trained
    for row in rows:
        result = explain.explain_claim(model, row, frame, currency="DH")
        margin = model.margin(row, frame)[0]
        total = result.base_margin + sum(result.feature_log_odds)
        assert np.allclose(total, margin, atol=1e-5)
        assert np.isclose(result.margin, margin, atol=1e-5)
        assert len(result.feature_log_odds) == len(model.feature_names)


@pytest.mark.parametrize("grouping", ["split", "named"])
def test_grouping_keeps_the_sum(trained, rows, grouping):
    model, frame = trained
    for row in rows:
        result = explain.explain_claim(model, row, frame, grouping=grouping, currency="DH")
        grouped = sum(g.log_odds for g in result.contributions)
        assert np.isclose(grouped, result.margin - result.base_margin, atol=1e-9)
        assert np.isclose(grouped, sum(result.feature_log_odds), atol=1e-9)


@pytest.mark.parametrize(
    "calibrator",
    [
        None,  # the model's own (chosen on validation)
        Calibrator("identity"),
        Calibrator("sigmoid", a=0.8, b=-0.3),
        Calibrator("isotonic", x=(-3.0, -1.0, 0.0, 1.0, 3.0), y=(0.02, 0.1, 0.3, 0.3, 0.9)),
    ],
)
def test_probability_contributions_sum_to_p_minus_base(trained, rows, calibrator):
    model, frame = trained
    if calibrator is not None:
        model = replace(model, calibrator=calibrator)
    for row in rows:
        result = explain.explain_claim(model, row, frame, currency="DH")
        total = sum(g.probability for g in result.contributions)
        assert np.isclose(total, result.probability - result.base_probability, atol=1e-12)
        assert np.isclose(result.probability, model.predict_proba(row, frame)[0], atol=1e-6)
        assert np.isclose(result.base_probability, model.calibrator.predict([result.base_margin]))


def test_probability_path_walks_the_largest_first():
    cal = Calibrator("identity")
    deltas, start, end = explain.probability_path(cal, 0.0, np.array([0.5, -2.0, 1.0]))
    p = cal.predict(np.array([0.0, -2.0, -1.0, -0.5]))  # -2.0 first, then 1.0, then 0.5
    assert np.allclose(deltas, [p[3] - p[2], p[1] - p[0], p[2] - p[1]])
    assert np.isclose(deltas.sum(), end - start)
    matrix, starts, ends = explain.probability_path(cal, np.zeros(2), np.array([[0.5, -2, 1]] * 2))
    assert np.allclose(matrix[1], deltas) and np.allclose(ends - starts, matrix.sum(axis=1))


def test_grouping_rule_reduces_hierarchy_and_history_and_splits_shared_features(trained):
    model, _ = trained
    split = explain.feature_grouping(model.features, "split")
    assert set(split.keys) == {
        "family",
        "category",
        "subcategory",
        "segment",
        "market",
        "delay",
        "tenure",
        "pnb",
        "amount",
        "history",
    }
    assert np.allclose(split.weights.sum(axis=1), 1.0)
    names = model.feature_names
    ratio = split.weights[names.index("log_amount_to_pnb")]
    assert ratio[split.keys.index("amount")] == ratio[split.keys.index("pnb")] == 0.5
    rate = split.weights[names.index("rate_subcategory")]  # path family > category > sub
    assert rate[split.keys.index("subcategory")] == 1.0
    named = explain.feature_grouping(model.features, "named")
    assert {"amount+pnb", "amount+subcategory", "history"} <= set(named.keys)
    assert named.label(named.keys.index("amount+pnb"), "fr") == "Montant demandé × PNB"
    assert np.allclose(named.weights.sum(axis=1), 1.0)


def test_reason_sentences_in_french_and_english():
    facts = Facts(
        raw={"amount": 12500.0, "subcategory": "Frais de carte", "pnb": 50000.0},
        features={
            "amount_dev_subcategory": math.log(12501 / 4001),
            "rate_subcategory": 0.62,
            "prior_claims_year": 3.0,
        },
        roles={**ROLES, "pnb": "pnb"},
        currency="DH",
    )
    amount_fr = sentence(describe(("amount",), facts, "fr"), 0.21, "fr")
    assert amount_fr == (
        "Montant demandé 12\u202f500\u00a0DH, 3,1 fois la médiane de la sous-catégorie : +0,21"
    )
    amount_en = sentence(describe(("amount",), facts, "en"), 0.21, "en")
    assert amount_en == "Requested amount 12,500\u00a0DH, 3.1 times the sub-category median: +0.21"
    sub_fr = sentence(describe(("subcategory",), facts, "fr"), 0.15, "fr")
    assert sub_fr == "Sous-catégorie « Frais de carte » (taux fondé historique 62\u00a0%) : +0,15"
    sub_en = sentence(describe(("subcategory",), facts, "en"), 0.15, "en")
    assert sub_en == 'Sub-category "Frais de carte" (historical justified rate 62%): +0.15'
    history_fr = sentence(describe(("history",), facts, "fr"), -0.08, "fr")
    assert history_fr == "3 réclamations antérieures du client cette année : −0,08"
    history_en = sentence(describe(("history",), facts, "en"), -0.08, "en")
    assert history_en == "3 earlier claims by the client this year: −0.08"
    pnb = describe(("amount", "pnb"), facts, "fr")
    assert "PNB du client 50\u202f000\u00a0DH (montant = 25\u00a0% du PNB)" in pnb


def test_reasons_of_a_claim_name_its_strongest_columns_with_signed_numbers(trained, rows):
    model, frame = trained
    result = explain.explain_claim(model, rows[1], frame, currency="DH")
    ranked = sorted(result.contributions, key=lambda g: -abs(g.probability))[:3]
    for locale, pattern in (("fr", r" : [+−]\d+,\d\d$"), ("en", r": [+−]\d+\.\d\d$")):
        texts = explain.reasons(result, locale)
        assert len(texts) == 3
        assert texts == list(result.reasons_fr if locale == "fr" else result.reasons_en)
        for text, group in zip(texts, ranked, strict=True):
            assert re.search(pattern, text), text
            assert text.startswith(group.reason_in(locale))
            assert text[-5] == ("+" if group.probability >= 0 else "−")
    assert explain.reasons(result, "fr", n=1) == [result.reasons_fr[0]]


def test_explain_claim_rejects_several_rows(trained):
    model, frame = trained
    with pytest.raises(WorkbenchError):
        explain.explain_claim(model, frame.head(2), currency="DH")


def test_explain_sample_adds_up_and_ranks_importance(trained):
    model, frame = trained
    summary = explain.explain_sample(model, frame.head(400), frame, source="reference")
    margins = model.margin(frame.head(400), frame)
    assert summary.contributions.shape == (400, len(summary.keys))
    assert np.allclose(summary.base_margin + summary.contributions.sum(axis=1), margins, atol=1e-4)
    importance = summary.importance["mean_abs_log_odds"].to_numpy()
    assert np.all(np.diff(importance) <= 0)
    assert np.isclose(summary.importance["share"].sum(), 1.0)
    assert summary.values["amount"].dtype.kind == "f"
    assert summary.values["subcategory"].dtype == object
    assert np.nanmin(summary.colour) > 0 and np.nanmax(summary.colour) <= 1


def test_importance_csv_is_excel_friendly_per_locale(trained):
    model, frame = trained
    summary = explain.explain_sample(model, frame.head(200), frame)
    fr = explain.importance_csv(summary, "fr").decode("utf-8-sig")
    assert fr.splitlines()[0].startswith("column;label;mean_abs_log_odds")
    assert "Sous-catégorie" in fr and re.search(r";0,\d+", fr)
    en = explain.importance_csv(summary, "en").decode("utf-8-sig")
    assert "Sub-category" in en and en.splitlines()[0].startswith("column,label,")


@pytest.fixture
def stored(cfg, trained, tmp_path):
    """A store with the tiny model registered and one scored labelled batch."""
    model, _ = trained
    raw, _ = generate_claims(300, seed=21, year=2025, id_start=8001)
    write_claims_xlsx(raw, tmp_path / "lot.xlsx")
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(model, actor=ADMIN, activate=True)
        batch_id = ingest(tmp_path / "lot.xlsx", cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
        yield store, registry.load(), batch_id


def test_summary_is_stored_per_model_version_and_read_back(stored):
    store, model, batch_id = stored
    version = model.metadata["version"]
    assert explain_store.load_summary(store, version, "reference") is None
    made = explain_store.compute_summary(store, model, "reference", size=500)
    assert made.sample_size == 500 and made.seconds > 0  # timed in make bench (bench_explain)
    back = explain_store.load_summary(store, version, "reference")
    assert back is not None and back.keys == made.keys and back.created_at == made.created_at
    assert np.allclose(back.contributions, made.contributions)
    assert np.allclose(back.colour, made.colour, equal_nan=True)
    assert list(back.values["subcategory"]) == list(made.values["subcategory"])
    pd.testing.assert_frame_equal(back.importance, made.importance, check_dtype=False)
    from_batch = explain_store.compute_summary(
        store, model, explain_store.batch_source(batch_id), size=100
    )
    assert from_batch.sample_size == 100
    assert explain_store.load_summary(store, version, "reference", "named") is None


def test_find_claim_picks_the_scored_batch_and_ignores_case(stored):
    store, _, batch_id = stored
    found = explain_store.find_claim(store, "  rec-2025-008010 ")
    assert found is not None
    assert (found.claim_id, found.batch_id, found.row_number) == ("REC-2025-008010", batch_id, 11)
    assert found.scored_at is not None and found.model_version and found.n_batches == 1
    assert explain_store.find_claim(store, "REC-1999-000001") is None
    assert explain_store.find_claim(store, "") is None
    assert explain_store.suggest_claim_ids(store, "2025-00801")[:2] == [
        "REC-2025-008010",
        "REC-2025-008011",
    ]
    assert explain_store.suggest_claim_ids(store, "%") == []


def test_stored_claim_explained_with_its_history_matches_its_score(stored):
    store, model, batch_id = stored
    found = explain_store.find_claim(store, "REC-2025-008120")
    scored = load_scores(batch_id, store)
    row = explain_store.claim_frame(scored, found.row_number)
    history = explain_store.claim_history(store, scored, row, batch_id)
    result = explain.explain_claim(model, row, history, currency="DH")
    assert np.isclose(result.probability, row["probability"].iloc[0], atol=1e-6)
    assert result.claim_id == "REC-2025-008120"


def test_similar_claims_count_labelled_claims_of_the_same_product_and_amount(stored):
    store, _, batch_id = stored
    claims = store.load_claims(batch_id)
    row = claims.iloc[[40]]
    found = explain_store.similar_claims(store, row)
    amount, sub = float(row["amount"].iloc[0]), row["subcategory"].iloc[0]
    mask = (
        (claims["subcategory"] == sub)
        & (claims["category"] == row["category"].iloc[0])
        & claims["amount"].between(0.7 * amount, 1.3 * amount)
        & (claims["id"] != row["id"].iloc[0])
    )
    assert found.source == "store" and found.level == "subcategory" and found.level_value == sub
    assert found.n == int(mask.sum())
    assert found.n_justified == int(claims.loc[mask, "label"].sum())
    assert np.isclose(found.amount_low, 0.7 * amount)


def test_similar_claims_fall_back_to_the_reference_sample(cfg, trained):
    model, _ = trained
    with Store(cfg.paths.database) as store:
        row = model.reference.iloc[[0]].drop(columns=["probability"])
        found = explain_store.similar_claims(store, row, reference=model.reference)
        assert found.source == "reference" and found.n >= 1 and 0 <= found.rate <= 1
        assert explain_store.similar_claims(store, row).source == "none"


def test_what_if_levels_edits_and_decision(trained):
    model, frame = trained
    pipe = model.features
    families = explain_whatif.level_choices(pipe, "family")
    assert families == sorted(set(frame["family"]))
    categories = explain_whatif.level_choices(pipe, "category", [families[0]])
    known = set(frame.loc[frame["family"] == families[0], "category"])
    assert categories and set(categories) <= known
    subs = explain_whatif.level_choices(pipe, "subcategory", [families[0], categories[0]])
    assert subs and all("\x1f" not in s for s in subs)
    assert explain_whatif.level_choices(pipe, "segment") == sorted(set(frame["segment"]))
    row = frame.iloc[[10]]
    edited = explain_whatif.edit_claim(row, {"amount": 99_999.0, "segment": "Premium"})
    assert edited["amount"].iloc[0] == 99_999.0 and row["amount"].iloc[0] != 99_999.0
    above = explain_whatif.edit_claim(row, {"amount": float(row["pnb"].iloc[0]) + 1})
    decision = explain_whatif.decide_claim(above, 0.99, 0.15, 0.85, load_config())
    assert (decision.model_code, decision.code) == (1, 0)
    assert "PNB" in decision.reason_fr and "PNB" in decision.reason_en
    assert explain_whatif.decide_claim(row, 0.05, 0.15, 0.85, load_config()).code == -1


def test_keyed_frame_rows_explain_like_stored_ones(trained):
    """The explanation only needs keyed columns: a raw file row works once keyed."""
    model, _ = trained
    raw, _ = generate_claims(5, seed=3, year=2025, id_start=9001)
    row = keyed_frame(raw, load_config().schema).iloc[[0]]
    result = explain.explain_claim(model, row, currency="DH")
    assert result.claim_id == "REC-2025-009001" and 0 < result.probability < 1


def test_a_saved_and_loaded_model_explains_the_same_way(trained, rows, tmp_path):
    """A loaded pipeline maps roles in sorted order: grouping and choices must not care."""
    from core.model.trained import TrainedModel

    model, frame = trained
    model.save(tmp_path / "m")
    loaded = TrainedModel.load(tmp_path / "m")
    assert list(loaded.features.columns) != list(model.features.columns)  # sorted by role
    for kind in ("split", "named"):
        assert explain.feature_grouping(loaded.features, kind).keys == (
            explain.feature_grouping(model.features, kind).keys
        )
    assert explain.ordered_roles(loaded.features)[:4] == ["id", "client_id", "date", "amount"]
    mine = explain.explain_claim(model, rows[2], frame, currency="DH")
    theirs = explain.explain_claim(loaded, rows[2], frame, currency="DH")
    assert mine.reasons_fr == theirs.reasons_fr
    assert np.isclose(mine.probability, theirs.probability)
