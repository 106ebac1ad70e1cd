"""The next claim of a review queue and the one-action conclusion (owns ``review-*`` keys).

Keyboard flow: the conclusion radio is the form's first widget and gets the focus (a static
script, see :func:`_focus`); arrow keys choose fondée / non fondée, Tab reaches the comment,
and Enter in the comment (a one-line text input: Streamlit forms submit on Enter there) saves
and moves on — as does one click on « Enregistrer et suivant ». Each claim has a form of its
own (its key holds the claim's row), so the next claim always starts blank; a refused save
(no conclusion chosen) keeps the comment typed so far. After a save the claim picker is reset
to the first unreviewed claim of the queue — the most valuable audit left — and the next run
shows a toast naming the claim saved (:func:`announce`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import resources, theme
from app.fmt import fmt
from app.i18n import current_lang, t, t_text
from app.safe import md
from core.config.identity import Actor
from core.decide.rules import localized_reason
from core.exceptions import WorkbenchError
from core.formatting import fmt_date, fmt_money, fmt_number
from core.scoring.review_queue import VALUE_COLUMN, ReviewQueue
from core.store.reviews import REJECT, VALIDATE

SAVED_KEY = "review-saved"  # what the last save was, for the next run's toast
PROBLEM_KEY = "review-problem"  # (form key or None, catalogue key or message): a refusal
PICK_LIMIT = 500


def pick_key(queue: ReviewQueue) -> str:
    return f"review-claim-{queue.batch_id}-{queue.kind}"


def claim_name(claim: pd.Series) -> str:
    """The claim's ID (its row number when the profile has no ID column)."""
    value = claim.get("id")
    return str(claim.name) if value is None or pd.isna(value) else str(value)


def verdict_text(code: int) -> str:
    return t_text("review.justified" if code == VALIDATE else "review.unjustified")


def verdict_texts() -> dict[int, str]:
    """The two conclusions' labels in the session's language (for a widget's format_func,
    which must not read the session when it is called later)."""
    return {VALIDATE: verdict_text(VALIDATE), REJECT: verdict_text(REJECT)}


def announce() -> None:
    """A toast naming the claim the previous submission saved, or why it was refused when
    its form is gone (once)."""
    found = st.session_state.get(PROBLEM_KEY)
    if found and found[0] is None:
        del st.session_state[PROBLEM_KEY]
        st.error(md(found[1]), icon="⛔")
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        key = "review.edited" if saved["edited"] else "review.saved"
        st.toast(t(key, claim=saved["claim"], verdict=verdict_text(saved["verdict"])), icon="✅")


def remember_save(claim: str, verdict: int, *, edited: bool) -> None:
    st.session_state[SAVED_KEY] = {"claim": claim, "verdict": verdict, "edited": edited}


def pick(queue: ReviewQueue) -> pd.Series | None:
    """A select box over the unreviewed claims, in queue order (the first by default)."""
    pending = queue.pending().head(PICK_LIMIT)
    if pending.empty:
        return None
    lang, currency = current_lang(), queue.costs.currency
    # columns read once (no Series per row: 500 of them cost more than the page itself)
    rows = [int(r) for r in pending["row_number"]]
    ids = pending["id"] if "id" in pending.columns else pd.Series(None, index=pending.index)
    key = pick_key(queue)
    if st.session_state.get(key) not in rows:
        st.session_state.pop(key, None)  # saved meanwhile: back to the first of the queue
    names = {  # made now: the language is the session's
        row: t_text(
            "review.pick_option",
            id=str(row) if claim is None or pd.isna(claim) else str(claim),  # as claim_name
            value=fmt_money(float(value), lang, currency),
            p=fmt_number(float(p), lang, 2),
        )
        for row, claim, value, p in zip(
            rows, ids, pending[VALUE_COLUMN], pending["probability"], strict=True
        )
    }
    chosen = st.selectbox(t("review.pick"), rows, format_func=names.get, key=key)
    if queue.remaining > PICK_LIMIT:  # the others come in turn with « Enregistrer et suivant »
        st.caption(t("review.pick_truncated", n=fmt_number(PICK_LIMIT, lang)))
    return pending.iloc[rows.index(chosen)].rename(chosen)


def show(queue: ReviewQueue, claim: pd.Series, actor: Actor) -> None:
    """The claim's facts, what an audit of it is worth, and the conclusion form."""
    lang = current_lang()
    left, right = st.columns([3, 2], gap="large")
    with left:
        facts(claim, lang)
    with right:
        st.metric(t("table.probability"), fmt(lang).pct(float(claim["probability"])))
        st.metric(
            t("review.audit_value"),
            fmt_money(float(claim[VALUE_COLUMN]), lang, queue.costs.currency),
            help=t("review.audit_value_help"),
        )
        if queue.kind == "qc":
            st.metric(t("review.automatic"), theme.icon_label(int(claim["decision"]), lang))
        if claim.get("rule_reason"):
            reason = localized_reason(claim.get("rule_flags") or "", claim["rule_reason"], lang)
            st.info(md(reason), icon="📏")
        if "id" in claim.index and pd.notna(claim["id"]):
            st.page_link(
                "views/explain.py",
                label=t("review.explain"),
                icon="🔎",
                query_params={"claim": str(claim["id"])},
            )
        _form(queue, claim, actor)


def facts(claim: pd.Series, lang: str) -> None:
    """The claim's fields under the profile's headers (the label left out)."""
    cfg = resources.config()
    shown = {
        c.name: _fmt(claim.get(c.key), c.type, lang)
        for c in cfg.schema.columns
        if c.key in claim.index and c.role != "label"
    }
    st.dataframe(
        pd.DataFrame(
            {t_text("review.field"): list(shown), t_text("review.value"): list(shown.values())}
        ),
        hide_index=True,
        width="stretch",
    )


def _form(queue: ReviewQueue, claim: pd.Series, actor: Actor) -> None:
    row = int(claim.name)
    key = f"review-{queue.batch_id}-{queue.kind}-{row}"
    with st.form(f"{key}-form", enter_to_submit=True):
        st.radio(
            t("review.verdict"),
            (VALIDATE, REJECT),
            horizontal=True,
            index=None,  # no default conclusion: the auditor must choose one
            format_func=verdict_texts().get,
            key=f"{key}-verdict",
        )
        st.text_input(
            t("review.comment"),
            max_chars=1000,
            key=f"{key}-comment",
            placeholder=t_text("review.comment_hint"),
        )
        st.form_submit_button(
            t("review.save"),
            type="primary",
            icon="💾",
            on_click=submit,
            args=(Submission(queue.batch_id, row, claim_name(claim), key, 0), actor),
            kwargs={"reset": (pick_key(queue),)},
        )
    _focus(f"{key}-verdict")
    problem(key)


@dataclass(frozen=True)
class Submission:
    """What a conclusion form was about when it was drawn."""

    batch_id: int
    row: int
    claim: str  # the claim's ID, for the confirmation
    form: str  # the form's key prefix ("<form>-verdict", "<form>-comment")
    seen: int  # reviews of the claim on screen when the form was drawn
    current: tuple[int, str] | None = None  # the conclusion being edited (verdict, comment)


def submit(sub: Submission, actor: Actor, *, reset: tuple[str, ...] = ()) -> None:
    """Form callback: it runs before the page, so a conclusion is saved — or refused with a
    message — even when its claim is no longer on screen (reviewed meanwhile by a colleague)."""
    state = st.session_state
    verdict = state.get(f"{sub.form}-verdict")
    comment = (state.get(f"{sub.form}-comment") or "").strip()
    if verdict is None:
        state[PROBLEM_KEY] = (sub.form, "review.choose")
        return
    if sub.current is not None and (int(verdict), comment) == sub.current:
        state[PROBLEM_KEY] = (sub.form, "review.unchanged")
        return
    try:
        resources.store().save_review(
            sub.batch_id, sub.row, actor=actor, decision=int(verdict), comment=comment,
            seen=sub.seen,
        )  # fmt: skip
    except WorkbenchError as exc:  # e.g. a colleague reviewed it meanwhile: nothing replaced
        state[PROBLEM_KEY] = (None, str(exc))
        return
    remember_save(sub.claim, int(verdict), edited=sub.current is not None)
    for key in reset:
        state.pop(key, None)


def problem(form: str) -> None:
    """The refusal of this form's last submission, shown under it."""
    found = st.session_state.get(PROBLEM_KEY)
    if found and found[0] == form:
        del st.session_state[PROBLEM_KEY]
        if found[1] == "review.unchanged":
            st.info(t(found[1]), icon="ℹ️")
        else:
            st.error(t(found[1]), icon="☝️")


# The first conclusion option of a claim's form gets the keyboard focus when the form first
# shows (the script's text changes with the claim, so it runs once per claim). Static code:
# the only value in it is the widget key, made of digits and the queue kind.
_FOCUS = """<script>
(() => {
  const selector = '.st-key-%s input[type="radio"]';
  let tries = 0;
  const focus = () => {
    const input = document.querySelector(selector);
    if (input) input.focus({preventScroll: true});
    else if (++tries < 40) setTimeout(focus, 50);
  };
  focus();
})();
</script>"""


def _focus(widget_key: str) -> None:
    st.html(_FOCUS % widget_key, unsafe_allow_javascript=True)


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
