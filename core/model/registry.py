"""Model registry: one folder per version under ``models/``, checked by SHA-256 before use.

``models/<version>/`` holds the files written by :meth:`TrainedModel.save` plus
``manifest.json``, which lists the SHA-256 of every artefact file. The ``model_versions``
table records each version with the SHA-256 of its manifest, its metrics, the hash of its
training data, when it was created and last activated, and which one is active.

Before a version is loaded or activated, the manifest is hashed and compared with the
database, then every artefact with the manifest: a missing, modified or unexpected file
raises :class:`TamperedModelError` naming the file and what to do. Nothing is unpickled:
the model files are XGBoost's own format and JSON / Parquet.

Version names sort in creation order: ``YYYYMMDD-HHMMSS-<6 hex of the artefacts' hash>``
(UTC). Rollback re-activates the version that was active before the current one.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from core.exceptions import ModelNotFoundError, StoreError, TamperedModelError
from core.model.trained import TrainedModel
from core.store.database import Store

__all__ = ["MANIFEST", "ModelVersion", "Registry", "file_sha256"]

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
_COLUMNS = "version, sha256, metrics, training_data_sha256, created_at, active, path, activated_at"
HOW_TO_TRAIN = (
    "Entraînez-en un : `make run` entraîne un modèle par défaut sur les données de démo, ou "
    "`python -m core train --train A.xlsx --test B.xlsx`. / Train one: `make run` trains a "
    "default model on the demo data, or `python -m core train --train A.xlsx --test B.xlsx`."
)


@dataclass(frozen=True)
class ModelVersion:
    """One registered model version (a row of ``model_versions``)."""

    version: str
    sha256: str  # of manifest.json
    metrics: dict[str, Any]
    training_data_sha256: str | None
    created_at: datetime
    active: bool
    path: Path
    activated_at: datetime | None = None


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class Registry:
    """Versions of the model on disk (``models_dir``) and in the database (``store``)."""

    def __init__(self, models_dir: Path | str, store: Store) -> None:
        self.models_dir = Path(models_dir)
        self.store = store

    # ------------------------------------------------------------------ queries
    def list(self) -> builtins.list[ModelVersion]:
        """Every registered version, newest first."""
        rows = self._fetch(f"SELECT {_COLUMNS} FROM model_versions ORDER BY version DESC")
        return [self._version(row) for row in rows]

    def active(self) -> ModelVersion | None:
        """The active version, or None when no model is active."""
        rows = self._fetch(f"SELECT {_COLUMNS} FROM model_versions WHERE active LIMIT 1")
        return self._version(rows[0]) if rows else None

    def get(self, version: str) -> ModelVersion:
        rows = self._fetch(f"SELECT {_COLUMNS} FROM model_versions WHERE version = ?", [version])
        if not rows:
            known = ", ".join(v.version for v in self.list()[:5]) or "aucune / none"
            raise ModelNotFoundError(
                f"Version de modèle inconnue : {version!r} (versions : {known}). / "
                f"Unknown model version {version!r} (versions: {known}). "
                "`python -m core models list` les affiche / lists them."
            )
        return self._version(rows[0])

    # ------------------------------------------------------------------ changes
    def register(
        self, model: TrainedModel, *, activate: bool = True, actor: str = "system"
    ) -> ModelVersion:
        """Save ``model`` as a new version with its manifest, record it, activate it if asked."""
        self.models_dir.mkdir(parents=True, exist_ok=True)
        staging = self.models_dir / f".staging-{uuid.uuid4().hex}"
        try:
            staging.mkdir()
            model.save(staging)
            version, manifest_sha = _write_manifest(staging, self.models_dir)
            folder = self.models_dir / version
            staging.rename(folder)
        except OSError as exc:
            raise StoreError(
                f"The model could not be written to {self.models_dir}: {exc}. "
                "Check the folder's free space and permissions (WORKBENCH_MODELS_DIR)."
            ) from exc
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        metadata = model.metadata or {}
        row = [
            version,
            manifest_sha,
            json.dumps(metadata.get("metrics", {}), default=str, ensure_ascii=False),
            metadata.get("training_sha256") or metadata.get("training_data_sha256"),
            _utcnow(),
            str(folder),
        ]
        try:
            self._record(row, activate=activate, actor=actor)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        logger.info("registered model %s (active: %s)", version, activate)
        return self.get(version)

    def activate(self, version: str, *, actor: str = "system") -> ModelVersion:
        """Make ``version`` the active model (after checking its files)."""
        self.verify(version)
        with self.store.cursor() as cur:
            _in_transaction(cur, lambda: _set_active(cur, version, actor))
        logger.info("activated model %s", version)
        return self.get(version)

    def rollback(self, *, actor: str = "system") -> ModelVersion:
        """Re-activate the version that was active before the current one."""
        current = self.active()
        rows = self._fetch(
            "SELECT version FROM model_versions WHERE activated_at IS NOT NULL "
            "AND version IS DISTINCT FROM ? ORDER BY activated_at DESC LIMIT 1",
            [current.version if current else None],
        )
        if not rows:
            raise ModelNotFoundError(
                "Aucune version précédente à réactiver. / No previously active version to "
                "roll back to. `python -m core models list` shows the versions."
            )
        return self.activate(rows[0][0], actor=actor)

    # ------------------------------------------------------------------ loading
    def verify(self, version: str) -> Path:
        """Check the manifest and every artefact of ``version``; return its folder."""
        info = self.get(version)
        folder = self.models_dir / version
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise _tampered(version, MANIFEST, "est absent / is missing")
        if file_sha256(manifest_path) != info.sha256:
            raise _tampered(version, MANIFEST, "a été modifié / was modified")
        expected = _read_manifest(manifest_path, version)
        found = {p.relative_to(folder).as_posix() for p in _artefacts(folder)}
        for name, sha in sorted(expected.items()):
            path = folder / name
            if name not in found:
                raise _tampered(version, name, "est absent / is missing")
            if file_sha256(path) != sha:
                raise _tampered(version, name, "a été modifié / was modified")
        unexpected = sorted(found - set(expected))
        if unexpected:
            raise _tampered(version, unexpected[0], "n'est pas dans le manifeste / is unexpected")
        return folder

    def load(self, version: str | None = None) -> TrainedModel:
        """The model of ``version`` (default: the active one), verified before reading."""
        if version is None:
            current = self.active()
            if current is None:
                raise ModelNotFoundError(f"Aucun modèle actif. / No active model. {HOW_TO_TRAIN}")
            version = current.version
        folder = self.verify(version)
        model = TrainedModel.load(folder)
        model.metadata = {**(model.metadata or {}), "version": version}
        return model

    # ------------------------------------------------------------------ internals
    def _fetch(self, sql: str, params: builtins.list[Any] | None = None) -> builtins.list[tuple]:
        with self.store.cursor() as cur:
            try:
                return cur.execute(sql, params or []).fetchall()
            except duckdb.Error as exc:
                raise StoreError(f"Could not read the model registry: {exc}") from exc

    def _version(self, row: tuple) -> ModelVersion:
        version, sha, metrics, data_sha, created, active, _, activated = row
        return ModelVersion(
            version=version,
            sha256=sha,
            metrics=json.loads(metrics) if metrics else {},
            training_data_sha256=data_sha,
            created_at=created,
            active=bool(active),
            path=self.models_dir / version,  # where it is now (the table keeps where it was)
            activated_at=activated,
        )

    def _record(self, row: builtins.list[Any], *, activate: bool, actor: str) -> None:
        def write() -> None:
            cur.execute(
                "INSERT INTO model_versions (version, sha256, metrics, training_data_sha256, "
                "created_at, path) VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            _log(cur, actor, "model.registered", {"version": row[0], "sha256": row[1]})
            if activate:
                _set_active(cur, row[0], actor)

        with self.store.cursor() as cur:
            _in_transaction(cur, write)


# --------------------------------------------------------------------------- helpers


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _artefacts(folder: Path) -> list[Path]:
    """Every file under ``folder`` except the manifest, sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _write_manifest(folder: Path, models_dir: Path) -> tuple[str, str]:
    """Hash the artefacts, name the version, write manifest.json; (version, its SHA-256)."""
    files = {p.relative_to(folder).as_posix(): file_sha256(p) for p in _artefacts(folder)}
    if not files:
        raise StoreError("The model wrote no files; nothing was registered.")
    content = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    now = datetime.now(UTC)
    version = base = f"{now:%Y%m%d-%H%M%S}-{content[:6]}"
    n = 1
    while (models_dir / version).exists():  # the same artefacts registered twice in a second
        n += 1
        version = f"{base}-{n}"
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": version,
        "created_at": now.isoformat(timespec="seconds"),
        "algorithm": "sha256",
        "files": files,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return version, file_sha256(path)


def _read_manifest(path: Path, version: str) -> dict[str, str]:
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _tampered(version, MANIFEST, "est illisible / is unreadable") from exc
    if not isinstance(files, dict):
        raise _tampered(version, MANIFEST, "est illisible / is unreadable")
    return {str(k): str(v) for k, v in files.items()}


def _tampered(version: str, name: str, what: str) -> TamperedModelError:
    return TamperedModelError(
        f"Modèle {version} refusé : le fichier {name} {what} (empreinte SHA-256 du manifeste). "
        f"/ Model {version} refused: file {name} does not match its manifest. "
        "Restaurez le dossier models/ depuis une sauvegarde, activez une autre version "
        "(`python -m core models activate VERSION`) ou ré-entraînez (`python -m core train`). "
        "/ Restore the models/ folder from a backup, activate another version or retrain."
    )


def _set_active(cur: duckdb.DuckDBPyConnection, version: str, actor: str) -> None:
    cur.execute("UPDATE model_versions SET active = FALSE WHERE active")
    cur.execute(
        "UPDATE model_versions SET active = TRUE, activated_at = ? WHERE version = ?",
        [_utcnow(), version],
    )
    _log(cur, actor, "model.activated", {"version": version})


def _log(cur: duckdb.DuckDBPyConnection, actor: str, action: str, detail: dict) -> None:
    cur.execute(
        "INSERT INTO audit_log (logged_at, actor, action, detail) VALUES (?, ?, ?, ?)",
        [_utcnow(), actor, action, json.dumps(detail, ensure_ascii=False)],
    )


def _in_transaction(cur: duckdb.DuckDBPyConnection, work: Any) -> None:
    """Run ``work()`` in one transaction on ``cur``; roll back and raise StoreError on failure."""
    cur.execute("BEGIN TRANSACTION")
    try:
        work()
        cur.execute("COMMIT")
    except BaseException as exc:
        try:
            cur.execute("ROLLBACK")
        except duckdb.Error as again:  # the failed statement already rolled back
            logger.debug("rollback: %s", again)
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"Could not update the model registry: {exc}") from exc
        raise
