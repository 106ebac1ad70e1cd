"""One stored claim explained: its scoring, the SHAP waterfall, the three strongest reasons,
its values and the outcome of similar labelled claims.

The switches of the waterfall belong to :mod:`app.components.explain_chart`; this component
only draws inside a fragment, so flipping a switch reruns this part alone.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components import explain_chart
from app.fmt import fmt
from app.i18n import current_lang, t
from app.safe import md
from app.theme import icon_label
from core.exceptions import WorkbenchError
from core.explain import explainer as explain
from core.explain import lookup as explain_store
from core.explain.text import claim_values
from core.formatting import fmt_datetime, fmt_number, fmt_pct
from core.model.trained import TrainedModel
from core.report.results import reason_texts
from core.scoring.results import StoredScoring

_SOURCES = ("config", "manual", "cost-optimal", "closed-form", "capacity", "guarantee")


def not_found(claim_id: str) -> None:
    """A helpful message for an unknown ID, with close matches when there are some."""
    st.warning(t("explain.not_found", id=claim_id), icon="🔍")
    close = explain_store.suggest_claim_ids(resources.store(), claim_id)
    if close:
        st.caption(t("explain.did_you_mean", ids=", ".join(close)))


def not_scored(location: explain_store.ClaimLocation) -> None:
    st.info(t("explain.not_scored", id=location.claim_id, batch=location.batch_id), icon="⏳")
    st.page_link("views/upload.py", label=t("explain.go_upload"), icon="📥")


def show(
    location: explain_store.ClaimLocation,
    scoring: StoredScoring,
    model: TrainedModel,
    row: pd.DataFrame,
    history: pd.DataFrame | None,
) -> None:
    lang = current_lang()
    st.subheader(t("explain.claim_title", id=location.claim_id))
    st.caption(
        t(
            "explain.claim_caption",
            batch=location.batch_id,
            model=scoring.model_version,
            at=fmt_datetime(scoring.scored_at),
        )
    )
    if location.n_batches > 1:
        st.caption(t("explain.in_batches", n=location.n_batches))
    _decision(scoring, row, lang)
    _explained(model, row, history, float(row["probability"].iloc[0]))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('explain.values_title')}**")
        cfg = resources.config()
        values = claim_values(row.iloc[0].to_dict(), cfg.schema, lang, cfg.costs.currency)
        table = pd.DataFrame(values, columns=[t("explain.col_column"), t("explain.col_value")])
        st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)
    with right:
        st.markdown(f"**{t('explain.similar_title')}**")
        _similar(model, row, lang)


def _decision(scoring: StoredScoring, row: pd.DataFrame, lang: str) -> None:
    th = scoring.thresholds
    code, model_code = int(row["decision"].iloc[0]), int(row["decision_model"].iloc[0])
    cols = st.columns(4)
    cols[0].metric(t("explain.card_probability"), fmt_pct(float(row["probability"].iloc[0]), lang))
    cols[1].metric(t("explain.card_decision"), icon_label(code, lang))
    cols[2].metric(t("explain.card_decision_model"), icon_label(model_code, lang))
    source = t(f"source.{th.source}") if th.source in _SOURCES else th.source
    cols[3].metric(
        t("explain.card_thresholds"),
        f"{fmt_number(th.low, lang, 2)} / {fmt_number(th.high, lang, 2)}",
        help=t("explain.card_thresholds_help", source=source),
    )
    reason = reason_texts(row, lang)[0]
    if reason:
        st.warning(t("explain.rule_moved", reason=reason), icon="📏")


@st.fragment
def _explained(
    model: TrainedModel, row: pd.DataFrame, history: pd.DataFrame | None, stored: float
) -> None:
    lang = current_lang()
    scale, grouping = explain_chart.controls()
    try:
        result = explain.explain_claim(
            model, row, history, grouping=grouping, currency=fmt(lang).currency
        )
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
        return
    chart, words = st.columns([3, 2], gap="large")
    with chart:
        explain_chart.show(result, scale, lang, key="explain.claim.waterfall")
        if abs(result.probability - stored) > 1e-4:
            st.caption(t("explain.recomputed", p=fmt_pct(result.probability, lang, 2)))
    with words:
        st.markdown(f"**{t('explain.reasons_title')}**")
        for text in explain.reasons(result, lang):
            st.markdown(f"- {md(text)}")
        st.caption(
            t(
                "explain.reasons_caption",
                base=fmt_pct(result.base_probability, lang),
                p=fmt_pct(result.probability, lang),
                ms=fmt_number(1000 * result.seconds, lang),
            )
        )


def _similar(model: TrainedModel, row: pd.DataFrame, lang: str) -> None:
    found = explain_store.similar_claims(resources.store(), row, reference=model.reference)
    if found.source == "none":
        st.caption(t("explain.similar_none"))
        return
    where = []
    if found.level_value:
        where.append(t(f"explain.similar_level_{found.level}", value=found.level_value))
    if found.amount_low is not None:
        low, high = fmt(lang).money(found.amount_low), fmt(lang).money(found.amount_high)
        where.append(t("explain.similar_amount", low=low, high=high))
    st.metric(t("explain.similar_rate"), fmt_pct(found.rate, lang, 0))
    st.caption(" · ".join([t("explain.similar_count", n=fmt_number(found.n, lang)), *where]))
    st.caption(t(f"explain.similar_source_{found.source}"))
