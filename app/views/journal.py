"""Journal page (admins): the audit trail newest first, with filters, and its verification.

Reading the trail is an admin action (``audit.read``, checked with core's policy); auditors
are told the page is reserved to admins. Every value is shown as data in a table (a table
never interprets markup). The verification walks the hash chain, compares its end with the
anchor file, and checks every registered model's files, as ``python -m core audit verify``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app import resources
from app.components import identity
from app.i18n import t
from core.config.identity import require
from core.store import audit
from core.store.database import Store

LIMIT = 500  # rows shown, newest first
ALL = ""  # the "no filter" choice of a selectbox
VERIFY_KEY = "journal.verification"  # (verified at, ChainCheck, model problems, models)


def _choices(store: Store) -> tuple[list[str], list[str]]:
    """The identities and the action prefixes (families, then actions) found in the trail."""
    with store.cursor("read the audit trail") as cur:
        actors = cur.execute("SELECT DISTINCT actor FROM audit_log ORDER BY 1").fetchall()
        actions = cur.execute("SELECT DISTINCT action FROM audit_log").fetchall()
    names = [a for (a,) in actions]
    families = {a.split(".", 1)[0] + "." for a in names if "." in a}
    return [a for (a,) in actors], sorted(families) + sorted(names)


def _json(value: Any) -> str:
    return "" if value is None else audit.to_json(value) or ""


def _change(entry: audit.AuditEntry) -> str:
    if entry.before is None and entry.after is None:
        return ""
    return f"{_json(entry.before) or '∅'} → {_json(entry.after) or '∅'}"


def table(entries: list[audit.AuditEntry]) -> pd.DataFrame:
    """The rows as displayed, with localised headers."""
    return pd.DataFrame(
        {
            t("journal.col_id"): [e.id for e in entries],
            t("journal.col_when"): [e.logged_at.strftime("%d/%m/%Y %H:%M:%S") for e in entries],
            t("journal.col_actor"): [e.actor for e in entries],
            t("journal.col_role"): [
                t(f"identity.role_{e.role}") if e.role in ("admin", "auditor") else e.role
                for e in entries
            ],
            t("journal.col_action"): [e.action for e in entries],
            t("journal.col_detail"): [_json(e.detail) for e in entries],
            t("journal.col_change"): [_change(e) for e in entries],
            t("journal.col_reason"): [e.reason for e in entries],
        }
    )


def _since(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time())


def _filters(store: Store) -> tuple[str | None, str | None, dt.datetime | None]:
    actors, actions = _choices(store)
    left, middle, right = st.columns(3)
    everyone = t("journal.f_all")
    who = left.selectbox(
        t("journal.f_actor"),
        [ALL, *actors],
        format_func=lambda v: v or everyone,
        key="journal.actor",
    )
    prefix = middle.selectbox(
        t("journal.f_action"),
        [ALL, *actions],
        format_func=lambda v: v or everyone,
        key="journal.action",
        help=t("journal.f_action_help"),
    )
    day = right.date_input(
        t("journal.f_since"), value=None, format="DD/MM/YYYY", key="journal.since"
    )
    return who or None, prefix or None, _since(day)


def _verify(store: Store) -> None:
    """Verify the chain and the models; keep the outcome for display."""
    registry = resources.registry()
    with store.cursor("verify the audit trail") as cur:
        chain = audit.verify_chain(cur, store.anchor_path)
    models = registry.verify_all()
    st.session_state[VERIFY_KEY] = (dt.datetime.now(), chain, models, len(registry.list()))


def _verification(store: Store) -> None:
    st.subheader(t("journal.verify_title"))
    st.caption(t("journal.verify_caption"))
    if st.button(t("journal.verify_button"), key="journal.verify", icon="🔗"):
        _verify(store)
    outcome = st.session_state.get(VERIFY_KEY)
    if outcome is None:
        return
    at, chain, models, n_models = outcome
    problems = [*chain.problems, *models]
    when = at.strftime("%H:%M:%S")
    if not problems:
        st.success(
            t(
                "journal.verify_ok",
                rows=chain.rows,
                head=chain.head_id if chain.head_id is not None else "—",
                models=n_models,
                at=when,
            ),
            icon="✅",
        )
        return
    st.error(t("journal.verify_broken", n=len(problems), at=when), icon="🚨")
    st.dataframe(
        pd.DataFrame(
            {
                t("journal.col_where"): [
                    str(p.row_id) if p.row_id is not None else t("journal.where_anchor")
                    for p in problems
                ],
                t("journal.col_problem"): [p.message for p in problems],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def page() -> None:
    st.title(t("journal.title"))
    st.caption(t("journal.caption"))
    actor = identity.current()
    if not actor.is_admin:
        st.info(t("journal.admins_only"), icon="🔒")
        return
    require(actor, "audit.read")
    store = resources.store()
    who, prefix, since = _filters(store)
    with store.cursor("read the audit trail") as cur:
        entries = audit.entries(cur, actor=who, action=prefix, since=since, limit=LIMIT)
    if not entries:
        st.info(t("journal.empty"), icon="📭")
    else:
        st.dataframe(table(entries), hide_index=True, width="stretch")
        key = "journal.shown_limited" if len(entries) == LIMIT else "journal.shown"
        st.caption(t(key, n=len(entries)))
    st.divider()
    _verification(store)


page()
