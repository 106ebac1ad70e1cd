"""The active model in detail, from what training stored in its metadata: test metrics,
the comparison of candidate models, calibration, the feature table and the leakage audit."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import charts, resources
from app.fmt import fmt, plotly_chart
from app.i18n import current_lang, t, t_chart, t_text
from core.config.schema import ROLES, SchemaConfig
from core.explain.text import column_label
from core.formatting import fmt_number, fmt_pct
from core.model.feature_text import localized_description


def show(version: str, metadata: dict[str, Any]) -> None:
    """``version``'s details; a version never changes, so its figures are built once."""
    st.subheader(t("model_page.active_title", version=version))
    _summary(metadata)
    tabs = st.tabs(
        [
            t("model_page.tab_comparison"),
            t("model_page.tab_calibration"),
            t("model_page.tab_features"),
            t("model_page.tab_leakage"),
        ]
    )
    with tabs[0]:
        _comparison(metadata.get("comparison") or [])
    with tabs[1]:
        _calibration(metadata, version)
    with tabs[2]:
        _features(metadata.get("feature_table") or [])
    with tabs[3]:
        _leakage(metadata.get("leakage"))


def _num(value: Any, lang: str, decimals: int = 4) -> str:
    return fmt_number(value, lang, decimals) if isinstance(value, int | float) else "—"


def _summary(meta: dict[str, Any]) -> None:
    lang = current_lang()
    metrics = meta.get("metrics") or {}
    rows = meta.get("rows") or {}
    cards = [
        (t("model_page.col_auc"), _num(metrics.get("auc"), lang), t("model_page.help_auc")),
        (
            t("model_page.col_log_loss"),
            _num(metrics.get("log_loss"), lang),
            t("model_page.help_log_loss"),
        ),
        (t("model_page.col_brier"), _num(metrics.get("brier"), lang), t("model_page.help_brier")),
        (t("model_page.col_ece"), _num(metrics.get("ece"), lang), t("model_page.help_ece")),
        (
            t("model_page.col_net_gain"),
            fmt(lang).money(metrics.get("net_gain")),
            t("model_page.help_net_gain"),
        ),
        (
            t("model_page.col_automation"),
            fmt_pct(metrics.get("automation_rate"), lang),
            t("model_page.help_automation"),
        ),
    ]
    columns = [*st.columns(3), *st.columns(3)]  # two rows: room for 4 decimals and DH amounts
    for column, (label, value, help_text) in zip(columns, cards, strict=True):
        column.metric(label, value, help=help_text, border=True)
    st.caption(
        t(
            "model_page.training_caption",
            train=fmt_number(rows.get("train"), lang),
            valid=fmt_number(rows.get("valid"), lang),
            test=fmt_number(rows.get("test"), lang),
            split=t("model_page.split_time")
            if meta.get("split") == "time"
            else t("model_page.split_stratified"),
            seconds=fmt_number(meta.get("training_seconds"), lang, 1),
            calibration=(meta.get("calibration") or {}).get("method", "—"),
        )
    )


def _model_name(name: str) -> str:
    names = {
        "logistic_regression": t("model_page.model_logistic_regression"),
        "random_forest": t("model_page.model_random_forest"),
        "hist_gradient_boosting": t("model_page.model_hist_gradient_boosting"),
        "xgboost_default": t("model_page.model_xgboost_default"),
        "mlp": t("model_page.model_mlp"),
        "xgboost_tuned": t("model_page.model_xgboost_tuned"),
        "family_xgboost": t("model_page.model_xgboost_tuned"),
        "family_linear": t("model_page.model_family_linear"),
        "family_blend": t("model_page.model_family_blend"),
        "baseline_onehot_logistic": t("model_page.model_baseline_onehot_logistic"),
        "baseline_onehot_xgboost": t("model_page.model_baseline_onehot_xgboost"),
    }
    return names.get(name, name)


def _comparison(rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info(t("model_page.comparison_empty"), icon="ℹ️")
        return
    lang = current_lang()
    ordered = sorted(rows, key=lambda r: -(r.get("test_auc") or 0))
    table = pd.DataFrame(
        {
            t("model_page.col_model"): [_model_name(r.get("model", "?")) for r in ordered],
            t("model_page.col_chosen"): [bool(r.get("chosen")) for r in ordered],
            t("model_page.col_auc"): [_num(r.get("test_auc"), lang) for r in ordered],
            t("model_page.col_log_loss"): [_num(r.get("test_log_loss"), lang) for r in ordered],
            t("model_page.col_brier"): [_num(r.get("test_brier"), lang) for r in ordered],
            t("model_page.col_cost"): [fmt(lang).money(r.get("test_cost")) for r in ordered],
            t("model_page.col_net_gain"): [
                fmt(lang).money(r.get("test_net_gain")) for r in ordered
            ],
            t("model_page.col_automation"): [
                fmt_pct(r.get("test_automation_rate"), lang) for r in ordered
            ],
            t("model_page.col_fit_seconds"): [_num(r.get("fit_seconds"), lang, 1) for r in ordered],
        }
    )
    st.caption(t("model_page.comparison_caption"))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={t("model_page.col_chosen"): st.column_config.CheckboxColumn()},
    )


def _calibration(meta: dict[str, Any], version: str) -> None:
    lang = current_lang()
    points = meta.get("reliability_curve") or (meta.get("metrics") or {}).get("reliability_curve")
    if not points:
        st.info(t("model_page.calibration_empty"), icon="ℹ️")
        return
    ece = meta.get("ece", (meta.get("metrics") or {}).get("ece"))
    titles = {
        "title": t("model_page.reliability_title"),
        "ece": t_chart("model_page.ece_value", ece=_num(ece, lang)),
        "x": t("model_page.reliability_x"),
        "y": t("model_page.reliability_y"),
        "diagonal": t("model_page.reliability_diagonal"),
        "model": t("model_page.reliability_model"),
        "hover": t("model_page.reliability_hover"),
    }
    left, right = st.columns([3, 2])
    plotly_chart(
        resources.figure(
            ("reliability", version, lang),
            lambda: charts.reliability_diagram(points, ece=ece, lang=lang, titles=titles),
        ),
        where=left,
        width="stretch",
        config={"displaylogo": False},
    )
    with right:
        calibration = meta.get("calibration") or {}
        st.markdown(t("model_page.calibration_method", method=calibration.get("method", "—")))
        st.caption(t("model_page.calibration_caption"))
        scores = calibration.get("cross_fitted") or {}
        if scores:
            st.dataframe(
                pd.DataFrame(
                    {
                        t("model_page.col_method"): list(scores),
                        t("model_page.col_ece"): [
                            _num(s.get("ece"), lang) for s in scores.values()
                        ],
                        t("model_page.col_log_loss"): [
                            _num(s.get("log_loss"), lang) for s in scores.values()
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
            )


def _features(rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info(t("model_page.features_empty"), icon="ℹ️")
        return
    st.caption(t("model_page.features_caption", n=len(rows)))
    st.dataframe(
        feature_table(rows, resources.config().schema, current_lang()),
        hide_index=True,
        width="stretch",
        height=min(560, 38 + 35 * len(rows)),
        column_config={t("model_page.col_description"): st.column_config.TextColumn(width="large")},
    )


def feature_table(rows: list[dict[str, Any]], schema: SchemaConfig, lang: str) -> pd.DataFrame:
    """The stored feature table in ``lang``: descriptions re-written from their template,
    source columns by their interface label ("Montant demandé" / "Requested amount")."""
    roles = {**{role: role for role in ROLES}, **{c.key: c.role for c in schema.columns}}

    def label(key: str) -> str:
        return column_label(key.strip(), roles, lang)

    def sources(text: object) -> str:
        return ", ".join(label(k) for k in str(text or "").split(",") if k.strip())

    return pd.DataFrame(
        {
            t_text("model_page.col_feature"): [r.get("name", "") for r in rows],
            t_text("model_page.col_description"): [
                localized_description(r.get("description", ""), lang, label) for r in rows
            ],
            t_text("model_page.col_sources"): [sources(r.get("sources")) for r in rows],
        }
    )


def _leakage(report: dict[str, Any] | None) -> None:
    if not report:
        st.info(t("model_page.leakage_empty"), icon="ℹ️")
        return
    lang = current_lang()
    summary = t(
        "model_page.leakage_checked",
        columns=len(report.get("columns_checked") or []),
        features=len(report.get("features_checked") or []),
        auc=_num(report.get("validation_auc"), lang),
        limit=_num(report.get("auc_limit"), lang, 2),
    )
    findings = report.get("findings") or []
    if not findings:
        st.success(t("model_page.leakage_ok") + " " + summary, icon="✅")
        return
    key = "model_page.leakage_allowed" if report.get("allowed") else "model_page.leakage_found"
    st.warning(t(key, n=len(findings)) + " " + summary, icon="⚠️")
    st.dataframe(
        pd.DataFrame(
            {
                t("model_page.col_column"): [f.get("column") for f in findings],
                t("model_page.col_kind"): [f.get("kind") for f in findings],
                t("model_page.col_origin"): [f.get("source") for f in findings],
                t("model_page.col_auc"): [_num(f.get("auc"), lang) for f in findings],
                t("model_page.col_detail"): [f.get("detail") for f in findings],
            }
        ),
        hide_index=True,
        width="stretch",
    )
