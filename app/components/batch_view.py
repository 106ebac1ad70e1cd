"""A scored batch: summary cards, histogram, filterable decisions table and the results file.

Everything is read from the stored scoring, so a batch just scored and a batch reopened
later look the same. Filter widgets own keys under ``batch.<id>.``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, resources
from app.components import identity
from app.fmt import fmt, plotly_chart
from app.i18n import current_lang, t, t_text
from app.theme import CODES, icon_label, label
from core.formatting import fmt_datetime, fmt_number, fmt_pct
from core.ingest.reader import SourceFile, read_table
from core.report.filters import ClaimFilter, filter_claims
from core.report.results import results_from_file, results_from_store, to_xlsx
from core.scoring.results import StoredScoring

TABLE_HEIGHT = 520


def show(
    scoring: StoredScoring, *, raw_file: tuple[SourceFile | bytes, str, str | None] | None
) -> None:
    lang = current_lang()
    _header(scoring, lang)
    _cards(scoring, lang)
    left, right = st.columns([3, 2], gap="large")
    with right:
        frame = scoring.frame
        fig = charts.probability_histogram(
            frame["probability"].to_numpy(float),
            frame["decision"].to_numpy(),
            scoring.thresholds.low,
            scoring.thresholds.high,
            lang=lang,
            titles={"title": t("batch.hist_title"), "x": t("batch.hist_x"), "y": t("batch.hist_y")},
        )
        plotly_chart(fig, width="stretch", key=f"batch.{scoring.batch_id}.hist")
        _download(scoring, raw_file, lang)
    with left:
        _table(scoring, lang)


def _header(scoring: StoredScoring, lang: str) -> None:
    th = scoring.thresholds
    st.subheader(t("batch.title", id=scoring.batch_id))
    st.caption(
        t(
            "batch.caption",
            model=scoring.model_version,
            low=fmt_number(th.low, lang, 2),
            high=fmt_number(th.high, lang, 2),
            source=t(f"source.{th.source}") if th.source in _SOURCES else th.source,
            at=fmt_datetime(scoring.scored_at),
        )
    )


_SOURCES = ("config", "manual", "cost-optimal", "closed-form", "capacity", "guarantee")


def _cards(scoring: StoredScoring, lang: str) -> None:
    ev = scoring.evaluation
    n = len(scoring.frame)
    counts = scoring.frame["decision"].value_counts()
    cols = st.columns(7)
    cols[0].metric(t("batch.card_claims"), fmt_number(n, lang))
    for col, code in zip(cols[1:4], CODES, strict=True):
        k = int(counts.get(code, 0))
        col.metric(
            icon_label(code, lang),
            fmt_number(k, lang),
            fmt_pct(k / n if n else 0, lang),
            delta_color="off",
            delta_arrow="off",
        )
    automation = (n - int(counts.get(0, 0))) / n if n else 0.0
    cols[4].metric(t("batch.card_automation"), fmt_pct(automation, lang))
    gain = ev.expected_net_gain if ev else None
    cols[5].metric(t("batch.card_gain"), fmt(lang).money(gain), help=t("batch.card_gain_help"))
    cols[6].metric(
        t("batch.card_moved"), fmt_number(scoring.n_moved, lang), help=t("batch.card_moved_help")
    )
    if ev is not None and ev.amount_fallback:
        st.caption(t("batch.amount_fallback"))


def _filters(scoring: StoredScoring, lang: str) -> ClaimFilter:
    frame, key = scoring.frame, f"batch.{scoring.batch_id}"
    c1, c2, c3 = st.columns([2, 2, 2])
    decisions = c1.multiselect(
        t("batch.f_decision"),
        CODES,
        format_func=lambda c: label(c, lang),
        key=f"{key}.decisions",
        placeholder=t("batch.f_all"),
    )
    families: list[str] = []
    if "family" in frame.columns:
        options = sorted(frame["family"].dropna().unique().tolist())
        families = c2.multiselect(
            t("batch.f_family"), options, key=f"{key}.families", placeholder=t("batch.f_all")
        )
    search = c3.text_input(
        t("batch.f_search"), key=f"{key}.search", placeholder=t("batch.f_search_hint")
    )
    c4, c5 = st.columns([4, 2])
    amount_range = None
    if "amount" in frame.columns and frame["amount"].notna().any():
        lo, hi = float(frame["amount"].min()), float(frame["amount"].max())
        if hi > lo:
            amount_range = c4.slider(
                t("batch.f_amount"),
                lo,
                hi,
                (lo, hi),
                key=f"{key}.amount",
                format="%.0f " + fmt(lang).currency.replace("%", "%%"),
            )
    moved = c5.toggle(t("batch.f_moved"), key=f"{key}.moved")
    if amount_range == (frame["amount"].min(), frame["amount"].max()):
        amount_range = None  # the full span: do not hide anything
    return ClaimFilter(decisions, families, amount_range, moved, search)


def _table(scoring: StoredScoring, lang: str) -> None:
    spec = _filters(scoring, lang)
    shown = filter_claims(scoring.frame, spec)
    table = resources.decisions_table(scoring.batch_id, str(scoring.scored_at), lang)
    table = table.loc[shown.index] if len(shown) != len(table) else table
    st.caption(
        t(
            "batch.rows_shown",
            shown=fmt_number(len(table), lang),
            total=fmt_number(len(scoring.frame), lang),
        )
    )
    if table.empty:
        st.info(t("batch.no_match"), icon="🔍")
        return
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=TABLE_HEIGHT,
        column_config=_column_config(table, lang),
        key=f"batch.{scoring.batch_id}.table",
    )


def _column_config(table: pd.DataFrame, lang: str) -> dict:
    cfg: dict = {
        t("table.probability"): st.column_config.ProgressColumn(
            t("table.probability"), min_value=0.0, max_value=1.0, format="percent"
        ),
        t("table.explain"): st.column_config.LinkColumn(
            t("table.explain"), display_text=t("table.explain_link")
        ),
    }
    amount = t_text("table.amount", currency=fmt(lang).currency)
    if amount in table.columns:
        cfg[amount] = st.column_config.NumberColumn(amount, format="localized")
    date = t("table.date")
    if date in table.columns:
        cfg[date] = st.column_config.DateColumn(date, format="DD/MM/YYYY")
    return cfg


def _download(scoring: StoredScoring, raw_file, lang: str) -> None:
    """The results .xlsx, built only when clicked (deferred: 50k rows take about a second)."""
    cfg = resources.config()

    actor = identity.current()

    def build() -> bytes:
        if raw_file is not None:
            source, name, sheet = raw_file
            raw = read_table(source, name, sheet=sheet, limits=cfg.limits, schema=cfg.schema)
            data = to_xlsx(results_from_file(raw, scoring.frame, cfg, lang), lang)
        else:
            data = to_xlsx(results_from_store(scoring.frame, cfg, lang), lang)
        detail = {"batch_id": scoring.batch_id, "rows": len(scoring.frame), "lang": lang}
        resources.store().record(actor, "batch.exported", detail)
        return data

    st.download_button(
        t("batch.download"),
        data=build,
        file_name=f"resultats_lot_{scoring.batch_id}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"batch.{scoring.batch_id}.download",
        icon="⬇️",
        type="primary",
        width="stretch",
    )
    st.caption(t("batch.download_help"))
