"""One claim of the audit queue: its facts and the auditor's conclusion (owns ``review.*``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.fmt import fmt
from app.i18n import current_lang, t
from app.safe import md
from core.config.identity import Actor
from core.decide.rules import localized_reason
from core.formatting import fmt_date, fmt_number
from core.store.reviews import REJECT, VALIDATE

PICK_KEY = "review.claim"


def pick(pending: pd.DataFrame) -> pd.Series | None:
    """A selectbox over the pending claims (in queue order); the chosen row, or None."""
    if pending.empty:
        return None
    lang = current_lang()
    rows = {int(r.row_number): r for r in pending.head(500).itertuples(index=False)}

    def name(row_number: int) -> str:
        r = rows[row_number]
        amount = fmt(lang).money(getattr(r, "amount", None)) if hasattr(r, "amount") else ""
        return (
            f"{getattr(r, 'id', row_number)} — {amount} — p = {fmt_number(r.probability, lang, 2)}"
        )

    chosen = st.selectbox(t("review.pick"), list(rows), format_func=name, key=PICK_KEY)
    return pending.set_index("row_number").loc[chosen].rename(chosen) if chosen else None


def show(batch_id: int, claim: pd.Series, actor: Actor) -> None:
    lang = current_lang()
    cfg = resources.config()
    facts = {
        c.name: _fmt(claim.get(c.key), c.type, lang)
        for c in cfg.schema.columns
        if c.key in claim.index and c.role != "label"
    }
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.dataframe(
            pd.DataFrame({t("review.field"): list(facts), t("review.value"): list(facts.values())}),
            hide_index=True,
            width="stretch",
        )
    with right:
        st.metric(t("table.probability"), fmt(lang).pct(float(claim["probability"])))
        if claim.get("rule_reason"):
            reason = localized_reason(claim.get("rule_flags") or "", claim["rule_reason"], lang)
            st.info(md(reason), icon="📏")
        if "id" in claim.index:
            st.page_link(
                "views/explain.py",
                label=t("review.explain"),
                icon="🔎",
                query_params={"claim": str(claim["id"])},
            )
        with st.form(f"review.form.{batch_id}.{claim.name}", clear_on_submit=True):
            verdict = st.radio(
                t("review.verdict"),
                (VALIDATE, REJECT),
                horizontal=True,
                index=None,  # no default conclusion: the auditor must choose one
                format_func=lambda v: t(
                    "review.justified" if v == VALIDATE else "review.unjustified"
                ),
            )
            comment = st.text_area(t("review.comment"), max_chars=1000)
            if st.form_submit_button(t("review.save"), type="primary"):
                if verdict is None:
                    st.error(t("review.choose"), icon="☝️")
                    return
                resources.store().save_review(
                    batch_id,
                    int(claim.name),
                    actor=actor,
                    decision=int(verdict),
                    comment=comment,
                )
                st.toast(t("review.saved"), icon="✅")
                st.rerun()


def _fmt(value: object, kind: str, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "amount":
        return fmt(lang).money(float(value), 2)
    if kind == "date":
        return fmt_date(pd.Timestamp(value))
    if kind == "number":
        return fmt_number(float(value), lang, 1)
    return str(value)
