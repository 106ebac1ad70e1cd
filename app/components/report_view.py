"""Validation report: verdict line, table of problems and a downloadable copy."""

from __future__ import annotations

import streamlit as st

from app.i18n import current_lang, t
from app.safe import md
from core.ingest.report import ValidationReport


def show(report: ValidationReport, *, key: str) -> None:
    lang = current_lang()
    summary = md(report.summary(lang))
    if not report.ok:
        st.error(summary, icon="⛔")
    elif report.warnings:
        st.warning(summary, icon="⚠️")
    else:
        st.success(summary, icon="✅")
    if not report.issues:
        return
    frame = report.to_frame(lang)
    st.dataframe(frame, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(frame)))
    st.download_button(
        t("report.download"),
        data=frame.to_csv(index=False, sep=";").encode("utf-8-sig"),
        file_name=f"rapport_validation_{report.file_name}.csv",
        mime="text/csv",
        key=f"{key}.download",
        icon="⬇️",
    )
