"""Re-decide a stored batch with the slider's pair, from its stored probabilities.

Owns the batch choice and the last outcome. The new decisions (business rules applied)
are stored as a new scoring of the batch; when the pair is the active published pair of
the model that scored the batch, the scoring refers to that publication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import resources
from app.components import identity, threshold_picker
from app.i18n import current_lang, t
from app.theme import CODES, icon_label
from core.exceptions import WorkbenchError
from core.formatting import fmt_number
from core.model.registry import ModelVersion
from core.scoring.batch import redecide

BATCH_KEY = "thresholds.redecide_batch"
RESULT_KEY = "thresholds.redecide_result"


@dataclass(frozen=True)
class Redecision:
    batch_id: int
    low: float
    high: float
    thresholds_id: int | None
    before: dict[int, int]
    after: dict[int, int]


def show(active: ModelVersion, default_batch: int | None) -> None:
    st.subheader(t("thresholds.redecide_title"))
    batches = [b for b in resources.profile_batches() if b.status == "scored"]
    if not batches:
        st.info(t("thresholds.empty_batches"), icon="📭")
        return
    ids = [b.id for b in batches]
    names = {b.id: f"#{b.id} — {b.file_name}" for b in batches}
    st.caption(t("thresholds.redecide_caption"))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("thresholds.redecide_batch"),
        ids,
        index=ids.index(default_batch) if default_batch in ids else 0,
        format_func=names.get,
        key=BATCH_KEY,
    )
    if right.button(
        t("thresholds.redecide_button"), key="thresholds.redecide", icon="🔁", width="stretch"
    ):
        try:
            with st.spinner(t("thresholds.redecide_running", id=chosen)):
                st.session_state[RESULT_KEY] = _redecide(int(chosen), active)
        except WorkbenchError as exc:
            st.error(t("thresholds.redecide_failed", error=str(exc)), icon="⛔")
    outcome: Redecision | None = st.session_state.get(RESULT_KEY)
    if outcome is not None:
        _show_outcome(outcome)


def _redecide(batch_id: int, active: ModelVersion) -> Redecision:
    store, cfg = resources.store(), resources.config()
    latest = store.latest_scoring(batch_id)
    before = store.load_scores(batch_id)["decision"].to_numpy()
    published = store.active_thresholds(latest.model_version) if latest else None
    low, high = threshold_picker.snap(
        threshold_picker.current(), (published.low, published.high) if published else None
    )
    same_pair = (
        published is not None
        and published.id is not None
        and math.isclose(published.low, low, abs_tol=1e-9)
        and math.isclose(published.high, high, abs_tol=1e-9)
    )
    thresholds_id = published.id if same_pair else None
    result = redecide(
        batch_id,
        low,
        high,
        store,
        cfg,
        save=True,
        thresholds_id=thresholds_id,
        actor=identity.current(),
        reason="re-décision depuis la page Seuils / re-decision from the Thresholds page",
    )
    counts_before = {code: int((before == code).sum()) for code in CODES}
    return Redecision(batch_id, low, high, thresholds_id, counts_before, result.counts)


def _show_outcome(outcome: Redecision) -> None:
    lang = current_lang()
    low, high = fmt_number(outcome.low, lang, 2), fmt_number(outcome.high, lang, 2)
    if outcome.thresholds_id is None:
        message = t("thresholds.redecided_manual", id=outcome.batch_id, low=low, high=high)
    else:
        message = t(
            "thresholds.redecided_published",
            id=outcome.batch_id,
            low=low,
            high=high,
            pair=outcome.thresholds_id,
        )
    st.success(message, icon="🔁")
    table = pd.DataFrame(
        {
            t("thresholds.col_decision"): [icon_label(c, lang) for c in CODES],
            t("thresholds.col_before"): [fmt_number(outcome.before[c], lang) for c in CODES],
            t("thresholds.col_after"): [fmt_number(outcome.after[c], lang) for c in CODES],
            t("thresholds.col_change"): [
                _signed(outcome.after[c] - outcome.before[c], lang) for c in CODES
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="content")


def _signed(value: int, lang: str) -> str:
    text = fmt_number(abs(value), lang)
    return ("+" if value > 0 else "−" if value < 0 else "") + text
