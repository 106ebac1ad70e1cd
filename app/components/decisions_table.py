"""The decisions table of a scored batch, one page at a time, read from DuckDB.

Filters, sort and paging go into SQL (:mod:`core.store.decision_pages`): a rerun sends the
browser one page of rows, never the whole batch, and the server keeps no copy of the batch
per user. Owns the filter, sort and page widgets under ``batch.<id>.``.

The filter and sort widgets sit in a popover, whose label counts the active filters, with
the previous/next page buttons beside it. The browser mounts a popover's widgets only when
it is opened; drawn on every upload, these eight input widgets were the costliest part of
the page for the browser (eight users uploading at once on 2 cores: 12-15 s of browser CPU
with them, 8-9 s without).
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.fmt import fmt
from app.i18n import current_lang, t, t_text
from app.tables import build_decisions_table
from app.theme import CODES, label
from core.formatting import fmt_number
from core.store.decision_pages import SORTABLE, DecisionQuery, DecisionsSummary

PAGE_ROWS = 200
TABLE_HEIGHT = 520


def show(batch_id: int, scored_at, summary: DecisionsSummary, lang: str) -> None:
    key = f"batch.{batch_id}"
    n_pages = max(1, -(-summary.n // PAGE_ROWS))
    bar = st.columns([3, 2, 2, 5], vertical_alignment="center")
    active = active_filters(key, summary)
    label = t("batch.filters") + (f" · {t('batch.filters_active', n=active)}" if active else "")
    with bar[0].popover(label, icon="🔎", width="stretch"):
        query = _controls(key, summary, lang, n_pages)
    page = resources.store().decisions_page(batch_id, scored_at, query)
    if page.offset >= page.total > 0:  # the filters shrank the rows under the current page
        query = DecisionQuery(**{**query.__dict__, "offset": 0})
        page = resources.store().decisions_page(batch_id, scored_at, query)
    number = page.offset // PAGE_ROWS + 1
    bar[1].button(
        t("batch.page_previous"),
        icon="⬅️",
        key=f"{key}.previous",
        on_click=_go_to_page,
        args=(key, number - 1),
        disabled=number <= 1,
        width="stretch",
    )
    bar[2].button(
        t("batch.page_next"),
        icon="➡️",
        key=f"{key}.next",
        on_click=_go_to_page,
        args=(key, number + 1),
        disabled=page.offset + len(page.frame) >= page.total,
        width="stretch",
    )
    first = page.offset + 1 if page.total else 0
    bar[3].caption(
        t(
            "batch.rows_page",
            first=fmt_number(first, lang),
            last=fmt_number(page.offset + len(page.frame), lang),
            shown=fmt_number(page.total, lang),
            total=fmt_number(summary.n, lang),
        )
    )
    if page.total == 0:
        st.info(t("batch.no_match"), icon="🔍")
        return
    table = build_decisions_table(page.frame, resources.config(), lang)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=TABLE_HEIGHT,
        column_config=_column_config(table),
        key=f"{key}.table",
    )


def active_filters(key: str, summary: DecisionsSummary) -> int:
    """How many filters narrow the table now (the widgets' values of this run)."""
    state = st.session_state
    n = sum(
        bool(state.get(f"{key}.{name}"))
        for name in ("decisions", "families", "moved")
        if name != "families" or summary.families
    )
    n += bool(str(state.get(f"{key}.search") or "").strip())
    amount = state.get(f"{key}.amount")
    span = summary.amount_span
    if amount is not None and span is not None and span[1] > span[0]:
        n += tuple(amount) != tuple(span)
    return n


def _go_to_page(key: str, number: int) -> None:
    st.session_state[f"{key}.page"] = max(1, number)


def _controls(key: str, summary: DecisionsSummary, lang: str, n_pages: int) -> DecisionQuery:
    """The filter, sort and page widgets (drawn inside the popover). Changing a filter or the
    sort goes back to the first page, as the page number counted in the old order."""
    first_page = {"on_change": _go_to_page, "args": (key, 1)}
    decisions = st.multiselect(
        t("batch.f_decision"),
        CODES,
        format_func=lambda c: label(c, lang),
        key=f"{key}.decisions",
        placeholder=t("batch.f_all"),
        **first_page,
    )
    families: list[str] = []
    if summary.families:
        families = st.multiselect(
            t("batch.f_family"),
            list(summary.families),
            key=f"{key}.families",
            placeholder=t("batch.f_all"),
            **first_page,
        )
    search = st.text_input(
        t("batch.f_search"),
        key=f"{key}.search",
        placeholder=t("batch.f_search_hint"),
        **first_page,
    )
    amount_range = None
    if summary.amount_span is not None and summary.amount_span[1] > summary.amount_span[0]:
        lo, hi = summary.amount_span
        amount_range = st.slider(
            t("batch.f_amount"),
            lo,
            hi,
            (lo, hi),
            key=f"{key}.amount",
            format="%.0f " + fmt(lang).currency.replace("%", "%%"),
            **first_page,
        )
        if amount_range == (lo, hi):
            amount_range = None  # the full span: do not hide anything
    moved = False
    if summary.n_moved:
        moved = st.toggle(t("batch.f_moved"), key=f"{key}.moved", **first_page)
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    sort = c1.selectbox(
        t("batch.sort"),
        SORTABLE,
        format_func=lambda s: t_text(f"batch.sort_{s}"),
        key=f"{key}.sort",
        **first_page,
    )
    descending = c2.toggle(t("batch.sort_descending"), key=f"{key}.descending", **first_page)
    page = c3.number_input(
        t("batch.page"), min_value=1, max_value=n_pages, step=1, key=f"{key}.page"
    )
    return DecisionQuery(
        decisions=tuple(decisions),
        families=tuple(families),
        amount_range=amount_range,
        moved_by_rule_only=moved,
        search=search,
        sort=sort,
        descending=descending,
        offset=(int(page) - 1) * PAGE_ROWS,
        limit=PAGE_ROWS,
    )


def _column_config(table) -> dict:
    cfg: dict = {
        t_text("table.probability"): st.column_config.ProgressColumn(
            t_text("table.probability"), min_value=0.0, max_value=1.0, format="percent"
        ),
        t_text("table.explain"): st.column_config.LinkColumn(
            t_text("table.explain"), display_text=t_text("table.explain_link")
        ),
        # wide enough for "🟡 Audit Humain" and a rule's reason
        t_text("table.decision"): st.column_config.TextColumn(
            t_text("table.decision"), width="medium"
        ),
        t_text("table.reason"): st.column_config.TextColumn(t_text("table.reason"), width="medium"),
    }
    model = t_text("table.decision_model")
    if model in table.columns:
        cfg[model] = st.column_config.TextColumn(model, width="medium")
    amount = t_text("table.amount", currency=fmt(current_lang()).currency)
    if amount in table.columns:
        cfg[amount] = st.column_config.NumberColumn(amount, format="localized")
    date = t_text("table.date")
    if date in table.columns:
        cfg[date] = st.column_config.DateColumn(date, format="DD/MM/YYYY")
    return cfg
