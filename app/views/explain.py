"""Explain page: why a claim got its score (deep link ?claim=<ID> or search), what-if, and the
model's global explanations."""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import explain_claim, explain_global, explain_search, explain_whatif
from app.i18n import t
from app.safe import md
from core.exceptions import WorkbenchError
from core.explain import lookup as explain_store

st.title(t("explain.title"))
st.caption(t("explain.caption"))

store = resources.store()
claim_id = explain_search.show()
location = explain_store.find_claim(store, claim_id) if claim_id else None
if location is not None:
    explain_search.confirm(location.claim_id)
context = None
try:
    if location is not None and location.scored_at is not None:
        scoring = resources.claim_scoring(  # the claim and its client's rows, not the batch
            location.batch_id, str(location.scored_at), location.row_number
        )
        model = resources.model(scoring.model_version)
        row = explain_store.claim_frame(scoring.frame, location.row_number)
        history = explain_store.claim_history(store, scoring.frame, row, location.batch_id)
        context = (scoring, model, row, history)
except WorkbenchError as exc:
    st.error(md(exc), icon="⛔")

tab_claim, tab_whatif, tab_global = st.tabs(
    [t("explain.tab_claim"), t("explain.tab_whatif"), t("explain.tab_global")],
    key="explain.tab",
    on_change="rerun",
)
with tab_claim:
    if tab_claim.open:
        if claim_id is None:
            st.info(t("explain.empty"), icon="🔎")
        elif location is None:
            explain_claim.not_found(claim_id)
        elif location.scored_at is None:
            explain_claim.not_scored(location)
        elif context is not None:
            explain_claim.show(location, *context)

with tab_whatif:
    if tab_whatif.open:
        if context is None:
            st.info(t("explain.whatif_empty"), icon="🧪")
        else:
            scoring, model, row, history = context
            explain_whatif.show(
                model, row, history, version=scoring.model_version, batch_id=location.batch_id
            )

with tab_global:
    if tab_global.open:
        version = context[0].model_version if context else None
        if version is None:
            active = resources.active_version()
            version = active.version if active else None
        if version is None:
            st.info(t("explain.no_model"), icon="🧠")
        else:
            try:
                explain_global.show(
                    version,
                    resources.model(version),
                    batch_id=location.batch_id if location else None,
                )
            except WorkbenchError as exc:
                st.error(md(exc), icon="⛔")
