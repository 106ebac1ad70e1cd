"""Download buttons for a batch's review queue and its reviews (owns ``review-export-*``).

Each file is built only when its button is clicked, and building it records the export in
the audit trail as the signed-in auditor (``review.exported``), like the results download.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.i18n import current_lang, t
from core.config.identity import Actor
from core.scoring.review_export import export_queue, export_reviews

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(batch_id: int, actor: Actor, *, has_reviews: bool) -> None:
    lang, cfg = current_lang(), resources.config()
    st.subheader(t("review.export_title"))
    left, right = st.columns(2)
    left.download_button(
        t("review.export_queue"),
        data=lambda: export_queue(resources.store(), batch_id, cfg, actor, lang),
        file_name=f"file_revue_lot_{batch_id}.xlsx",
        mime=XLSX,
        key=f"review-export-queue-{batch_id}",
        icon="⬇️",
        width="stretch",
    )
    right.download_button(
        t("review.export_reviews"),
        data=lambda: export_reviews(resources.store(), batch_id, cfg, actor, lang),
        file_name=f"revues_lot_{batch_id}.xlsx",
        mime=XLSX,
        key=f"review-export-reviews-{batch_id}",
        icon="⬇️",
        width="stretch",
        disabled=not has_reviews,
    )
    st.caption(t("review.export_help"))
