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
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb

import core.store.audit as audit
from core.config.identity import Actor, require
from core.config.profiles import same_profile
from core.config.settings import Config
from core.exceptions import ModelNotFoundError, StoreError, TamperedModelError, WorkbenchError
from core.model.activation import InitialPair, pair_of, set_active
from core.model.manifest import (
    MANIFEST,
    artefact_files,
    file_sha256,
    read_manifest,
    tampered_error,
    write_manifest,
)
from core.store.database import Store
from core.store.thresholds import publish_pair

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from core.model.trained import TrainedModel  # imports XGBoost: loaded in load()

__all__ = ["MANIFEST", "InitialPair", "ModelVersion", "Registry", "file_sha256"]

logger = logging.getLogger(__name__)

_COLUMNS = "version, sha256, metrics, training_data_sha256, created_at, active, path, activated_at"
HOW_TO_TRAIN = (
    "Entraînez-en un : `make run` entraîne un modèle par défaut sur les données de démo, ou "
    "`python -m core train --train A.xlsx --test B.xlsx`. / Train one: `make run` trains a "
    "default model on the demo data, or `python -m core train --train A.xlsx --test B.xlsx`."
)


class _NewVersion(NamedTuple):
    version: str
    manifest_sha: str
    staging: Path  # where the artefacts were written
    folder: Path  # where they go once recorded


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


class Registry:
    """Versions of the model on disk (``models_dir``) and in the database (``store``)."""

    def __init__(self, models_dir: Path | str, store: Store) -> None:
        self.models_dir = Path(models_dir)
        self.store = store
        self._profiles: dict[str, tuple[str | None, str | None]] = {}  # versions never change

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

    def profile_of(self, version: str) -> tuple[str | None, str | None]:
        """(profile, schema fingerprint) the version was trained for, from its metadata.json
        (None, None when unreadable; a model older than the fingerprint has only its profile)."""
        if version in self._profiles:
            return self._profiles[version]
        path = self.models_dir / version / "metadata.json"
        try:
            metadata = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, None
        if not isinstance(metadata, dict):
            return None, None
        found = metadata.get("profile", "default"), metadata.get("schema_sha256")
        self._profiles[version] = found
        return found

    def serves(self, version: str, cfg: Config) -> bool:
        """Whether ``version`` was trained for the profile ``cfg`` serves (same schema)."""
        profile, fingerprint = self.profile_of(version)
        return same_profile(profile, cfg, fingerprint)

    def active_for(self, cfg: Config) -> ModelVersion | None:
        """The active version when it serves ``cfg``'s profile, else None."""
        current = self.active()
        return current if current is not None and self.serves(current.version, cfg) else None

    # ------------------------------------------------------------------ changes
    def register(
        self,
        model: TrainedModel,
        *,
        actor: Actor,
        activate: bool = False,
        initial_pair: InitialPair | None = None,
        reason: str = "",
    ) -> ModelVersion:
        """Save ``model`` as a new *candidate* version with its manifest and its initial
        threshold pair (``initial_pair``, else the pair chosen on validation at training), in
        one transaction; activate it in the same transaction only when asked (admins only)."""
        require(actor, "model.register")
        if activate:
            require(actor, "model.activate")
        pair = initial_pair or pair_of(model)
        if activate and pair is None:
            raise WorkbenchError(
                "Ce modèle n'a pas de seuils initiaux : il ne peut pas être activé sans sa "
                "paire publiée. / This model has no initial thresholds: it cannot be activated "
                "without its own published pair."
            )
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.clean_staging()
        staging = self.models_dir / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            staging.mkdir()
            model.save(staging)
            version, manifest_sha = write_manifest(staging, self.models_dir)
            new = _NewVersion(version, manifest_sha, staging, self.models_dir / version)
            self._record(model, new, actor, pair, activate, reason)
        except OSError as exc:
            raise StoreError(
                f"The model could not be written to {self.models_dir}: {exc}. "
                "Check the folder's free space and permissions (WORKBENCH_MODELS_DIR)."
            ) from exc
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        logger.info("registered model %s (active: %s)", version, activate)
        return self.get(version)

    def activate(self, version: str, *, actor: Actor, reason: str = "") -> ModelVersion:
        """Make ``version`` the active model (admins only; its files are checked and it must
        have its own published threshold pair)."""
        require(actor, "model.activate")
        self.verify(version)
        with self.store.transaction(f"activate model {version}") as cur:
            set_active(cur, version, actor, "model.activated", reason)
        logger.info("activated model %s", version)
        return self.get(version)

    def rollback(self, *, actor: Actor, reason: str = "") -> ModelVersion:
        """Re-activate the version that was active before the current one (admins only)."""
        require(actor, "model.rollback")
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
        version = rows[0][0]
        self.verify(version)
        with self.store.transaction(f"roll back to model {version}") as cur:
            set_active(cur, version, actor, "model.rolled_back", reason)
        return self.get(version)

    def clean_staging(self) -> list[Path]:
        """Remove staging folders left by registrations whose process is gone."""
        removed = []
        for folder in self.models_dir.glob(".staging-*"):
            pid = folder.name.split("-")[1] if folder.name.count("-") >= 2 else ""
            if pid.isdigit() and _alive(int(pid)):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        if removed:
            logger.info("removed %d staging folder(s) left by a crash", len(removed))
        return removed

    # ------------------------------------------------------------------ loading
    def verify(self, version: str) -> Path:
        """Check the manifest and every artefact of ``version``; return its folder."""
        info = self.get(version)
        folder = self.models_dir / version
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise tampered_error(version, MANIFEST, "est absent / is missing")
        if file_sha256(manifest_path) != info.sha256:
            raise tampered_error(version, MANIFEST, "a été modifié / was modified")
        anchored = (audit.read_anchor(self.store.anchor_path) or {}).get("models")
        if isinstance(anchored, dict) and anchored.get(version) != info.sha256:
            raise tampered_error(
                version,
                MANIFEST,
                "ne correspond pas à l'empreinte ancrée hors de la base / does not match the "
                "hash anchored outside the database",
            )
        expected = read_manifest(manifest_path, version)
        found = {p.relative_to(folder).as_posix() for p in artefact_files(folder)}
        for name, sha in sorted(expected.items()):
            path = folder / name
            if name not in found:
                raise tampered_error(version, name, "est absent / is missing")
            if file_sha256(path) != sha:
                raise tampered_error(version, name, "a été modifié / was modified")
        unexpected = sorted(found - set(expected))
        if unexpected:
            raise tampered_error(
                version, unexpected[0], "n'est pas dans le manifeste / is unexpected"
            )
        return folder

    def verify_all(self) -> builtins.list[audit.AuditProblem]:
        """Every version checked: its files against its manifest, the manifest against the
        database, the database against the anchor file and the audit trail's registration."""
        problems = []
        with self.store.cursor("read the model registrations") as cur:
            registered = {
                e.detail.get("version"): e.detail.get("sha256")
                for e in audit.entries(cur, action="model.registered", limit=1_000_000)
            }
        for info in self.list():
            if registered.get(info.version) != info.sha256:
                problems.append(
                    audit.AuditProblem(
                        None,
                        f"model {info.version}: its recorded hash differs from the one its "
                        "registration wrote in the audit trail",
                    )
                )
            try:
                self.verify(info.version)
            except TamperedModelError as exc:
                problems.append(audit.AuditProblem(None, f"model {info.version}: {exc}"))
        return problems

    def load(self, version: str | None = None) -> TrainedModel:
        """The model of ``version`` (default: the active one), verified before reading."""
        version = version or self._active_version()
        folder = self.verify(version)
        from core.model.trained import TrainedModel

        model = TrainedModel.load(folder)
        model.metadata = {**(model.metadata or {}), "version": version}
        return model

    def load_reference(self, version: str | None = None) -> pd.DataFrame | None:
        """The drift reference sample of ``version`` (default: the active one), verified like
        :meth:`load` without reading the model (drift needs neither XGBoost nor sklearn)."""
        path = self.verify(version or self._active_version()) / "reference.parquet"
        if not path.is_file():
            return None
        import pandas as pd

        return pd.read_parquet(path)

    # ------------------------------------------------------------------ internals
    def _active_version(self) -> str:
        current = self.active()
        if current is None:
            raise ModelNotFoundError(f"Aucun modèle actif. / No active model. {HOW_TO_TRAIN}")
        return current.version

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

    def _record(
        self,
        model: TrainedModel,
        new: _NewVersion,
        actor: Actor,
        pair: InitialPair | None,
        activate: bool,
        reason: str,
    ) -> None:
        """One transaction: the version row, its audit row, its initial pair, its activation.
        The folder is moved into place inside it: a crash leaves either nothing or all."""
        metadata = model.metadata or {}
        metrics = metadata.get("metrics", {})
        version, manifest_sha, staging, folder = new
        try:
            with self.store.transaction(f"register model {version}") as cur:
                cur.execute(
                    "INSERT INTO model_versions (version, sha256, metrics, training_data_sha256, "
                    "created_at, path) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        version,
                        manifest_sha,
                        json.dumps(metrics, default=str, ensure_ascii=False),
                        metadata.get("training_sha256") or metadata.get("training_data_sha256"),
                        _utcnow(),
                        str(folder),
                    ],
                )
                summary = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
                audit.append(
                    cur,
                    actor,
                    "model.registered",
                    {"version": version, "sha256": manifest_sha, "metrics": summary},
                    after={"status": "active" if activate else "candidate"},
                    reason=reason or "entraînement / training",
                )
                if pair is not None:
                    publish_pair(
                        cur, version, pair.low, pair.high, source=pair.source, actor=actor,
                        reason=pair.reason,
                    )  # fmt: skip
                if activate:
                    set_active(cur, version, actor, "model.activated", reason)
                staging.rename(folder)
        except BaseException:
            if folder.exists() and not staging.exists():
                shutil.rmtree(folder, ignore_errors=True)
            raise


# --------------------------------------------------------------------------- helpers


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
