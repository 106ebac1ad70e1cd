"""One coherent workflow across Upload and Thresholds: profiles kept apart, a refused file
shows no earlier batch, the list is fresh after scoring, one net gain (rules included),
costs published with the pair, re-decision offered after a publication, the decisions
table's first columns."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from app.tables import build_decisions_table
from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.model.registry import Registry
from core.scoring.batch import score_batch
from core.scoring.stored import load_scoring
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.app.conftest import open_page, shown
from tests.helpers import ADMIN, CFPB_FILE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLIDER = "thresholds.pair"


@pytest.fixture(scope="module")
def batch_bytes(tmp_path_factory) -> bytes:
    frame, _ = generate_claims(300, seed=31, year=2025, drift=True, id_start=80_001)
    path = tmp_path_factory.mktemp("workflow") / "lot.xlsx"
    write_claims_xlsx(frame, path)
    return path.read_bytes()


def _store() -> Store:
    return Store(load_config().paths.database)


def _scored(batch_bytes: bytes, name: str = "lot.xlsx") -> tuple[int, str]:
    cfg = load_config()
    with _store() as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch_id = ingest(batch_bytes, cfg, store, file_name=name, actor=ADMIN).batch_id
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
        return batch_id, registry.active().version


def _upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value((name, data, XLSX))
    return at.run()


def _titles(at) -> list[str]:
    return [s.value for s in at.subheader]


def _batches_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if {"Fichier", "Modèle"} <= set(d.value.columns))


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _button(at, key: str):
    return next(b for b in at.button if b.key == key)


# ------------------------------------------------------------------ upload page


def test_a_refused_file_is_not_followed_by_the_previous_batch_decisions(model_env, batch_bytes):
    at = _upload(open_page("upload"), "lot.xlsx", batch_bytes)
    assert "Lot n° 1 — décisions" in _titles(at)
    _upload(at, "faux.xlsx", b"%PDF-1.4 not a workbook")
    assert not at.exception
    assert "Lot n° 1 — décisions" not in _titles(at)
    assert any("refusé" in e.value for e in at.error)
    assert any("Aucune décision affichée" in i.value for i in at.info)
    at.selectbox(key="batches.reopen").set_value(1).run()  # reopening it is still possible
    assert "Lot n° 1 — décisions" in _titles(at)


def test_a_refused_file_after_a_reopened_batch_hides_it_and_it_can_be_reopened(
    model_env, batch_bytes
):
    _scored(batch_bytes)
    at = open_page("upload")
    at.selectbox(key="batches.reopen").set_value(1).run()
    assert "Lot n° 1 — décisions" in _titles(at)
    _upload(at, "faux.xlsx", b"%PDF-1.4 not a workbook")
    assert "Lot n° 1 — décisions" not in _titles(at)
    assert at.selectbox(key="batches.reopen").value is None  # cleared: pick it again
    at.selectbox(key="batches.reopen").set_value(1).run()
    assert not at.exception and "Lot n° 1 — décisions" in _titles(at)


def test_the_batch_list_shows_a_batch_just_scored_as_scored_with_its_pair(model_env, batch_bytes):
    at = _upload(open_page("upload"), "lot.xlsx", batch_bytes)
    assert not at.exception
    row = _batches_table(at).iloc[0]
    assert row["Modèle"] != "—" and row["Scoré le"] != "—"
    with _store() as store:
        info = store.latest_scoring(1)
    assert row["Seuils appliqués"].startswith("0,")
    assert f"paire publiée n° {info.thresholds_id}" in row["Seuils appliqués"]


def test_another_profiles_batch_is_not_listed_and_never_crashes_the_page(model_env, batch_bytes):
    cfg = load_config()
    with _store() as store:
        theirs = ingest(
            batch_bytes, dataclasses.replace(cfg, profile="cfpb"), store, file_name="cfpb.xlsx",
            actor=ADMIN,
        ).batch_id  # fmt: skip
        assert store.get_batch(theirs).profile == "cfpb"
    at = open_page("upload")
    assert not at.exception
    assert any("Aucun lot enregistré" in i.value for i in at.info)  # not listed here
    assert any("Profil servi : **default**" in c.value for c in at.sidebar.caption)
    # the same file uploaded here is recognised as the other profile's batch, not scored
    _upload(at, "cfpb.xlsx", batch_bytes)
    assert not at.exception
    assert any("profil « cfpb »" in shown(w.value) for w in at.warning), [
        w.value for w in at.warning
    ]
    assert not any("décisions" in s for s in _titles(at))
    with _store() as store:
        assert store.latest_scoring(theirs) is None


def test_a_profile_without_its_own_model_says_so_instead_of_scoring(
    model_env, batch_bytes, monkeypatch
):
    monkeypatch.setenv("WORKBENCH_PROFILE", "cfpb")
    cfpb = load_config("cfpb")
    with Store(cfpb.paths.database) as store:  # a cfpb batch, as `core ingest --profile cfpb`
        frame = pd.DataFrame({"row_number": [1, 2], "product": ["Mortgage", "Student loan"]})
        store.save_batch(
            frame, file_name="cfpb.csv", sha256="c" * 64, sheet=None, profile="cfpb",
            actor=ADMIN, report_json="{}",
        )  # fmt: skip
    at = open_page("upload")
    assert not at.exception
    assert any("Profil servi : **cfpb**" in c.value for c in at.sidebar.caption)
    at.selectbox(key="batches.reopen").set_value(1).run()
    assert not at.exception
    assert any("Aucun modèle actif pour le profil" in w.value for w in at.warning)
    with Store(cfpb.paths.database) as store:
        assert store.latest_scoring(1) is None  # never scored with the default model


def test_the_decisions_table_starts_with_id_probability_decision_reason(model_env, batch_bytes):
    batch_id, _ = _scored(batch_bytes)
    cfg = load_config()
    with _store() as store:
        frame = load_scoring(batch_id, store, cfg).frame
    table = build_decisions_table(frame, cfg, "fr")
    assert list(table.columns[:4]) == [
        "ID Réclamation", "Probabilité fondée", "Décision", "Motif règle",
    ]  # fmt: skip
    assert table.columns[-1] == "Explication"


def _metric_rows(node) -> list[list]:
    """The rows of columns (horizontal blocks) holding metric cards, depth first."""
    rows = []
    for child in getattr(node, "children", {}).values():
        columns = [c for c in getattr(child, "children", {}).values() if c.type == "column"]
        if columns and any(c.metric for c in columns):
            rows.append(columns)
        rows += _metric_rows(child)
    return rows


def test_the_cards_hold_at_most_four_per_row_and_the_gain_card_is_wider(model_env, batch_bytes):
    _scored(batch_bytes)
    at = open_page("upload")
    at.selectbox(key="batches.reopen").set_value(1).run()
    assert not at.exception
    rows = _metric_rows(at._tree)
    assert rows and all(len(row) <= 4 for row in rows), [len(r) for r in rows]
    gain_row = next(
        r for r in rows if any(m.label == "Gain net attendu" for c in r for m in c.metric)
    )
    weights = {c.metric[0].label: c.weight for c in gain_row if c.metric}
    assert weights["Gain net attendu"] >= 2 * min(weights.values())
    assert any("Règles métier incluses" in c.value for c in at.caption)


# ------------------------------------------------------------------ thresholds page


def _upload_gain(batch_id: int) -> str:
    at = open_page("upload")
    at.selectbox(key="batches.reopen").set_value(batch_id).run()
    assert not at.exception
    return _metric(at, "Gain net attendu")


def test_the_same_batch_and_pair_show_one_net_gain_rules_included(model_env, batch_bytes):
    batch_id, version = _scored(batch_bytes)
    with _store() as store:
        # a pair off the slider's 0.01 grid, as the choosers publish them
        store.publish_thresholds(version, 0.2834, 0.3166, source="manual", actor=ADMIN, reason="a")
        cfg = load_config()
        score_batch(batch_id, store, Registry(cfg.paths.models_dir, store), cfg, actor=ADMIN)
        assert load_scoring(batch_id, store, cfg).n_moved > 0  # the rules moved claims
    at = open_page("thresholds")
    assert not at.exception
    assert at.slider(key=SLIDER).value == (0.28, 0.32)
    assert _metric(at, "Gain net attendu") == _upload_gain(batch_id)
    card = next(m for m in at.metric if m.label == "Gain net attendu")
    assert not card.delta  # the slider stands on the published pair: no difference with it
    assert any("règles métier incluses" in c.value for c in at.caption)


def test_costs_are_published_with_the_pair_kept_and_shown_in_the_history(model_env, batch_bytes):
    _batch_id, version = _scored(batch_bytes)
    at = open_page("thresholds")
    at.text_input(key="thresholds.cost.audit_cost.text").set_value("420").run()
    at.text_input(key="thresholds.reason").set_value("Coût d'audit revu").run()
    _button(at, "thresholds.publish").click().run()
    assert not at.exception
    with _store() as store:
        record = store.active_thresholds(version)
    assert record.costs["audit_cost"] == 420.0
    history = next(d.value for d in at.dataframe if "Coûts publiés" in d.value.columns)
    assert "audit 420" in history["Coûts publiés"].iloc[0].replace("\u202f", "")
    again = open_page("thresholds")  # a new session starts from the published costs
    assert again.text_input(key="thresholds.cost.audit_cost.text").value == "420"
    assert not any("Coûts modifiés" in c.value for c in again.caption)


def test_after_publishing_the_batches_are_offered_for_redecision(model_env, batch_bytes):
    batch_id, version = _scored(batch_bytes)
    with _store() as store:
        before = store.latest_scoring(batch_id)
    at = open_page("thresholds")
    at.slider(key=SLIDER).set_value((0.31, 0.69)).run()
    at.text_input(key="thresholds.reason").set_value("Nouvelle paire").run()
    _button(at, "thresholds.publish").click().run()
    assert not at.exception
    reopened = open_page("upload")  # the batch view says its pair is no longer the published one
    reopened.selectbox(key="batches.reopen").set_value(batch_id).run()
    assert any("autre paire que celle publiée" in i.value for i in reopened.info)
    offer = next(e for e in at.expander if "décidé(s) avec une autre paire" in e.label)
    assert offer.multiselect(key="thresholds.republish.batches").value == [batch_id]
    _button(at, "thresholds.republish.run").click().run()
    assert not at.exception
    assert any("re-décidé(s)" in s.value for s in at.success)
    with _store() as store:
        record = store.active_thresholds(version)
        after = store.latest_scoring(batch_id)
    assert after.scored_at > before.scored_at and after.thresholds_id == record.id
    assert (after.low, after.high) == (0.31, 0.69)
    assert not any("avec une autre paire" in e.label for e in at.expander)  # nothing left
    upload = open_page("upload")  # the batch list and the batch view show the new pair
    row = _batches_table(upload).iloc[0]
    assert row["Seuils appliqués"] == f"0,31 – 0,69 · paire publiée n° {record.id}"
    upload.selectbox(key="batches.reopen").set_value(batch_id).run()
    assert any(
        "bas 0,31 / haut 0,69" in shown(c.value) and f"paire publiée n° {record.id}" in c.value
        for c in upload.caption
    )
    assert not any("autre paire que celle publiée" in i.value for i in upload.info)


# ------------------------------------------------------------------ what-if


def test_what_if_applies_the_yearly_cap_counting_the_claims_own_batch(model_env, tmp_path):
    from core.decide.rules import MAX_AUTO_VALIDATIONS
    from core.scoring.stored import load_scores
    from tests.app.test_explain_page import open_explain

    cfg = load_config()
    raw, _ = generate_claims(200, seed=41, year=2025, id_start=90_001)
    raw["ID Client"] = [f"CLI-{i % 20:03d}" for i in range(len(raw))]  # 10 claims per client
    path = tmp_path / "lot_plafond.xlsx"
    write_claims_xlsx(raw, path)
    with _store() as store:
        registry = Registry(cfg.paths.models_dir, store)
        store.publish_thresholds(
            registry.active().version, 0.0, 0.0, source="manual", actor=ADMIN, reason="tout"
        )  # every claim validated by the model: the cap decides
        batch_id = ingest(path, cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, registry, cfg, actor=ADMIN)
        scored = load_scores(batch_id, store)
    capped = scored[scored["rule_flags"] == MAX_AUTO_VALIDATIONS]
    assert len(capped) > 0
    claim = str(capped["id"].iloc[0])
    at = open_explain(claim, tab="Simulation")
    decision = next(m for m in at.metric if m.label == "Décision simulée")
    assert "Audit Humain" in decision.value, decision.value
    assert any("Plafond" in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.slow
@pytest.mark.skipif(not CFPB_FILE.is_file(), reason="CFPB extract not available")
def test_the_readme_cfpb_batch_is_scored_by_a_cfpb_model_and_shown(app_env, monkeypatch):
    """The README's CFPB command, then the app served with that profile: the batch is scored
    by the model of its profile and its page shows; the default profile keeps it apart."""
    from core.ingest.pipeline import validate_file
    from core.model.training import train

    cfpb = load_config("cfpb")
    frame = validate_file(CFPB_FILE.read_bytes(), cfpb, file_name=CFPB_FILE.name).frame
    model = train(frame.head(3000), None, cfpb, trials=1, compare=False).model
    with Store(cfpb.paths.database) as store:
        Registry(cfpb.paths.models_dir, store).register(model, actor=ADMIN, activate=True)
        batch_id = ingest(CFPB_FILE, cfpb, store, actor=ADMIN).batch_id
    monkeypatch.setenv("WORKBENCH_PROFILE", "cfpb")
    at = open_page("upload")
    at.selectbox(key="batches.reopen").set_value(batch_id).run()
    assert not at.exception, at.exception
    assert f"Lot n° {batch_id} — décisions" in _titles(at)
    with _store() as store:
        decisions = store.load_scores(batch_id)["decision"]
    assert decisions.nunique() > 1  # not everything in one decision (the default model's 100 %)
    monkeypatch.delenv("WORKBENCH_PROFILE")
    st_clear()
    default = open_page("upload")
    assert not default.exception
    assert any("Aucun lot enregistré" in i.value for i in default.info)


def st_clear() -> None:
    """Fresh server resources, as a server started with another profile has."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
