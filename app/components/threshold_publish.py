"""Publish the slider's pair as the active thresholds of the active model version.

Owns the reason field and the outcome message. Publishing needs a reason and an admin (checked
in core; an auditor sees the controls disabled, and a refusal from core is shown as an error);
it records the signed-in identity, the costs in force, the time and where the pair
came from (a chooser, or manual). It runs inside the slider's fragment, then asks for one
full rerun so the history and the rest of the page show the new active pair.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from app import resources
from app.components import identity, threshold_costs, threshold_republish
from app.components.threshold_logic import source_label
from app.i18n import current_lang, t
from core.exceptions import WorkbenchError
from core.formatting import fmt_number

REASON_KEY = "thresholds.reason"
FEEDBACK_KEY = "thresholds.publish_feedback"  # ("success" | "error", message)
REFRESH_KEY = "thresholds.publish_refresh"  # set by a publication: rerun the whole page


def show(version: str, pair: tuple[float, float], source: str) -> None:
    lang = current_lang()
    st.subheader(t("thresholds.publish_title"))
    st.caption(
        t(
            "thresholds.publish_caption",
            low=fmt_number(pair[0], lang, 2),
            high=fmt_number(pair[1], lang, 2),
            source=source_label(source, t),
            version=version,
        )
    )
    admin = identity.current().is_admin  # core checks it again when publishing
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.text_input(
        t("thresholds.reason_label"),
        key=REASON_KEY,
        placeholder=t("thresholds.reason_placeholder"),
        max_chars=500,
        disabled=not admin,
    )
    right.button(
        t("thresholds.publish_button"),
        key="thresholds.publish",
        type="primary",
        icon="📌",
        width="stretch",
        disabled=not admin,
        on_click=_publish,
        args=(version, pair, source),
    )
    if not admin:
        st.caption(t("thresholds.publish_admin_only"))
    if st.session_state.pop(REFRESH_KEY, False):
        st.rerun()  # the history and the page's active pair are outside this fragment
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback is not None:
        kind, message = feedback
        if kind == "success":
            st.success(message, icon="✅")
        else:
            st.error(message, icon="⛔")


def _publish(version: str, pair: tuple[float, float], source: str) -> None:
    """Button callback: check the reason, store the pair, report the outcome."""
    lang = current_lang()
    reason = (st.session_state.get(REASON_KEY) or "").strip()
    if not reason:
        st.session_state[FEEDBACK_KEY] = ("error", t("thresholds.reason_required"))
        return
    try:
        cfg = resources.config()
        active = resources.store().active_thresholds(version, cfg.thresholds)
        costs = threshold_costs.current(cfg.costs, active.costs if active else None)
        record = resources.store().publish_thresholds(
            version,
            pair[0],
            pair[1],
            source=source,
            actor=identity.current(),
            reason=reason,
            costs=dataclasses.asdict(costs),
        )
    except WorkbenchError as exc:
        st.session_state[FEEDBACK_KEY] = ("error", t("thresholds.publish_failed", error=str(exc)))
        return
    st.session_state[REASON_KEY] = ""
    st.session_state[REFRESH_KEY] = True
    st.session_state[threshold_republish.JUST_PUBLISHED_KEY] = True  # offer to re-decide
    st.session_state[FEEDBACK_KEY] = (
        "success",
        t(
            "thresholds.published",
            id=record.id,
            low=fmt_number(record.low, lang, 2),
            high=fmt_number(record.high, lang, 2),
            user=record.published_by,
        ),
    )
