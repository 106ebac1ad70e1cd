"""``python -m core audit verify``: passes on a normal history, names the first broken row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core.cli.main import main
from core.config.loading import load_config
from core.model.registry import MANIFEST, Registry, file_sha256
from core.store.database import Store
from core.store.gate import gate_for
from core.synth.generator import generate_claims
from core.synth.writing import write_claims_xlsx
from tests.core.model.test_registry import StandInModel
from tests.helpers import ADMIN


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with an ingested batch, two models and a publication."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    raw, _ = generate_claims(50, seed=3, year=2025, labelled=False)
    write_claims_xlsx(raw, tmp_path / "lot.xlsx")
    assert main(["ingest", str(tmp_path / "lot.xlsx")]) == 0
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(StandInModel("a"), actor=ADMIN, activate=True)
        registry.register(StandInModel("b"), actor=ADMIN)
    return tmp_path


def _tamper(sql: str, params: list | None = None) -> None:
    database = load_config().paths.database
    gate_for(database).release_now()
    with duckdb.connect(str(database)) as con:
        con.execute(sql, params or [])


def test_verify_passes_on_a_normal_history(history, capsys):
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and "6 lignes" in out and "2 modèle(s)" in out


def test_a_deleted_row_fails_and_is_named(history, capsys):
    _tamper("DELETE FROM audit_log WHERE id = 2")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "première rupture (row 3)" in err and "row 3 does not follow row 1" in err


def test_a_rewritten_actor_fails_and_is_named(history, capsys):
    _tamper("UPDATE audit_log SET actor = 'intrus@ailleurs' WHERE id = 1")
    assert main(["audit", "verify", "--lang", "en"]) == 1
    assert "first break (row 1): row 1 was rewritten" in capsys.readouterr().err


def test_a_model_swapped_with_its_recorded_hash_fails(history, capsys):
    cfg = load_config()
    with Store(cfg.paths.database) as store:
        versions = [v.version for v in Registry(cfg.paths.models_dir, store).list()]
    swapped, other = (cfg.paths.models_dir / v for v in versions)
    for path in other.iterdir():
        (swapped / path.name).write_bytes(path.read_bytes())
    forged = file_sha256(swapped / MANIFEST)
    _tamper("UPDATE model_versions SET sha256 = ? WHERE version = ?", [forged, versions[0]])
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"model {versions[0]}" in err


def test_the_log_is_read_by_an_admin(history, capsys):
    assert main(["audit", "log", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and "thresholds.published" in lines[0]  # newest first
    assert "model.registered" in lines[1] and ADMIN.id in lines[1]
