"""The only home of Streamlit caches around core/.

Cached resources are shared by every session and thread: the configuration and the store
(one DuckDB connection per process; each core call takes its own cursor) are safe to share.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from core.config import Config, load_config
from core.excel import list_sheets
from core.exceptions import WorkbenchError
from core.model import TrainedModel
from core.registry import ModelVersion, Registry
from core.store import Store, open_store

PROFILE_ENV = "WORKBENCH_PROFILE"


@st.cache_resource(show_spinner=False)
def config() -> Config:
    return load_config(os.environ.get(PROFILE_ENV))


@st.cache_resource(show_spinner=False)
def store() -> Store:
    return open_store(config())


@st.cache_data(show_spinner=False, max_entries=16)
def sheets_of(data: bytes, file_name: str) -> list[str]:
    """Sheet names of an uploaded workbook ([] for CSV or an unreadable file)."""
    if file_name.lower().endswith(".csv"):
        return []
    try:
        return list_sheets(data, file_name)
    except WorkbenchError:  # an unreadable file is reported by ingest, with its reason
        return []


@st.cache_data(show_spinner=False, max_entries=8)
def claims_preview(batch_id: int, rows: int = 200) -> pd.DataFrame:
    """First rows of a stored batch (a stored batch never changes, so this caches safely)."""
    return store().load_claims(batch_id).head(rows)


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    return Registry(config().paths.models_dir, store())


def active_version() -> ModelVersion | None:
    """The active model version (a cheap query, not cached: activation can change it)."""
    return registry().active()


@st.cache_resource(show_spinner=False, max_entries=4)
def model(version: str) -> TrainedModel:
    """A loaded model (hashes checked on load); versions are immutable, so caching is safe."""
    return registry().load(version)
