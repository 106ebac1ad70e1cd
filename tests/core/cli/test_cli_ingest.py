"""``python -m core ingest``: full messages (never cut), the sheet chosen, the active model's
known levels passed to validation (issue 11)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from core.cli.main import main
from core.config.loading import load_config
from core.ingest.known_levels import known_levels, stored_known_levels
from core.model.registry import Registry
from core.store.database import Store
from tests.core import badfiles as bf
from tests.helpers import ADMIN


@pytest.fixture
def env(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's folders (conftest), with an 80-column terminal for the wrapped messages."""
    monkeypatch.setenv("COLUMNS", "80")
    return env


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_messages_are_printed_whole_and_wrapped(env, capsys):
    headers = [h for h in bf.HEADERS if h != "Montant demandé"]
    rows = [[v for h, v in zip(bf.HEADERS, r, strict=True) if h != "Montant demandé"]
            for r in bf.claim_rows(3)]  # fmt: skip
    path = workbook(env / "sans_montant.xlsx", {"Lot": [headers, *rows]})
    assert main(["ingest", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    joined = " ".join(line.strip() for line in lines)
    # the end of the message, the fix, used to be cut at 90 characters
    assert "Add it or rename the header (header read on row 1)." in joined
    assert "[ERROR]" in joined


def test_ingest_reads_the_claims_sheet_after_a_notes_sheet_and_names_it(env, capsys):
    path = workbook(
        env / "notes.xlsx",
        {"Notes": [["Lot de l'agence 12"]], "Réclamations": [list(bf.HEADERS), *bf.claim_rows(4)]},
    )
    assert main(["ingest", str(path)]) == 0
    joined = " ".join(line.strip() for line in capsys.readouterr().out.splitlines())
    assert "Feuille lue : « Réclamations »" in joined and "« Notes »" in joined
    assert "(4 lignes)" in joined


def test_an_unknown_category_warns_with_the_active_models_levels(env, tiny_model, capsys):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        Registry(cfg.paths.models_dir, store).register(tiny_model, actor=ADMIN, activate=True)
        known = stored_known_levels(store, cfg.paths.models_dir)
    assert known == known_levels(tiny_model.features.to_dict())
    assert set(known) >= {"family", "category", "subcategory", "segment", "market"}
    rows = bf.claim_rows(3)
    rows[0][bf.HEADERS.index("Segment")] = "Segment Martien"
    path = workbook(env / "inconnu.xlsx", {"Lot": [list(bf.HEADERS), *rows]})
    assert main(["ingest", str(path), "--lang", "en"]) == 0
    joined = " ".join(line.strip() for line in capsys.readouterr().out.splitlines())
    assert "« Segment Martien » never seen by the model in training" in joined


def test_no_model_no_levels(env):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        assert stored_known_levels(store, cfg.paths.models_dir) == {}


def test_score_writes_the_parameters_sheet_and_the_quality_control_flags(env, tiny_model):
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    cfg = load_config()
    with Store(cfg.paths.database) as store:
        version = (
            Registry(cfg.paths.models_dir, store)
            .register(tiny_model, actor=ADMIN, activate=True)
            .version
        )
    raw, _ = generate_claims(200, seed=5, year=2025)
    source = write_claims_xlsx(raw, env / "lot.xlsx") or env / "lot.xlsx"
    out = env / "resultats.xlsx"
    assert main(["score", "--input", str(source), "--output", str(out), "--no-drift"]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Résultats", "Paramètres"]
    params = dict(book["Paramètres"].iter_rows(min_row=2, values_only=True))
    assert params["Version du modèle"] == version and params["Profil"] == "default"
    assert params["Scoré par"].startswith("cli:") and params["Règles appliquées"] == "oui"
    assert "audit_cost" in params["Coûts"] and "max_auto_validations" in params["Règles métier"]
    with Store(cfg.paths.database) as store, store.cursor() as cur:
        low, high, drawn = cur.execute(
            "SELECT t.low, t.high, (SELECT count(*) FROM scores WHERE qc_sample)"
            " FROM thresholds t WHERE t.active"
        ).fetchone()
    assert float(params["Seuil bas"]) == pytest.approx(low, abs=1e-4)
    assert float(params["Seuil haut"]) == pytest.approx(high, abs=1e-4)
    results = book["Résultats"]
    headers = [c.value for c in results[1]]
    flags = [r[headers.index("Controle_Qualite")] for r in results.iter_rows(2, values_only=True)]
    assert set(flags) <= {0, 1} and sum(flags) == drawn and drawn > 0


def test_a_reopened_batch_gets_the_same_parameters_and_flags(env, tiny_model):
    """The page's download of a stored scoring: who scored it, rules, QC flags."""
    from core.ingest.pipeline import ingest
    from core.report.parameters import scoring_parameters
    from core.report.results import results_from_store
    from core.scoring.batch import score_batch
    from core.scoring.stored import load_scoring
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    cfg = load_config()
    raw, _ = generate_claims(150, seed=8, year=2025)
    path = env / "lot.xlsx"
    write_claims_xlsx(raw, path)
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(tiny_model, actor=ADMIN, activate=True)
        batch_id = ingest(path, cfg, store, actor=ADMIN).batch_id
        score_batch(batch_id, store, registry, cfg, actor=ADMIN, apply_rules=False)
        stored = load_scoring(batch_id, store, cfg)
        rows = dict(scoring_parameters(store, cfg, stored).rows("en"))
    assert rows["Scored by"] == f"{ADMIN.id} ({ADMIN.role})" and rows["Rules applied"] == "no"
    assert rows["Batch"] == str(batch_id) and rows["Model version"] == stored.model_version
    table = results_from_store(stored.frame, cfg, "en").frame
    assert table["Controle_Qualite"].sum() == stored.frame["qc_sample"].sum() > 0
    assert (table["Decision_Finale"] == table["Decision_Modele"]).all()  # no rule applied
