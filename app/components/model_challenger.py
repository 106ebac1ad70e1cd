"""Retrain with a challenger (admins): the original training file plus the labels gathered
in production, trained with progress per trial, compared with the active model on the most
recent labelled claims, and promoted only on an explicit decision with a reason.

Owns the training file uploader, the trial count, the last comparison (session state) and
the promotion form. Core checks the role again (``model.train``, ``model.activate``) and
records registration and activation in the audit trail.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app import resources
from app.components import identity
from app.fmt import fmt
from app.i18n import current_lang, t, t_text
from app.safe import md
from core.exceptions import FileRejectedError, WorkbenchError
from core.formatting import fmt_number
from core.monitor.challenger import ChallengerResult, ModelScore

RESULT_KEY = "model_page.challenger.result"
FEEDBACK_KEY = "model_page.challenger.feedback"
MIN_LABELS = 50


def show() -> None:
    st.subheader(t("challenger.title"))
    st.caption(t("challenger.caption"))
    actor = identity.current()
    n_labels = resources.label_count()
    st.caption(t("challenger.labels", n=fmt_number(n_labels, current_lang())))
    if not actor.is_admin:
        st.caption(t("challenger.admin_only"))
        return
    if n_labels < MIN_LABELS:
        st.info(t("challenger.too_few", n=n_labels, minimum=MIN_LABELS), icon="🏷️")
    with st.form("model_page.challenger.form", border=True):
        upload = st.file_uploader(
            t("challenger.training_file"),
            type=["xlsx", "xls", "xlsb", "ods", "csv"],
            help=t("challenger.training_file_help"),
        )
        trials = st.number_input(t("challenger.trials"), 5, 200, 30, step=5)
        go = st.form_submit_button(
            t("challenger.train"), type="primary", disabled=n_labels < MIN_LABELS
        )
    if go:
        _train(upload, int(trials))
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback is not None:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])
    result: ChallengerResult | None = st.session_state.get(RESULT_KEY)
    if result is not None:
        _comparison(result)


def _train(upload, trials: int) -> None:
    from core.ingest.pipeline import validate_file
    from core.ingest.reader import open_source
    from core.monitor.challenger import train_challenger

    if upload is None:
        st.error(t("challenger.no_file"), icon="📄")
        return
    cfg, store = resources.config(), resources.store()
    lang = current_lang()
    try:
        batch = validate_file(open_source(upload.getvalue(), upload.name, limits=cfg.limits), cfg)
    except FileRejectedError as exc:
        st.error(md(exc.message(lang)), icon="⛔")
        return
    if not batch.report.ok:
        st.error(t("challenger.file_refused", name=upload.name), icon="⛔")
        st.dataframe(batch.report.to_frame(lang), hide_index=True, width="stretch")
        return
    bar = st.progress(0.0, text=t("challenger.starting"))

    def progress(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=step_text(step))

    try:
        result = train_challenger(
            batch.frame,
            store,
            resources.registry(),
            cfg,
            actor=identity.current(),
            trials=trials,
            progress=progress,
        )
    except WorkbenchError as exc:
        bar.empty()
        st.error(md(exc), icon="⛔")
        return
    bar.progress(1.0, text=t("challenger.done", version=result.version.version))
    st.session_state[RESULT_KEY] = result


_COUNTED = re.compile(
    r"^(?P<stage>[\w -]+): (?P<unit>trial|configuration|fold) (?P<done>\d+)/(?P<total>\d+)$"
)
_STAGES = ("split", "features", "leakage audit", "tuning", "linear model", "model choice",
           "baselines", "done")  # fmt: skip


def step_text(step: str) -> str:
    """Training's progress steps (core names them in English) in the interface language:
    "tuning: trial 5/30" -> "Essai 5 sur 30"."""
    counted = _COUNTED.match(step)
    if counted:
        return t_text(f"challenger.unit_{counted['unit']}", done=counted["done"],
                      total=counted["total"])  # fmt: skip
    if step in _STAGES:
        return t_text(f"challenger.stage_{step.replace(' ', '_')}")
    name = step.removeprefix("compare: ")
    return t_text("challenger.stage_compare", name=name) if name != step else step


def _comparison(result: ChallengerResult) -> None:
    lang = current_lang()
    c = result.comparison
    st.markdown(
        t(
            "challenger.compared_on",
            n=fmt_number(c.n_claims, lang),
            added=fmt_number(result.n_labels_added, lang),
        )
    )
    rows = [(t_text("challenger.row_active"), c.active), ("challenger", c.challenger)]
    st.dataframe(
        pd.DataFrame([_row(name, score, lang) for name, score in rows]),
        hide_index=True,
        width="stretch",
    )
    if c.challenger_better:
        st.success(t("challenger.better"), icon="📈")
    else:
        st.warning(t("challenger.not_better"), icon="📉")
    with st.form("model_page.challenger.promote"):
        reason = st.text_input(t("challenger.reason"), max_chars=300)
        promote = st.form_submit_button(t("challenger.promote", version=result.version.version))
    if promote:
        _promote(result, reason)


def _row(name: str, score: ModelScore, lang: str) -> dict[str, str]:
    lo, hi = score.gain_interval
    return {
        t_text("challenger.col_model"): name,
        t_text("challenger.col_version"): score.version,
        "AUC": fmt_number(score.auc, lang, 4),
        "Log-loss": fmt_number(score.log_loss, lang, 4),
        t_text("challenger.col_pair"): fmt(lang).pair(score.low, score.high),
        t_text("challenger.col_gain"): fmt(lang).money(score.net_gain),
        t_text("challenger.col_interval"): f"[{fmt(lang).money(lo)} ; {fmt(lang).money(hi)}]",
    }


def _promote(result: ChallengerResult, reason: str) -> None:
    if not reason.strip():
        st.error(t("challenger.reason_required"), icon="✍️")
        return
    try:
        done = resources.registry().activate(
            result.version.version,
            actor=identity.current(),
            reason=f"challenger promu / promoted: {reason.strip()}",
        )
    except WorkbenchError as exc:
        st.error(md(exc), icon="⛔")
        return
    st.session_state.pop(RESULT_KEY, None)
    st.session_state[FEEDBACK_KEY] = ("success", t("challenger.promoted", version=done.version))
    st.rerun()
