"""Upload box: owns the file uploader, the sheet choice and the result of ingesting it.

The sheet picker starts on the sheet the command line reads (the one most like a claims
table, :func:`core.ingest.reader.choose_sheet`). The file is opened once per upload
(:func:`core.ingest.reader.open_source`) and kept in session state for that upload only:
the sheet picker, the ingestion and the results download all read from that one opening,
and a rerun neither re-reads nor re-hashes the bytes. The
ingest result is kept per (file, sheet), so a rerun shows the same outcome instead of
re-ingesting (which would then read "already stored").
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app import resources
from app.i18n import t
from core.config.identity import Actor
from core.exceptions import FileRejectedError
from core.ingest.known_levels import stored_known_levels
from core.ingest.pipeline import IngestResult, ingest
from core.ingest.reader import SourceFile, choose_sheet, open_source

UPLOAD_KEY = "upload.file"
SHEET_KEY = "upload.sheet"
OPENED_KEY = "upload.opened"
RESULTS_KEY = "upload.results"
FILE_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"]


@dataclass(frozen=True)
class Upload:
    file_id: str
    name: str
    source: SourceFile | bytes  # the opened file; its bytes when it could not be opened
    sheet: str | None


def show() -> Upload | None:
    """The uploader (and a sheet picker for multi-sheet workbooks); None until a file is given."""
    file = st.file_uploader(
        t("upload.file_label"), type=FILE_TYPES, key=UPLOAD_KEY, help=t("upload.file_help")
    )
    if file is None:
        return None
    source = _opened(file.file_id, file.name, file.getvalue)
    sheets = source.sheets if isinstance(source, SourceFile) else ()
    sheet = None
    if len(sheets) > 1:
        default = _default_sheet(source)
        if st.session_state.get(SHEET_KEY) not in sheets:  # a new file: its own default
            st.session_state[SHEET_KEY] = default
        sheet = st.selectbox(
            t("upload.sheet_label"), sheets, key=SHEET_KEY, help=t("upload.sheet_help")
        )
    return Upload(file.file_id, file.name, source, sheet)


def _default_sheet(source: SourceFile) -> str:
    """The sheet the command line would read: the one most like a claims table."""
    cfg = resources.config()
    try:
        chosen = choose_sheet(source, limits=cfg.limits, schema=cfg.schema).sheet
    except FileRejectedError:
        chosen = None
    return chosen or source.sheets[0]


def _opened(file_id: str, name: str, read) -> SourceFile | bytes:
    """The upload opened once; a file that cannot be opened stays bytes and ``ingest``
    reports why. Only the current upload is kept."""
    kept = st.session_state.get(OPENED_KEY)
    if kept is None or kept[0] != file_id:
        data = read()
        try:
            source: SourceFile | bytes = open_source(data, name, limits=resources.config().limits)
        except FileRejectedError:
            source = data
        kept = (file_id, source)
        st.session_state[OPENED_KEY] = kept
        st.session_state.pop(SHEET_KEY, None)  # the picker starts on this file's default
    return kept[1]


def is_new(upload: Upload) -> bool:
    """Whether this run will ingest the upload (first time this session sees it)."""
    return (upload.file_id, upload.sheet) not in st.session_state.get(RESULTS_KEY, {})


def ingest_once(upload: Upload, actor: Actor) -> IngestResult:
    """Ingest the upload the first time it is seen in this session; reuse the result after.

    The caller holds the upload's turn (:func:`app.resources.interactive_turn`) when
    :func:`is_new` says this run ingests: the Upload page takes one turn for ingestion and
    scoring together."""
    results: dict = st.session_state.setdefault(RESULTS_KEY, {})
    key = (upload.file_id, upload.sheet)
    if is_new(upload):
        cfg, store = resources.config(), resources.store()
        with st.spinner(t("upload.processing", name=upload.name)):
            results[key] = ingest(
                upload.source,
                cfg,
                store,
                file_name=upload.name,
                sheet=upload.sheet,
                actor=actor,
                known_levels=stored_known_levels(store, cfg.paths.models_dir),
            )
    return results[key]
