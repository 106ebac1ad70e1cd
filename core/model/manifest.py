"""A model version's files and their manifest: SHA-256 of every artefact, checked before use.

``manifest.json`` lists the SHA-256 of every file a model version wrote; the version's name
sorts in creation order (``YYYYMMDD-HHMMSS-<6 hex of the artefacts' hash>``, UTC).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from core.exceptions import StoreError, TamperedModelError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def artefact_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` except the manifest, sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(folder: Path, models_dir: Path) -> tuple[str, str]:
    """Hash the artefacts, name the version, write manifest.json; (version, its SHA-256)."""
    files = {p.relative_to(folder).as_posix(): file_sha256(p) for p in artefact_files(folder)}
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


def read_manifest(path: Path, version: str) -> dict[str, str]:
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise tampered_error(version, MANIFEST, "est illisible / is unreadable") from exc
    if not isinstance(files, dict):
        raise tampered_error(version, MANIFEST, "est illisible / is unreadable")
    return {str(k): str(v) for k, v in files.items()}


def tampered_error(version: str, name: str, what: str) -> TamperedModelError:
    return TamperedModelError(
        f"Modèle {version} refusé : le fichier {name} {what} (empreinte SHA-256 du manifeste). "
        f"/ Model {version} refused: file {name} does not match its manifest. "
        "Restaurez le dossier models/ depuis une sauvegarde, activez une autre version "
        "(`python -m core models activate VERSION`) ou ré-entraînez (`python -m core train`). "
        "/ Restore the models/ folder from a backup, activate another version or retrain."
    )
