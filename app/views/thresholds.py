"""Thresholds page: choose (low, high) against the costs of real claims, then publish it.

Claims (a scored batch or the model's test set) -> cost parameters -> suggestions from
each chooser -> slider with the charts it drives (a fragment) -> publish -> history ->
re-decide a stored batch with the pair.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.components import (
    threshold_costs,
    threshold_history,
    threshold_picker,
    threshold_redecide,
    threshold_republish,
    threshold_source,
    threshold_suggestions,
)
from app.components.threshold_logic import BATCH, source_label
from app.i18n import current_lang, t
from app.safe import md
from core.exceptions import WorkbenchError
from core.formatting import fmt_datetime, fmt_money, fmt_number


def _published_caption(record, lang: str) -> str:
    low, high = fmt_number(record.low, lang, 2), fmt_number(record.high, lang, 2)
    if record.id is None:
        return t("thresholds.published_none", low=low, high=high)
    return t(
        "thresholds.published_active",
        low=low,
        high=high,
        source=source_label(record.source, t),
        user=record.published_by,
        at=fmt_datetime(record.published_at),
    )


def page() -> None:
    st.title(t("thresholds.title"))
    st.caption(t("thresholds.caption"))
    active = resources.active_version()
    if active is None:
        st.info(t("thresholds.empty_model"), icon="🧠")
        return
    source = threshold_source.show(active)
    if source is None:
        return
    try:
        arrays = resources.claims_arrays(source)
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
        return
    if arrays.n == 0:
        st.info(t("thresholds.empty_batches"), icon="📭")
        return
    threshold_source.describe_data(source, arrays, active)
    cfg, lang = resources.config(), current_lang()
    published = resources.store().active_thresholds(active.version, cfg.thresholds)
    costs = threshold_costs.show(cfg.costs, published.costs)
    surface = resources.cost_surface(source, costs)
    if surface.amount_fallback:
        amount = fmt_money(costs.fallback_amount, lang, costs.currency)
        if surface.n_amount_fallback == surface.n:
            text = t("thresholds.fallback_all", amount=amount)
        else:
            n = fmt_number(surface.n_amount_fallback, lang)
            text = t("thresholds.fallback_some", n=n, amount=amount)
        st.info(text, icon="ℹ️")
    evaluate = None
    rules = source.kind == BATCH  # the batch's decisions after the rules, as its scoring stores
    if rules:

        def evaluate(low: float, high: float):
            return resources.gain_with_rules(source, costs, float(low), float(high))

    bootstrap = resources.gain_bootstrap(source, costs)  # None without labels
    choices = threshold_suggestions.show(source, arrays, costs, bootstrap, evaluate)
    threshold_picker.init((published.low, published.high))
    st.subheader(t("thresholds.tune_title"))
    st.caption(_published_caption(published, lang))
    suggestions = tuple((source_label(c.source, t), (c.low, c.high)) for c in choices)
    pair = (published.low, published.high)

    def view_of(chosen: tuple[float, float], lang: str):
        return resources.slider_view(source, costs, chosen, suggestions, pair, lang, rules)

    threshold_picker.show(view_of, pair, active.version)
    threshold_republish.show(published)
    st.divider()
    threshold_history.show(active.version)
    st.divider()
    threshold_redecide.show(active, source.batch_id)


page()
