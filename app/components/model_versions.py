"""Registered model versions: a table, and activation / rollback after a confirmation.

Owns the version choice, the pending action awaiting confirmation and the outcome message.
Both actions verify the model's files (SHA-256 manifest) before switching; a refused
model is reported with what to do. Both are admin actions (checked in core): an auditor sees
them disabled, and a refusal from core is shown as an error.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import resources
from app.components import identity
from app.fmt import fmt
from app.i18n import current_lang, t
from app.safe import md
from core.exceptions import WorkbenchError
from core.formatting import fmt_datetime, fmt_number, fmt_pct
from core.model.registry import ModelVersion

SELECT_KEY = "model_page.version"
PENDING_KEY = "model_page.pending"  # ("activate", version) | ("rollback", version)
FEEDBACK_KEY = "model_page.feedback"  # ("success" | "error", message)


def show(versions: list[ModelVersion]) -> None:
    st.subheader(t("model_page.versions_title"))
    st.dataframe(
        _table(versions),
        hide_index=True,
        width="stretch",
        column_config={
            t("model_page.col_active"): st.column_config.CheckboxColumn(),
            t("model_page.col_auc"): st.column_config.TextColumn(help=t("model_page.help_auc")),
            t("model_page.col_log_loss"): st.column_config.TextColumn(
                help=t("model_page.help_log_loss")
            ),
            t("model_page.col_ece"): st.column_config.TextColumn(help=t("model_page.help_ece")),
        },
    )
    _actions(versions)
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback is not None:
        kind, message = feedback
        if kind == "success":
            st.success(message, icon="✅")
        else:
            st.error(message, icon="⛔")


def _table(versions: list[ModelVersion]) -> pd.DataFrame:
    lang = current_lang()

    def metric(v: ModelVersion, key: str, decimals: int = 4) -> str:
        value = v.metrics.get(key)
        return fmt_number(value, lang, decimals) if isinstance(value, int | float) else "—"

    return pd.DataFrame(
        {
            t("model_page.col_version"): [v.version for v in versions],
            t("model_page.col_active"): [v.active for v in versions],
            t("model_page.col_created"): [fmt_datetime(v.created_at) for v in versions],
            t("model_page.col_activated"): [fmt_datetime(v.activated_at) for v in versions],
            t("model_page.col_auc"): [metric(v, "auc") for v in versions],
            t("model_page.col_log_loss"): [metric(v, "log_loss") for v in versions],
            t("model_page.col_ece"): [metric(v, "ece") for v in versions],
            t("model_page.col_net_gain"): [
                fmt(lang).money(v.metrics.get("net_gain")) for v in versions
            ],
            t("model_page.col_automation"): [
                fmt_pct(v.metrics.get("automation_rate"), lang) for v in versions
            ],
        }
    )


def previous_version(versions: list[ModelVersion]) -> ModelVersion | None:
    """The version a rollback would re-activate: the last one activated before the current."""
    earlier = [v for v in versions if not v.active and v.activated_at is not None]
    return max(earlier, key=lambda v: v.activated_at, default=None)


def _actions(versions: list[ModelVersion]) -> None:
    inactive = [v.version for v in versions if not v.active]
    back = previous_version(versions)
    admin = identity.current().is_admin  # core checks it again when switching
    left, middle, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    if inactive:
        chosen = left.selectbox(t("model_page.choose_version"), inactive, key=SELECT_KEY)
    else:
        chosen = None
        left.caption(t("model_page.no_other_version"))
    middle.button(
        t("model_page.activate"),
        key="model_page.activate",
        icon="✔️",
        width="stretch",
        disabled=chosen is None or not admin,
        on_click=_ask,
        args=("activate", chosen),
    )
    right.button(
        t("model_page.rollback"),
        key="model_page.rollback",
        icon="↩️",
        width="stretch",
        disabled=back is None or not admin,
        help=None if back is not None else t("model_page.rollback_none"),
        on_click=_ask,
        args=("rollback", back.version if back else None),
    )
    if not admin:
        st.caption(t("model_page.admin_only"))
    pending = st.session_state.get(PENDING_KEY)
    if pending is None:
        return
    action, version = pending
    key = "model_page.confirm_activate" if action == "activate" else "model_page.confirm_rollback"
    with st.container(border=True):
        st.warning(t(key, version=version), icon="⚠️")
        yes, no, _ = st.columns([1, 1, 3])
        yes.button(
            t("model_page.confirm"),
            key="model_page.confirm",
            type="primary",
            width="stretch",
            on_click=_confirm,
        )
        no.button(
            t("model_page.cancel"), key="model_page.cancel", width="stretch", on_click=_cancel
        )


def _ask(action: str, version: str | None) -> None:
    if version is not None:
        st.session_state[PENDING_KEY] = (action, version)


def _cancel() -> None:
    st.session_state.pop(PENDING_KEY, None)


def _confirm() -> None:
    """Callback: run the pending action and report it."""
    action, version = st.session_state.pop(PENDING_KEY, (None, None))
    registry, actor = resources.registry(), identity.current()
    try:
        if action == "activate":
            done = registry.activate(version, actor=actor, reason=t("model_page.reason_page"))
        elif action == "rollback":
            done = registry.rollback(actor=actor, reason=t("model_page.reason_page"))
        else:
            return
    except WorkbenchError as exc:
        st.session_state[FEEDBACK_KEY] = ("error", md(exc))
        return
    st.session_state[FEEDBACK_KEY] = ("success", t("model_page.activated", version=done.version))
