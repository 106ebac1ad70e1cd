"""A scored batch: summary cards, histogram, the decisions table and the results file.

Everything is read from the stored scoring, so a batch just scored and a batch reopened
later look the same. The page holds a summary of the scoring (counts, histogram, cost
evaluation), never the batch: the table reads one page at a time from DuckDB
(:mod:`app.components.decisions_table`) and the results file reads the batch when clicked.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import resources
from app.charts_svg import probability_histogram_svg
from app.components import decisions_table, identity
from app.components.threshold_logic import source_label
from app.fmt import fmt
from app.i18n import current_lang, t
from app.theme import CODES, icon_label
from core.formatting import fmt_datetime, fmt_number, fmt_pct
from core.ingest.reader import SourceFile, read_table
from core.report.parameters import scoring_parameters
from core.report.results import results_from_file, results_from_store, to_xlsx
from core.scoring.results import ScoringSummary
from core.scoring.stored import load_scoring


def show(
    scoring: ScoringSummary, *, raw_file: tuple[SourceFile | bytes, str, str | None] | None
) -> None:
    """Header, cards, then the histogram beside the results file, then the table at full
    width (the probability and the decision first, never off-screen)."""
    lang = current_lang()
    _header(scoring, lang)
    _cards(scoring, lang)
    left, right = st.columns([3, 2], gap="large")
    with left:
        # SVG, not Plotly: see app.charts_svg (the page eight auditors may open at once)
        titles = {"title": t("batch.hist_title"), "x": t("batch.hist_x"), "y": t("batch.hist_y")}
        st.image(
            probability_histogram_svg(
                _histogram_counts(scoring),
                scoring.thresholds.low,
                scoring.thresholds.high,
                lang=lang,
                titles=titles,
            ),
            width="stretch",
            alt=titles["title"],
        )
    with right:
        _download(scoring, raw_file, lang)
    decisions_table.show(scoring.batch_id, scoring.scored_at, scoring.decisions, lang)


def _histogram_counts(scoring: ScoringSummary, bins: int = 50) -> dict[int, np.ndarray]:
    counts = {code: np.zeros(bins, dtype=int) for code in CODES}
    for row in scoring.decisions.histogram.itertuples(index=False):
        counts[int(row.decision)][int(row.bin)] = int(row.n)
    return counts


def _header(scoring: ScoringSummary, lang: str) -> None:
    th = scoring.thresholds
    st.subheader(t("batch.title", id=scoring.batch_id))
    st.caption(
        t(
            "batch.caption",
            model=scoring.model_version,
            low=fmt_number(th.low, lang, 2),
            high=fmt_number(th.high, lang, 2),
            source=source_label(th.source, t),
            at=fmt_datetime(scoring.scored_at),
        )
        + ("" if th.id is None else " · " + t("batch.published_pair", id=th.id))
    )
    cfg = resources.config()
    published = resources.store().active_thresholds(scoring.model_version, cfg.thresholds)
    if published is not None and published.id is not None and published.id != th.id:
        st.info(
            t(
                "batch.other_pair_published",
                pair=published.id,
                low=fmt_number(published.low, lang, 2),
                high=fmt_number(published.high, lang, 2),
            ),
            icon="🎚️",
        )


def _cards(scoring: ScoringSummary, lang: str) -> None:
    """Two rows of cards, wide enough for a full amount: the counts per decision, then the
    automation, the expected net gain (rules included) and the claims moved by the rules."""
    ev = scoring.evaluation
    n = scoring.n
    counts = scoring.decisions.counts
    cols = st.columns(4)
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
    cols = st.columns([1, 2, 1])
    automation = (n - int(counts.get(0, 0))) / n if n else 0.0
    cols[0].metric(t("batch.card_automation"), fmt_pct(automation, lang))
    gain = ev.expected_net_gain if ev else None
    cols[1].metric(t("batch.card_gain"), fmt(lang).money(gain), help=t("batch.card_gain_help"))
    cols[1].caption(t("batch.gain_rules_included"))
    cols[2].metric(
        t("batch.card_moved"), fmt_number(scoring.n_moved, lang), help=t("batch.card_moved_help")
    )
    if ev is not None and ev.amount_fallback:
        st.caption(t("batch.amount_fallback"))


def _download(summary: ScoringSummary, raw_file, lang: str) -> None:
    """The results .xlsx, built only when clicked (deferred: 50k rows take about a second),
    from the batch read then (the page keeps no copy of it)."""
    cfg = resources.config()

    actor = identity.current()

    def build() -> bytes:
        scoring = load_scoring(summary.batch_id, resources.store(), cfg)
        parameters = scoring_parameters(resources.store(), cfg, scoring).rows(lang)
        if raw_file is not None:
            source, name, sheet = raw_file
            raw = read_table(source, name, sheet=sheet, limits=cfg.limits, schema=cfg.schema)
            data = to_xlsx(results_from_file(raw, scoring.frame, cfg, lang), lang, parameters)
        else:
            data = to_xlsx(results_from_store(scoring.frame, cfg, lang), lang, parameters)
        detail = {"batch_id": scoring.batch_id, "rows": len(scoring.frame), "lang": lang}
        resources.store().record(actor, "batch.exported", detail)
        return data

    st.download_button(
        t("batch.download"),
        data=build,
        file_name=f"resultats_lot_{summary.batch_id}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"batch.{summary.batch_id}.download",
        icon="⬇️",
        type="primary",
        width="stretch",
    )
    st.caption(t("batch.download_help"))
