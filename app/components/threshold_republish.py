"""After a publication: the batches still decided with another pair, re-decided on request.

Publishing a pair changes no stored decision. This section lists the scored batches of the
profile that the active model decided with another pair (which pair, when) and re-decides
the chosen ones with the published pair — rules applied, from the stored probabilities, each
recorded as a re-decision. Owns ``thresholds.republish.*`` keys; expanded right after a
publication (``JUST_PUBLISHED_KEY``, set by the publish box).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components import identity
from app.components.batch_list import pair_text
from app.i18n import current_lang, t
from core.exceptions import WorkbenchError
from core.formatting import fmt_datetime, fmt_number
from core.scoring.republish import redecide_with
from core.store.thresholds import ThresholdsRecord

CHOSEN_KEY = "thresholds.republish.batches"
DONE_KEY = "thresholds.republish.done"  # (pair id, [batch ids]) of the last re-decision
JUST_PUBLISHED_KEY = "thresholds.republish.just_published"


def show(published: ThresholdsRecord) -> None:
    """Nothing when no pair is published or every batch already applies it."""
    just_published = st.session_state.pop(JUST_PUBLISHED_KEY, False)
    done = st.session_state.get(DONE_KEY)
    if done is not None and done[0] == published.id:
        st.success(t("thresholds.republish_done", n=len(done[1]), pair=published.id), icon="🔁")
    outdated = resources.outdated(published)
    if not outdated:
        return
    lang = current_lang()
    low, high = fmt_number(published.low, lang, 2), fmt_number(published.high, lang, 2)
    title = t("thresholds.republish_title", n=len(outdated), pair=published.id)
    with st.expander(title, expanded=just_published, icon="🔁"):
        st.caption(t("thresholds.republish_caption", low=low, high=high, pair=published.id))
        table = pd.DataFrame(
            {
                t("batches.col_id"): [o.batch.id for o in outdated],
                t("batches.col_file"): [o.batch.file_name for o in outdated],
                t("batches.col_rows"): [fmt_number(o.batch.rows, lang) for o in outdated],
                t("batches.col_pair"): [pair_text(o.scoring, lang) for o in outdated],
                t("batches.col_scored_at"): [fmt_datetime(o.scoring.scored_at) for o in outdated],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        names = {o.batch.id: f"n° {o.batch.id} — {o.batch.file_name}" for o in outdated}
        if not set(st.session_state.get(CHOSEN_KEY) or []) <= set(names):
            st.session_state.pop(CHOSEN_KEY, None)
        chosen = st.multiselect(
            t("thresholds.republish_batches"),
            list(names),
            default=list(names),
            format_func=names.get,
            key=CHOSEN_KEY,
        )
        if st.button(
            t("thresholds.republish_button", n=len(chosen), pair=published.id),
            key="thresholds.republish.run",
            type="primary",
            icon="🔁",
            disabled=not chosen,
        ):
            _redecide(published, chosen)


def _redecide(published: ThresholdsRecord, batch_ids: list[int]) -> None:
    try:
        with st.spinner(t("thresholds.republish_running", n=len(batch_ids))):
            redecide_with(
                published,
                batch_ids,
                resources.store(),
                resources.config(),
                actor=identity.current(),
            )
    except WorkbenchError as exc:
        st.error(t("thresholds.redecide_failed", error=str(exc)), icon="⛔")
        return
    st.session_state[DONE_KEY] = (published.id, list(batch_ids))
    st.session_state.pop(CHOSEN_KEY, None)
    st.rerun()
