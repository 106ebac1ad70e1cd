"""What-if: edit a claim's fields and watch its probability, decision and reasons move.

Owns the keys ``explain.whatif.<claim>.<column>`` (one per editable column; a new claim
starts from its own values) and ``explain.whatif.<claim>.reset``. Runs as a fragment: a
field change reruns this panel only. Categories offer the levels the model knows (a
hierarchy level under the chosen parent); the claim's own value is kept even if unknown.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from app import resources
from app.components import explain_chart
from app.fmt import fmt, number_field
from app.i18n import current_lang, t
from app.safe import md
from app.theme import icon_label
from core.exceptions import WorkbenchError
from core.explain import explainer as explain
from core.explain.whatif import cap_counts, decide_claim, edit_claim, level_choices
from core.model.trained import TrainedModel

PREFIX = "explain.whatif."
_NUMBERS = {  # role -> decimals shown in its field
    "amount": 2,
    "delay": 0,
    "tenure": 1,
    "pnb": 2,
}
_CATEGORIES = ("family", "category", "subcategory", "segment", "market")


@st.fragment
def show(
    model: TrainedModel,
    row: pd.DataFrame,
    history: pd.DataFrame | None,
    *,
    version: str,
    batch_id: int,
) -> None:
    """Decisions use the version's active thresholds and the rules (the yearly quota counts
    the client's automatic validations stored for other batches)."""
    lang = current_lang()
    cfg = resources.config()
    f = fmt(lang)
    pair = resources.store().active_thresholds(version, cfg.thresholds)
    thresholds = (pair.low, pair.high)
    prior_validations = _cap_counts(row, batch_id)
    claim = str(row["id"].iloc[0]) if "id" in row.columns else "claim"
    prefix = f"{PREFIX}{claim}."
    st.caption(t("explain.whatif_caption"))
    fields, results = st.columns([2, 3], gap="large")
    with fields:
        edits = _fields(model, row.iloc[0].to_dict(), prefix)
        st.button(t("explain.whatif_reset"), key=f"{prefix}reset", on_click=_reset, args=(prefix,))
    edited = edit_claim(row, edits)
    scale, grouping = explain_chart.current()
    try:
        currency = cfg.costs.currency
        before = explain.explain_claim(model, row, history, grouping=grouping, currency=currency)
        after = explain.explain_claim(model, edited, history, grouping=grouping, currency=currency)
        low, high = thresholds
        prior = prior_validations
        decision = decide_claim(edited, after.probability, low, high, cfg, prior)
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
        return
    with results:
        cols = st.columns(2)
        delta = 100 * (after.probability - before.probability)
        cols[0].metric(
            t("explain.whatif_probability"),
            f.pct(after.probability),
            t("explain.whatif_points", delta=f.signed(delta, 1)) if abs(delta) >= 0.05 else None,
        )
        cols[1].metric(t("explain.whatif_decision"), icon_label(decision.code, lang))
        pair = {"low": f.prob(low), "high": f.prob(high)}
        model_decision = icon_label(decision.model_code, lang)
        st.caption(t("explain.whatif_thresholds", decision=model_decision, **pair))
        reason = decision.reason_en if lang == "en" else decision.reason_fr
        if reason:
            st.warning(md(reason), icon="📏")
        _changes(edits, row.iloc[0].to_dict(), model, lang)
        explain_chart.show(after, scale, lang, key=f"{prefix}waterfall")
        for text in explain.reasons(after, lang):
            st.markdown(f"- {md(text)}")


def _cap_counts(row: pd.DataFrame, batch_id: int) -> pd.DataFrame | None:
    """The validations the yearly cap counts before this claim: the client's in other
    batches and, as batch scoring counts them, the earlier ones of its own batch."""
    if "client_id" not in row.columns or not row["client_id"].notna().all():
        return None
    store = resources.store()
    elsewhere = store.auto_validation_counts(row["client_id"], exclude_batch_id=batch_id)
    latest = store.latest_scoring(batch_id)
    batch = None  # the client's claims of the batch are what the cap counts
    if latest is not None:
        row_number = int(row["row_number"].iloc[0])
        batch = resources.claim_scoring(batch_id, str(latest.scored_at), row_number).frame
    return cap_counts(row, batch, elsewhere)


def _fields(model: TrainedModel, original: dict[str, Any], prefix: str) -> dict[str, Any]:
    """One input per editable column; returns the changed values by column key."""
    pipe = model.features
    edits: dict[str, Any] = {}
    parents: list[str] = []
    for role in explain.ordered_roles(pipe):
        key = pipe.columns[role]
        if role in _NUMBERS:
            value = _number(key, role, original.get(key), prefix)
        elif role in _CATEGORIES:
            up = parents if role in ("category", "subcategory") else []
            levels = level_choices(pipe, role, up)
            value = _choice(key, role, original.get(key), levels, prefix)
            if role in ("family", "category"):
                parents.append(value or "")
        else:
            continue
        if not _same(value, original.get(key)):
            edits[key] = value
    for key in pipe.extra_categories:
        value = _choice(key, key, original.get(key), level_choices(pipe, key), prefix)
        if not _same(value, original.get(key)):
            edits[key] = value
    return edits


def _number(key: str, role: str, original: Any, prefix: str) -> float | None:
    """A number typed with the language's decimal mark ("10699,69" in French)."""
    decimals = _NUMBERS[role]
    start = None if _blank(original) else float(original)
    return number_field(
        t(f"explain.field_{role}", currency=fmt().currency),
        start,
        key=f"{prefix}{key}",
        decimals=decimals,
        min_value=0.0 if role != "pnb" else None,
    )


def _choice(key: str, role: str, original: Any, options: list[str], prefix: str) -> str | None:
    choices = list(options)
    own = None if _blank(original) else str(original)
    if own is not None and own not in choices:
        choices.insert(0, own)
    widget = f"{prefix}{key}"
    if widget in st.session_state and st.session_state[widget] not in choices:
        del st.session_state[widget]  # the parent changed: its old child is not offered
    if not choices:
        return own
    label = t(f"explain.field_{role}") if role in _CATEGORIES else md(key)
    index = choices.index(own) if own in choices else 0
    return st.selectbox(label, choices, index=index, key=widget)


def _changes(edits: dict[str, Any], original: dict[str, Any], model: TrainedModel, lang: str):
    if not edits:
        st.caption(t("explain.whatif_unchanged"))
        return
    roles = {key: role for role, key in model.features.columns.items()}
    lines = []
    for key, value in edits.items():
        role = roles.get(key, key)
        known = (*_NUMBERS, *_CATEGORIES)
        label = (
            t(f"explain.field_{role}", currency=fmt(lang).currency) if role in known else md(key)
        )
        before, after = md(_show(original.get(key), role, lang)), md(_show(value, role, lang))
        lines.append(f"{label}{' : ' if lang == 'fr' else ': '}{before} → {after}")
    st.caption(" · ".join(lines))


def _show(value: Any, role: str, lang: str) -> str:
    if _blank(value):
        return "—"
    if role in ("amount", "pnb"):
        return fmt(lang).money(float(value), 2)
    if role in _NUMBERS:
        return fmt(lang).number(float(value), _NUMBERS[role])
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _same(a: Any, b: Any) -> bool:
    if _blank(a) and _blank(b):
        return True
    if _blank(a) or _blank(b):
        return False
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _reset(prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        if not str(key).endswith(".reset"):
            del st.session_state[key]
