"""Tests of the train / score / ensure-model / models commands of ``python -m core``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.cli.main import main
from core.config.loading import load_config
from core.model.registry import Registry
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN

FORMULA = '=HYPERLINK("http://x","y")'
RESULT_HEADERS = [
    "Probabilite_Fondee",
    "Decision_Modele",
    "Decision_Finale",
    "Decision_Code",
    "Motif_Regle",
    "Controle_Qualite",
]


def register(model) -> str:
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        return (
            Registry(cfg.paths.models_dir, store)
            .register(model, actor=ADMIN, activate=True)
            .version
        )


def claims_file(path: Path, n: int = 120, *, year: int = 2025, **changes) -> Path:
    raw, _ = generate_claims(n, seed=11, year=year, drift=year > 2024)
    for column, values in changes.items():
        raw[column] = values
    write_claims_xlsx(raw, path)
    return path


def stored(sql: str) -> int:
    with Store(load_config().paths.database) as store, store.cursor() as cur:
        return cur.execute(sql).fetchone()[0]


# --------------------------------------------------------------------------- score


def test_score_writes_the_four_columns_and_formulas_stay_text(env, tiny_model, capsys):
    register(tiny_model)
    ids = [FORMULA] + [f"REC-{i}" for i in range(1, 120)]
    source = claims_file(env / "lot.xlsx", **{"ID Réclamation": ids})
    out = env / "resultats.xlsx"
    assert main(["score", "--input", str(source), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Taux d'automatisation" in printed and "predict" in printed
    actions = "SELECT count(*) FROM audit_log WHERE action = '{}' AND actor LIKE 'cli:%'"
    for action in ("batch.saved", "batch.scored", "batch.exported", "drift.computed"):
        assert stored(actions.format(action)) == 1, action
    sheet = openpyxl.load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert headers[:13] == list(pd.read_excel(source, nrows=0).columns)
    assert headers[13:] == RESULT_HEADERS
    assert sheet.max_row == 121
    cell = sheet.cell(row=2, column=1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")
    codes = {sheet.cell(row=r, column=17).value for r in range(2, 122)}  # Decision_Code
    assert codes <= {-1, 0, 1}
    assert all(0 <= sheet.cell(row=r, column=14).value <= 1 for r in range(2, 122))


def test_the_same_file_scored_twice_is_recognised(env, tiny_model, capsys):
    register(tiny_model)
    source = claims_file(env / "lot.xlsx")
    for _ in range(2):
        assert main(["score", "--input", str(source), "--output", str(env / "r.xlsx")]) == 0
    assert "déjà enregistré" in capsys.readouterr().out
    assert stored("SELECT count(*) FROM claims") == 120
    assert stored("SELECT count(*) FROM batches") == 1
    assert stored("SELECT count(DISTINCT scored_at) FROM scores") == 2


def test_score_without_a_model_exits_2_and_says_how_to_train(env, capsys):
    source = claims_file(env / "lot.xlsx")
    assert main(["score", "--input", str(source), "--output", str(env / "r.xlsx")]) == 2
    assert "make run" in capsys.readouterr().err
    assert not (env / "r.xlsx").exists()


def test_score_of_an_invalid_or_missing_file_fails(env, tiny_model, capsys):
    register(tiny_model)
    raw, _ = generate_claims(30, seed=11, year=2025)
    bad = env / "sans_montant.xlsx"
    write_claims_xlsx(raw.drop(columns=["Montant demandé"]), bad)
    assert main(["score", "--input", str(bad), "--output", str(env / "r.xlsx")]) == 1
    assert "Lot refusé" in capsys.readouterr().err
    assert stored("SELECT count(*) FROM batches") == 0
    missing = ["score", "--input", str(env / "absent.xlsx"), "--output", str(env / "r.xlsx")]
    assert main(missing) == 2


def test_score_without_rules_and_in_english(env, tiny_model, capsys):
    register(tiny_model)
    source = claims_file(env / "lot.xlsx")
    args = ["score", "--input", str(source), "--output", str(env / "r.xlsx")]
    assert main([*args, "--no-apply-rules", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Automation rate" in printed and "Rule " not in printed
    assert stored("SELECT count(*) FROM scores WHERE rule_flags IS NOT NULL") == 0


# --------------------------------------------------------------------------- models


def test_models_list_activate_and_rollback(env, tiny_model, capsys):
    assert main(["models"]) == 0
    assert "ensure-model" in capsys.readouterr().out
    first, second = register(tiny_model), register(tiny_model)
    assert first != second
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"* {second}" in listing and f"  {first}" in listing
    assert main(["models", "activate", first]) == 0
    assert main(["models", "rollback"]) == 0
    assert f"active model: {second}" in capsys.readouterr().out
    assert main(["models", "activate", "20000101-000000-000000"]) == 2
    assert main(["models", "activate"]) == 1


def test_ensure_model_trains_once_then_does_nothing(env, capsys):
    demo = env / "data" / "demo"
    demo.mkdir(parents=True)
    claims_file(demo / "claims_2024.xlsx", 700, year=2024)
    claims_file(demo / "claims_2025.xlsx", 300, year=2025)
    assert main(["ensure-model", "--quick"]) == 0
    assert "enregistré (active)" in capsys.readouterr().out
    # the pair chosen on the validation period is published as the starting thresholds
    with Store(load_config().paths.database) as store:
        version = Registry(load_config().paths.models_dir, store).active().version
        initial = store.active_thresholds(version, load_config().thresholds)
    assert initial.id is not None and initial.published_by == load_config().auth.cli_actor().id
    assert initial.source == "safe-gain"
    assert main(["ensure-model", "--quick"]) == 0
    assert "Modèle actif" in capsys.readouterr().out
    assert stored("SELECT count(*) FROM model_versions") == 1


# --------------------------------------------------------------------------- train


@pytest.mark.slow
def test_train_stops_on_leakage_unless_allowed(env, capsys):
    raw, _ = generate_claims(500, seed=11, year=2024)
    leaky = claims_file(
        env / "train.xlsx", 500, year=2024, **{"Délai estimé": raw["Fondée"] * 40 + 1}
    )
    args = ["train", "--train", str(leaky), "--trials", "2", "--no-compare"]
    assert main(args) == 2
    assert "leakage" in capsys.readouterr().err.lower()
    assert stored("SELECT count(*) FROM model_versions") == 0
    assert main([*args, "--allow-leakage"]) == 0
    printed = capsys.readouterr().out
    assert "family_" in printed and "auc=" in printed
    # training registers a candidate with its own pair; nothing becomes active by itself
    assert stored("SELECT count(*) FROM model_versions") == 1
    assert stored("SELECT count(*) FROM model_versions WHERE active") == 0
    assert stored("SELECT count(*) FROM thresholds WHERE active") == 1


# --------------------------------------------------------------------------- drift


def test_score_stores_drift_and_the_drift_command_reports_it(env, tiny_model, capsys):
    register(tiny_model)
    source = claims_file(env / "lot.xlsx", 400)
    assert main(["score", "--input", str(source), "--output", str(env / "r.xlsx")]) == 0
    assert "alerte" in capsys.readouterr().out  # the drift summary is printed after scoring
    assert stored("SELECT count(*) FROM drift_reports") == 1
    html = env / "drift.html"
    assert main(["drift", "--batch", "latest", "--html", str(html), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "batch" in out.lower()
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<")
    assert stored("SELECT count(*) FROM drift_reports") == 2
    assert main(["drift", "--batch", "1", "--against", "previous"]) == 2  # the first batch
    assert "premier" in capsys.readouterr().err


def test_score_says_when_costs_fall_back_to_the_fixed_amount(capsys):
    from types import SimpleNamespace

    from core.cli.score import _print_amount_fallback

    ev = SimpleNamespace(amount_fallback=True, n_amount_fallback=8340)
    _print_amount_fallback(SimpleNamespace(evaluation=ev), "fr")
    assert "Pas de montant pour 8340" in capsys.readouterr().out
    _print_amount_fallback(SimpleNamespace(evaluation=None), "en")
    ev = SimpleNamespace(amount_fallback=False, n_amount_fallback=0)
    _print_amount_fallback(SimpleNamespace(evaluation=ev), "en")
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- ingest


def test_ingest_stores_recognises_and_rejects(env, capsys):
    source = claims_file(env / "lot.xlsx", 50)
    assert main(["ingest", str(source)]) == 0
    assert "Lot enregistré" in capsys.readouterr().out
    assert main(["ingest", str(source), "--lang", "en"]) == 0
    assert "already stored" in capsys.readouterr().out
    bad = env / "faux.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a workbook")
    assert main(["ingest", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "PDF" in captured.out and "refusé" in captured.err
    assert stored("SELECT count(*) FROM batches") == 1


def test_train_kill_9_mid_training_leaves_the_active_model_and_its_pair(env, tiny_model):
    import signal
    import subprocess
    import sys

    from core.config.loading import PROJECT_ROOT

    active = register(tiny_model)
    with Store(load_config().paths.database) as store:
        pair = store.active_thresholds(active)
    source = claims_file(env / "train.xlsx", 1500, year=2024)
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "train", "--train", str(source), "--trials", "50",
         "--activate"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    for line in proc.stdout:  # wait until the model is being tuned, then kill it
        if "tuning" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with Store(load_config().paths.database) as store:
        registry = Registry(load_config().paths.models_dir, store)
        assert registry.active().version == active
        assert [v.version for v in registry.list()] == [active]
        assert store.active_thresholds(active) == pair
