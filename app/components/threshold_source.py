"""Where the thresholds page takes its claims from: a scored batch, or the model's test set.

Owns the choice's session key. Returns the chosen :class:`ClaimsSource` (None, after an
empty state with the next action, when there is nothing to tune on).
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from app import resources
from app.components.threshold_logic import BATCH, TEST_SET, ClaimsArrays, ClaimsSource
from app.i18n import current_lang, t, t_text
from core.exceptions import WorkbenchError
from core.formatting import fmt_datetime, fmt_number
from core.model.registry import ModelVersion

SOURCE_KEY = "thresholds.source"
TEST_OPTION = "test"


def show(active: ModelVersion) -> ClaimsSource | None:
    """The source picker; None (with the next action shown) when there is no data."""
    store = resources.store()
    batches = {b.id: b for b in resources.profile_batches() if b.status == "scored"}
    has_test_set = _has_test_set(active.version)
    options: list[object] = list(batches)
    if has_test_set:
        options.append(TEST_OPTION)
    if not options:
        st.info(t("thresholds.empty_batches"), icon="📭")
        st.page_link("views/upload.py", label=t("thresholds.go_upload"), icon="📥")
        return None
    lang = current_lang()

    def describe(option: object) -> str:
        if option == TEST_OPTION:
            return t_text("thresholds.option_test_set", version=active.version)
        batch = batches[option]
        return t_text(
            "thresholds.option_batch",
            id=batch.id,
            file=batch.file_name,
            rows=fmt_number(batch.rows, lang),
        )

    if st.session_state.get(SOURCE_KEY) not in options:
        st.session_state.pop(SOURCE_KEY, None)  # a choice that no longer exists
    chosen = st.selectbox(
        t("thresholds.source_label"),
        options,
        format_func=describe,
        key=SOURCE_KEY,
        help=t("thresholds.source_help"),
    )
    if chosen == TEST_OPTION:
        return ClaimsSource(TEST_SET, active.version)
    scoring = store.latest_scoring(int(chosen))
    if scoring is None:  # scored status but no scores: treat as not scored
        st.info(t("thresholds.empty_batches"), icon="📭")
        return None
    return ClaimsSource(BATCH, str(chosen), scoring.scored_at.isoformat())


def describe_data(source: ClaimsSource, arrays: ClaimsArrays, active: ModelVersion) -> None:
    """One line on the claims in use, and a warning when another model scored them."""
    lang = current_lang()
    labels = t("thresholds.labelled") if arrays.has_labels else t("thresholds.unlabelled")
    line = t("thresholds.data_caption", n=fmt_number(arrays.n, lang), labels=labels)
    if source.kind == BATCH and source.stamp:
        stamp = fmt_datetime(datetime.fromisoformat(source.stamp))
        line += " " + t("thresholds.scored_by", version=arrays.model_version, at=stamp)
    st.caption(line)
    if arrays.model_version and arrays.model_version != active.version:
        st.warning(
            t("thresholds.other_model", version=arrays.model_version, active=active.version),
            icon="⚠️",
        )


def _has_test_set(version: str) -> bool:
    """Whether the active model carries test-set predictions (False when it cannot load)."""
    try:
        return resources.test_set(version) is not None
    except WorkbenchError as exc:
        st.warning(t("thresholds.model_unreadable", error=str(exc)), icon="⚠️")
        return False
