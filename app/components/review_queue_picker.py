"""Which review queue of the batch to work on: Audit Humain or Contrôle qualité, each with
its counts done / remaining (owns ``review-queue``)."""

from __future__ import annotations

import streamlit as st

from app.i18n import current_lang, t, t_text
from core.formatting import fmt_number
from core.scoring.review_queue import QUEUE_KINDS, QueueKind, ReviewQueue

KEY = "review-queue"


def show(queues: dict[QueueKind, ReviewQueue]) -> QueueKind:
    lang = current_lang()

    def name(kind: QueueKind) -> str:
        queue = queues[kind]
        return t_text(
            f"review.queue_{kind}",
            done=fmt_number(queue.done, lang),
            remaining=fmt_number(queue.remaining, lang),
        )

    return st.radio(
        t("review.queue"),
        QUEUE_KINDS,
        horizontal=True,
        format_func={kind: name(kind) for kind in QUEUE_KINDS}.get,
        key=KEY,
        help=t("review.queue_help"),
    )
