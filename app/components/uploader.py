"""Upload box: owns the file uploader, the sheet choice and the result of ingesting it.

The result is kept in session state per (file, sheet), so a rerun shows the same outcome
instead of re-ingesting (which would then read "already stored").
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app import resources
from app.i18n import t
from core.ingest.pipeline import IngestResult, ingest

UPLOAD_KEY = "upload.file"
SHEET_KEY = "upload.sheet"
RESULTS_KEY = "upload.results"
FILE_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"]


@dataclass(frozen=True)
class Upload:
    file_id: str
    name: str
    data: bytes
    sheet: str | None


def show() -> Upload | None:
    """The uploader (and a sheet picker for multi-sheet workbooks); None until a file is given."""
    file = st.file_uploader(
        t("upload.file_label"), type=FILE_TYPES, key=UPLOAD_KEY, help=t("upload.file_help")
    )
    if file is None:
        return None
    data = file.getvalue()
    sheets = resources.sheets_of(data, file.name)
    sheet = None
    if len(sheets) > 1:
        sheet = st.selectbox(
            t("upload.sheet_label"), sheets, key=SHEET_KEY, help=t("upload.sheet_help")
        )
    return Upload(file.file_id, file.name, data, sheet)


def ingest_once(upload: Upload, user: str) -> IngestResult:
    """Ingest the upload the first time it is seen in this session; reuse the result after."""
    results: dict = st.session_state.setdefault(RESULTS_KEY, {})
    key = (upload.file_id, upload.sheet)
    if key not in results:
        with st.spinner(t("upload.processing", name=upload.name)):
            results[key] = ingest(
                upload.data,
                resources.config(),
                resources.store(),
                file_name=upload.name,
                sheet=upload.sheet,
                uploaded_by=user,
            )
    return results[key]
