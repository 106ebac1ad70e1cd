"""``python -m core monitor`` and ``python -m core labels FILE`` on a real data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli.main import main
from core.config.loading import load_config
from core.model.registry import Registry
from core.store.database import Store
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.helpers import ADMIN, train_tiny_model


@pytest.fixture
def scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data folder with a model and one unlabelled scored batch; its outcomes aside."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        model = train_tiny_model(cfg, n=1500)[0]
        Registry(cfg.paths.models_dir, store).register(model, actor=ADMIN, activate=True)
    raw, _ = generate_claims(400, seed=8, year=2025, labelled=True)
    write_claims_xlsx(raw.drop(columns="Fondée"), tmp_path / "lot.xlsx")
    outcomes = raw[["ID Réclamation", "Montant demandé", "Famille Produit", "Fondée"]]
    write_claims_xlsx(outcomes, tmp_path / "issues.xlsx")  # every outcome came back
    args = ["score", "--input", str(tmp_path / "lot.xlsx"), "--output", str(tmp_path / "r.xlsx")]
    assert main([*args, "--no-drift"]) == 0
    return tmp_path


def test_monitor_estimates_before_labels_and_realises_after(scored, capsys):
    capsys.readouterr()
    assert main(["monitor"]) == 0
    before = capsys.readouterr().out
    assert "erreur estimée" in before and "pas encore d'étiquettes" in before
    assert main(["labels", str(scored / "issues.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "400 étiquettes enregistrées" in out
    with Store(load_config().paths.database) as store:
        labels = store.labels(1)
        with store.cursor() as cur:
            audited = cur.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'labels.stored'"
            ).fetchall()[0][0]
    assert len(labels) == 400 and set(labels["source"]) == {"file"} and audited == 1
    assert main(["monitor", "--batch", "1"]) == 0
    after = capsys.readouterr().out
    assert "réalisée" in after and "all automatic decisions" in after and "coût" in after


def test_unknown_ids_in_an_outcome_file_are_named_not_dropped_silently(scored, capsys, tmp_path):
    raw, _ = generate_claims(5, seed=99, year=2025, labelled=True, id_start=777_000)
    write_claims_xlsx(raw, tmp_path / "ailleurs.xlsx")
    assert main(["labels", str(tmp_path / "ailleurs.xlsx")]) == 0
    captured = capsys.readouterr()
    assert "0 étiquettes enregistrées" in captured.out
    assert "5 identifiants introuvables" in captured.err
