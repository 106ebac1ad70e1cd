"""What one slider position shows: metric cards, four figures and the realised confusion.

:func:`build_view` is the whole computation of a slider move — one O(log n) evaluation of
the cached cost surface and the figures — with no Streamlit call, so bench/bench_slider.py
times exactly what the fragment does. Texts come from :func:`app.i18n.translator` (no
session needed): Markdown for the cards and the caption, Plotly text for the figures, plain
text for the confusion table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app import charts
from app.components.threshold_logic import Translate, grid_values
from app.i18n import translator
from app.safe import chart_text
from app.theme import CODES, icon_label, label
from core.decide.costs import Evaluation
from core.decide.decisions import CostSurface
from core.decide.gain_bounds import GainInterval
from core.formatting import fmt_money, fmt_number, fmt_pct


@dataclass(frozen=True)
class MetricCard:
    label: str
    value: str
    delta: str | None = None
    help: str | None = None


@dataclass(frozen=True, eq=False)
class SliderView:
    """Everything the fragment draws for one (low, high)."""

    evaluation: Evaluation
    cards: tuple[MetricCard, ...]  # net gain(s) and automation, with deltas
    zone_cards: tuple[MetricCard, ...]  # claims per decision
    error_cards: tuple[MetricCard, ...]
    cost_caption: str
    figures: dict[str, go.Figure]  # "heatmap", "shares", "decisions", "errors"
    confusion: pd.DataFrame | None  # per zone: justified / unjustified (labelled claims only)
    rules_included: bool = False  # cards and bars count the decisions after the rules


def build_view(
    surface: CostSurface,
    grid: np.ndarray,
    pair: tuple[float, float],
    suggestions: Mapping[str, tuple[float, float]],
    published: tuple[float, float] | None,
    lang: str,
    interval: GainInterval | None = None,
    evaluate: Callable[[float, float], Evaluation | None] | None = None,
) -> SliderView:
    """The view of ``pair`` on ``surface``; ``published`` is the active pair (for deltas);
    ``interval`` the realised gain's bootstrap interval (labelled claims). ``evaluate``
    (a batch's decisions after the business rules, as stored when it is scored) gives the
    cards and bars their figures; the heat map stays the model's decisions before rules."""
    t = translator(lang)
    low, high = pair
    evaluate_pair = evaluate or surface.evaluate
    ev = evaluate_pair(low, high) or surface.evaluate(low, high)
    same = published is not None and np.allclose(published, pair)
    ref = None if published is None or same else evaluate_pair(*published)
    currency = surface.costs.currency
    return SliderView(
        evaluation=ev,
        cards=_cards(ev, ref, t, lang, currency) + _interval_card(interval, t, lang, currency),
        zone_cards=_zone_cards(ev, lang),
        error_cards=_error_cards(ev, t, lang, currency),
        cost_caption=t(
            "thresholds.cost_caption",
            cost=fmt_money(ev.expected_cost, lang, currency),
            audit_all=fmt_money(ev.expected_cost_audit_all, lang, currency),
        ),
        figures=_figures(
            ev,
            grid,
            pair,
            suggestions,
            translator(lang, chart_text),
            lang,
            currency,
            surface.has_labels,
        ),
        confusion=_confusion(ev, translator(lang, str), lang),
        rules_included=evaluate is not None,
    )


def _signed_money(value: float, lang: str, currency: str) -> str:
    text = fmt_money(value, lang, currency)
    return text if value < 0 else "+" + text


def _cards(
    ev: Evaluation, ref: Evaluation | None, t: Translate, lang: str, currency: str
) -> tuple[MetricCard, ...]:
    def delta(now: float | None, before: float | None) -> str | None:
        if ref is None or now is None or before is None:
            return None
        return t("thresholds.vs_published", delta=_signed_money(now - before, lang, currency))

    cards = [
        MetricCard(
            t("thresholds.card_net_gain"),
            fmt_money(ev.expected_net_gain, lang, currency),
            delta(ev.expected_net_gain, ref and ref.expected_net_gain),
            t("thresholds.help_net_gain"),
        )
    ]
    if ev.has_labels:
        cards.append(
            MetricCard(
                t("thresholds.card_realised_gain"),
                fmt_money(ev.realised_net_gain, lang, currency),
                delta(ev.realised_net_gain, ref and ref.realised_net_gain),
                t("thresholds.help_realised_gain"),
            )
        )
    auto_delta = None
    if ref is not None:
        points = fmt_number(100 * (ev.automation_rate - ref.automation_rate), lang, 1)
        sign = "" if points.startswith("-") else "+"
        auto_delta = t("thresholds.vs_published_points", delta=sign + points)
    cards.append(
        MetricCard(
            t("thresholds.card_automation"),
            fmt_pct(ev.automation_rate, lang),
            auto_delta,
            t("thresholds.help_automation"),
        )
    )
    return tuple(cards)


def _interval_card(
    interval: GainInterval | None, t: Translate, lang: str, currency: str
) -> tuple[MetricCard, ...]:
    """The realised gain's interval: is the pair better than auditing everything, surely?"""
    if interval is None:
        return ()
    bounds = t(
        "thresholds.interval_value",
        lower=fmt_money(interval.lower, lang, currency),
        upper=fmt_money(interval.upper, lang, currency),
    )
    verdict = (
        "thresholds.interval_safe" if interval.beats_audit_all else "thresholds.interval_unsafe"
    )
    label = t("thresholds.card_interval", confidence=fmt_pct(interval.confidence, lang, 0))
    help_text = t("thresholds.help_interval", n=fmt_number(interval.n, lang))
    return (MetricCard(label, bounds, t(verdict), help_text),)


def _zone_cards(ev: Evaluation, lang: str) -> tuple[MetricCard, ...]:
    return tuple(
        MetricCard(
            label(code, lang),
            fmt_number(ev.counts[code], lang),
            fmt_pct(ev.shares[code], lang),
        )
        for code in CODES
    )


def _error_cards(ev: Evaluation, t: Translate, lang: str, currency: str) -> tuple[MetricCard, ...]:
    realised = ev.has_labels
    return (
        MetricCard(
            t("thresholds.card_wrong_validations"),
            fmt_number(ev.expected_wrongful_validations, lang, 1),
            None,
            t(
                "thresholds.help_realised_count",
                n=fmt_number(ev.realised_wrongful_validations, lang),
            )
            if realised
            else t("thresholds.help_expected_count"),
        ),
        MetricCard(
            t("thresholds.card_wrong_validation_amount"),
            fmt_money(ev.expected_wrongful_validation_amount, lang, currency),
            None,
            t(
                "thresholds.help_realised_amount",
                amount=fmt_money(ev.realised_wrongful_validation_amount, lang, currency),
            )
            if realised
            else t("thresholds.help_expected_amount"),
        ),
        MetricCard(
            t("thresholds.card_wrong_rejections"),
            fmt_number(ev.expected_wrongful_rejections, lang, 1),
            None,
            t("thresholds.help_realised_count", n=fmt_number(ev.realised_wrongful_rejections, lang))
            if realised
            else t("thresholds.help_expected_count"),
        ),
        MetricCard(
            t("thresholds.card_wrong_rejection_cost"),
            fmt_money(ev.expected_wrongful_rejection_cost, lang, currency),
            None,
            t(
                "thresholds.help_realised_amount",
                amount=fmt_money(ev.realised_wrongful_rejection_cost, lang, currency),
            )
            if realised
            else t("thresholds.help_expected_amount"),
        ),
    )


def _figures(
    ev: Evaluation,
    grid: np.ndarray,
    pair: tuple[float, float],
    suggestions: Mapping[str, tuple[float, float]],
    t: Translate,
    lang: str,
    currency: str,
    realised: bool,
) -> dict[str, go.Figure]:
    values = grid_values()
    heatmap_titles = {
        "title": t("thresholds.heatmap_realised" if realised else "thresholds.heatmap_expected"),
        "x": t("thresholds.axis_low"),
        "y": t("thresholds.axis_high"),
        "colorbar": chart_text(currency),
        "current": t("thresholds.current_pair"),
        "hover": t("thresholds.heatmap_hover", currency=currency),
    }
    bars_titles = {
        "title": t("thresholds.bars_title"),
        "count": t("thresholds.bars_count"),
        "amount": t("thresholds.bars_amount", currency=currency),
    }
    errors_titles = {
        "title": t("thresholds.errors_title"),
        "wrong_validations": t("thresholds.card_wrong_validations"),
        "wrong_rejections": t("thresholds.card_wrong_rejections"),
        "y": t("thresholds.errors_axis"),
        "expected": t("thresholds.expected"),
        "realised": t("thresholds.realised"),
    }
    shares_titles = {
        "title": t("thresholds.shares_title", rate=fmt_pct(ev.automation_rate, lang)),
        "x": t("thresholds.shares_axis"),
    }
    return {
        "heatmap": charts.net_gain_map(
            grid, values, values, pair, suggestions, lang=lang, titles=heatmap_titles
        ),
        "shares": charts.decision_shares(ev, lang=lang, titles=shares_titles),
        "decisions": charts.decision_volumes(ev, lang=lang, titles=bars_titles),
        "errors": charts.zone_errors(ev, lang=lang, titles=errors_titles),
    }


def _confusion(ev: Evaluation, t: Translate, lang: str) -> pd.DataFrame | None:
    if ev.realised_confusion is None:
        return None
    rows = []
    for code in CODES:
        zone = ev.realised_confusion[code]
        total = zone["justified"] + zone["unjustified"]
        rows.append(
            {
                t("thresholds.col_decision"): icon_label(code, lang),
                t("thresholds.col_justified"): fmt_number(zone["justified"], lang),
                t("thresholds.col_unjustified"): fmt_number(zone["unjustified"], lang),
                t("thresholds.col_total"): fmt_number(total, lang),
                t("thresholds.col_error_rate"): _error_rate(code, zone, total, lang),
            }
        )
    return pd.DataFrame(rows)


def _error_rate(code: int, zone: dict[str, int], total: int, lang: str) -> str:
    """Share of wrong automatic decisions in the zone ('—' for audits and empty zones)."""
    if code == 0 or total == 0:
        return "—"
    wrong = zone["unjustified"] if code == 1 else zone["justified"]
    return fmt_pct(wrong / total, lang)
