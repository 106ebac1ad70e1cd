"""core.model.registry: versions, activation, rollback, manifest checks, a real round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pytest

from core.config.loading import load_config
from core.exceptions import ModelNotFoundError, TamperedModelError, WorkbenchError
from core.model.registry import MANIFEST, ModelVersion, Registry, file_sha256
from core.model.trained import FILES, TrainedModel
from core.store.database import Store
from tests.helpers import ADMIN, train_tiny_model


class StandInModel:
    """Writes artefact files like TrainedModel.save (the registry only needs save+metadata)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        pair = {"low": 0.2, "high": 0.8, "source": "cost-optimal"}
        self.metadata = {"metrics": {"auc": 0.8, "thresholds": pair}, "training_sha256": "f" * 64}

    def save(self, directory: Path) -> list[Path]:
        paths = [Path(directory) / name for name in FILES]
        for path in paths:
            path.write_text(json.dumps({"file": path.name, "tag": self.tag}), encoding="utf-8")
        return paths


@pytest.fixture(scope="module")
def tiny_model():
    return train_tiny_model(load_config())


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "registry.duckdb") as opened:
        yield opened


@pytest.fixture
def registry(tmp_path: Path, store: Store) -> Registry:
    return Registry(tmp_path / "models", store)


def test_register_writes_files_manifest_and_row(registry, store):
    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True)
    assert isinstance(version, ModelVersion)
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", version.version)
    folder = registry.models_dir / version.version
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, MANIFEST])
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["files"]["features.json"] == file_sha256(folder / "features.json")
    assert version.sha256 == file_sha256(folder / MANIFEST)
    assert version.active and version.metrics["auc"] == 0.8
    assert version.training_data_sha256 == "f" * 64
    assert not list(registry.models_dir.glob(".staging-*"))
    with store.cursor() as cur:
        actions = [r[0] for r in cur.execute("SELECT action FROM audit_log ORDER BY id").fetchall()]
    assert actions == ["model.registered", "thresholds.published", "model.activated"]


def test_list_activate_and_rollback(registry):
    first = registry.register(StandInModel("a"), actor=ADMIN, activate=True)
    second = registry.register(StandInModel("b"), actor=ADMIN, activate=True)
    third = registry.register(StandInModel("c"), activate=False, actor=ADMIN)
    assert [v.version for v in registry.list()] == sorted(
        [first.version, second.version, third.version], reverse=True
    )
    assert registry.active().version == second.version
    registry.activate(third.version, actor=ADMIN)
    assert [v.version for v in registry.list() if v.active] == [third.version]
    assert registry.rollback(actor=ADMIN).version == second.version
    assert registry.active().version == second.version
    assert (
        registry.rollback(actor=ADMIN).version == third.version
    )  # rollback of a rollback: back again


def test_rollback_without_history_says_so(registry):
    with pytest.raises(ModelNotFoundError, match="roll back"):
        registry.rollback(actor=ADMIN)
    registry.register(StandInModel("a"), actor=ADMIN, activate=True)
    with pytest.raises(ModelNotFoundError, match="roll back"):
        registry.rollback(actor=ADMIN)


def test_load_without_a_model_says_how_to_train_one(registry):
    with pytest.raises(ModelNotFoundError) as caught:
        registry.load()
    assert "make run" in str(caught.value) and "python -m core train" in str(caught.value)
    with pytest.raises(ModelNotFoundError, match="nope"):
        registry.load("nope")


def test_one_edited_byte_is_refused_naming_the_file(registry):
    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    path = registry.models_dir / version / "features.json"
    data = bytearray(path.read_bytes())
    data[5] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(TamperedModelError, match=r"features\.json") as caught:
        registry.load(version)
    assert "models activate" in str(caught.value)
    with pytest.raises(TamperedModelError):
        registry.activate(version, actor=ADMIN)


@pytest.mark.parametrize("name", ["model.ubj", "reference.parquet", MANIFEST])
def test_a_deleted_file_is_refused(registry, name):
    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    (registry.models_dir / version / name).unlink()
    with pytest.raises(TamperedModelError, match=re.escape(name)):
        registry.verify(version)


def test_an_edited_manifest_or_an_added_file_is_refused(registry):
    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    folder = registry.models_dir / version
    (folder / "extra.json").write_text("{}")
    with pytest.raises(TamperedModelError, match=r"extra\.json"):
        registry.verify(version)
    (folder / "extra.json").unlink()
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["features.json"] = "0" * 64  # an attacker "fixing" the hash
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(TamperedModelError, match=MANIFEST):
        registry.verify(version)


# --------------------------------------------------------------------------- real model


def test_a_trained_model_round_trips_through_the_registry(tiny_model, registry):
    model, frame = tiny_model
    version = registry.register(model, actor=ADMIN, activate=True)
    loaded = registry.load()
    assert isinstance(loaded, TrainedModel)
    assert loaded.metadata["version"] == version.version
    np.testing.assert_allclose(loaded.predict_proba(frame), model.predict_proba(frame))
    assert set(json.loads((version.path / MANIFEST).read_text())["files"]) <= set(FILES)


# --------------------------------------------------------------------------- candidates


def test_a_registered_model_is_a_candidate_with_its_own_pair(registry, store):
    first = registry.register(StandInModel("a"), actor=ADMIN, activate=True)
    candidate = registry.register(StandInModel("b"), actor=ADMIN)
    assert not candidate.active and registry.active().version == first.version
    pair = store.active_thresholds(candidate.version)
    assert (pair.low, pair.high, pair.source) == (0.2, 0.8, "cost-optimal")
    assert pair.published_by == ADMIN.id


def test_an_auditor_cannot_register_activate_or_roll_back(registry):
    from core.exceptions import PermissionDeniedError
    from tests.helpers import AUDITOR

    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    for attempt in (
        lambda: registry.register(StandInModel("b"), actor=AUDITOR),
        lambda: registry.activate(version, actor=AUDITOR),
        lambda: registry.rollback(actor=AUDITOR),
    ):
        with pytest.raises(PermissionDeniedError, match="administrateur"):
            attempt()
    assert len(registry.list()) == 1


def test_a_model_without_its_own_pair_cannot_become_active(registry):
    bare = StandInModel("a")
    bare.metadata = {"metrics": {"auc": 0.8}}
    version = registry.register(bare, actor=ADMIN).version
    with pytest.raises(WorkbenchError, match="no published thresholds"):
        registry.activate(version, actor=ADMIN)
    with pytest.raises(WorkbenchError, match="no initial thresholds"):
        registry.register(bare, actor=ADMIN, activate=True)
    assert registry.active() is None


def test_a_swapped_model_and_recorded_hash_are_refused_through_the_anchor(registry, store):
    from core.store.gate import gate_for

    version = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    other = registry.register(StandInModel("b"), actor=ADMIN).version
    folder, source = registry.models_dir / version, registry.models_dir / other
    for path in source.iterdir():  # the attacker copies another model's files in
        (folder / path.name).write_bytes(path.read_bytes())
    forged = file_sha256(folder / MANIFEST)
    gate_for(store.path).release_now()
    with duckdb.connect(store.path) as con:  # ... and rewrites the recorded hash
        con.execute("UPDATE model_versions SET sha256 = ? WHERE version = ?", [forged, version])
    with pytest.raises(TamperedModelError, match="anchored outside"):
        registry.verify(version)
    problems = registry.verify_all()
    assert any(version in p.message for p in problems)


KILLED_IN_REGISTRATION = """
import sys, time
from pathlib import Path
import core.model.registry as registry_module
from core.store.database import Store
from tests.core.model.test_registry import StandInModel
from tests.helpers import ADMIN
real = registry_module.publish_pair
def slow(*args, **kwargs):
    record = real(*args, **kwargs)
    print("inside the registration transaction", flush=True)
    time.sleep(60)
    return record
registry_module.publish_pair = slow
store = Store(sys.argv[1])
registry_module.Registry(Path(sys.argv[2]), store).register(
    StandInModel("new"), actor=ADMIN, activate=True
)
"""


def test_kill_9_during_registration_leaves_the_active_model_with_its_pair(tmp_path, store):
    import signal
    import subprocess
    import sys

    from core.config.loading import PROJECT_ROOT
    from core.store.gate import gate_for

    registry = Registry(tmp_path / "models", store)
    active = registry.register(StandInModel("a"), actor=ADMIN, activate=True).version
    gate_for(store.path).release_now()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IN_REGISTRATION, store.path, str(tmp_path / "models")],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "inside the registration transaction"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert [v.version for v in registry.list()] == [active]  # the new one was rolled back
    assert registry.active().version == active
    assert store.active_thresholds(active).published_by == ADMIN.id
    assert len(store.thresholds_history()) == 1
    leftovers = list(registry.models_dir.glob(".staging-*"))
    assert leftovers  # the killed process could not clean up after itself...
    assert registry.clean_staging() == leftovers  # ... the next registration does
