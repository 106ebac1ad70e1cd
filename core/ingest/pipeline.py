"""Ingest one file: read -> validate -> store, keyed by the file's SHA-256.

The same bytes uploaded twice are recognised and point to the batch already stored; for a
single-sheet workbook or a CSV, before anything is parsed. A workbook with several sheets
is keyed by its SHA-256 and the sheet read, so each sheet can be ingested once. A file that
cannot be read, or whose validation report holds an error, stores nothing. The report always
comes back, so the caller can show it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.config.identity import Actor
from core.config.settings import Config
from core.exceptions import FileRejectedError
from core.ingest.reader import SourceFile, open_source, read_table
from core.ingest.report import ValidatedBatch, ValidationReport
from core.ingest.validate import validate
from core.store.database import Store

log = logging.getLogger(__name__)

STORED, DUPLICATE, REJECTED = "stored", "duplicate", "rejected"


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file."""

    file_name: str
    sha256: str
    status: str  # "stored" | "duplicate" | "rejected"
    report: ValidationReport
    batch_id: int | None = None  # the new batch, or the one already holding this file
    n_rows: int = 0

    @property
    def accepted(self) -> bool:
        return self.status in (STORED, DUPLICATE)


def batch_key(file_sha256: str, sheet: str | None, n_sheets: int) -> str:
    """The store's key of a batch: the file's SHA-256, and for a workbook with several
    sheets, the SHA-256 of that and the name of the sheet read."""
    if n_sheets <= 1 or sheet is None:
        return file_sha256
    return hashlib.sha256(f"{file_sha256}:{sheet}".encode()).hexdigest()


def ingest(
    source: bytes | Path | SourceFile,
    cfg: Config,
    store: Store,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    actor: Actor,
    known_levels: Mapping[str, Collection[str]] | None = None,
) -> IngestResult:
    """Validate and store one batch file; never raises for a bad file (see the report).

    The file is opened once (pass a :class:`SourceFile` already opened to share that
    opening with a sheet picker); a CSV or one-sheet workbook already stored is recognised
    from its SHA-256 before any sheet is parsed.
    """
    name = file_name or _default_name(source)
    try:
        opened = open_source(source, name, limits=cfg.limits)
        n_sheets = len(opened.sheets)
        if n_sheets <= 1 and (found := _already_stored(store, opened.sha256, name)) is not None:
            return found
        batch = validate_file(opened, cfg, sheet=sheet, known_levels=known_levels)
    except FileRejectedError as exc:
        return IngestResult(name, "", REJECTED, ValidationReport.from_file_error(exc, name))
    key = batch_key(opened.sha256, batch.report.sheet, n_sheets)
    if (found := _already_stored(store, key, name)) is not None:
        return found
    if not batch.report.ok:
        return IngestResult(name, key, REJECTED, batch.report, None, batch.report.n_rows)
    saved = store.save_batch(
        batch.frame,
        file_name=name,
        sha256=key,
        sheet=batch.report.sheet,
        profile=cfg.profile,
        actor=actor,
        report_json=batch.report.to_frame("en").to_json(orient="records", force_ascii=False),
    )
    status = STORED if saved.created else DUPLICATE
    return IngestResult(name, key, status, batch.report, saved.batch_id, len(batch.frame))


def _default_name(source: bytes | Path | SourceFile) -> str:
    if isinstance(source, SourceFile):
        return source.name
    return source.name if isinstance(source, Path) else "upload"


def _already_stored(store: Store, key: str, name: str) -> IngestResult | None:
    existing = store.find_batch(key)
    if existing is None:
        return None
    log.info("%s already stored as batch %s", name, existing.id)
    report = ValidationReport(name, existing.sheet, existing.rows, (), {})
    return IngestResult(name, key, DUPLICATE, report, existing.id, existing.rows)


def validate_file(
    source: bytes | Path | SourceFile,
    cfg: Config,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    known_levels: Mapping[str, Collection[str]] | None = None,
) -> ValidatedBatch:
    """Read and validate without storing (raises FileRejectedError for unreadable files)."""
    raw = read_table(source, file_name, sheet=sheet, limits=cfg.limits, schema=cfg.schema)
    return validate(raw, cfg.schema, cfg.limits, known_levels=known_levels)
