"""The reviewed claims of a queue; any of them reopened to change its conclusion, with the
history of its conclusions (who, when, before -> after). Owns ``review-reopen-*`` keys.

A change is a new review (``Store.save_review``): the reviews table keeps every conclusion,
the audit trail records ``review.edited`` with the previous conclusion as *before*, and the
claim's label follows the latest conclusion.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components import review_form
from app.i18n import current_lang, t, t_text
from core.config.identity import Actor
from core.formatting import fmt_datetime, fmt_money
from core.scoring.review_queue import VALUE_COLUMN, ReviewQueue
from core.store.reviews import REJECT, VALIDATE


def reopen_key(queue: ReviewQueue) -> str:
    return f"review-reopen-{queue.batch_id}-{queue.kind}"


def show(queue: ReviewQueue, actor: Actor) -> None:
    done = queue.reviewed()
    if done.empty:
        return
    st.subheader(t("review.done_title"))
    _table(done, queue)
    rows = {int(r["row_number"]): r.rename(int(r["row_number"])) for _, r in done.iterrows()}

    def name(row_number: int) -> str:
        r = rows[row_number]
        return t_text(
            "review.reopen_option",
            id=review_form.claim_name(r),
            verdict=review_form.verdict_text(int(r["review_decision"])),
            auditor=r["auditor"],
        )

    key = reopen_key(queue)
    if st.session_state.get(key) is not None and st.session_state[key] not in rows:
        st.session_state.pop(key)
    chosen = st.selectbox(
        t("review.reopen"),
        list(rows),
        index=None,
        format_func={row: name(row) for row in rows}.get,
        placeholder=t_text("review.reopen_hint"),
        key=key,
    )
    if chosen is not None:
        _edit(queue, rows[chosen], actor)


def _table(done: pd.DataFrame, queue: ReviewQueue) -> None:
    lang = current_lang()
    columns = {
        t_text("review.claim"): done["id"] if "id" in done.columns else done["row_number"],
        t_text("review.audit_value"): done[VALUE_COLUMN].map(
            lambda v: fmt_money(float(v), lang, queue.costs.currency)
        ),
        t_text("review.verdict"): done["review_decision"].map(
            lambda v: review_form.verdict_text(int(v))
        ),
        t_text("review.auditor"): done["auditor"],
        t_text("review.comment"): done["comment"],
        t_text("review.when"): done["reviewed_at"].map(fmt_datetime),
    }
    st.dataframe(pd.DataFrame(columns), hide_index=True, width="stretch")


def _edit(queue: ReviewQueue, claim: pd.Series, actor: Actor) -> None:
    row, name = int(claim.name), review_form.claim_name(claim)
    history = resources.store().review_history(queue.batch_id, row)
    st.markdown(f"**{t('review.history', claim=name)}**")
    st.dataframe(
        pd.DataFrame(
            {
                t_text("review.when"): history["reviewed_at"].map(fmt_datetime),
                t_text("review.auditor"): history["auditor"],
                t_text("review.before_after"): [
                    _change(before, after)
                    for before, after in zip(
                        history["previous_decision"], history["decision"], strict=True
                    )
                ],
                t_text("review.comment"): history["comment"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    current = int(claim["review_decision"])
    comment = claim["comment"] if isinstance(claim["comment"], str) else ""
    key = f"review-edit-{queue.batch_id}-{queue.kind}-{row}-{len(history)}"
    with st.form(f"{key}-form", enter_to_submit=True):
        st.radio(
            t("review.verdict"),
            (VALIDATE, REJECT),
            horizontal=True,
            index=(VALIDATE, REJECT).index(current),
            format_func=review_form.verdict_texts().get,
            key=f"{key}-verdict",
        )
        st.text_input(t("review.comment"), value=comment, max_chars=1000, key=f"{key}-comment")
        sub = review_form.Submission(
            queue.batch_id, row, name, key, len(history), current=(current, comment.strip())
        )
        st.form_submit_button(
            t("review.save_edit"),
            icon="✏️",
            on_click=review_form.submit,
            args=(sub, actor),
            kwargs={"reset": (reopen_key(queue),)},
        )
    review_form.problem(key)


def _change(before: object, after: object) -> str:
    first = before is None or pd.isna(before)
    old = t_text("review.first") if first else review_form.verdict_text(int(before))
    return f"{old} → {review_form.verdict_text(int(after))}"
