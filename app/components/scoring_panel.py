"""Scoring of the uploaded batch with visible progress; owns the per-session result key.

A batch is scored once per session (and not again if the database already holds a scoring
of it); the page then reads the stored scores, exactly as when a past batch is reopened.
The batch's drift report is a job queued with its scores and run by the server's job runner:
leaving the page, closing the tab or restarting the server does not lose it.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from app.fmt import fmt
from app.i18n import t
from app.safe import md
from core.config.identity import Actor
from core.config.profiles import same_profile
from core.exceptions import WorkbenchError
from core.scoring.batch import score_batch

SCORED_KEY = "upload.scored"


def ensure_scored(batch_id: int, actor: Actor) -> bool:
    """Score the batch if it has no stored scoring yet; True when scores are available."""
    done: set = st.session_state.setdefault(SCORED_KEY, set())
    if batch_id in done or resources.store().latest_scoring(batch_id) is not None:
        done.add(batch_id)
        return True
    version = resources.active_version()
    if version is None:
        st.warning(t("score.no_model_profile", profile=resources.config().profile), icon="🧠")
        return False
    with (
        resources.interactive_turn(),
        st.status(t("score.running", id=batch_id), expanded=False) as status,
    ):
        st.write(t("score.steps"))
        try:
            result = score_batch(
                batch_id,
                resources.store(),
                resources.registry(),
                resources.config(),
                version=version.version,
                actor=actor,
            )
        except WorkbenchError as exc:
            status.update(label=t("score.failed"), state="error")
            st.error(md(exc), icon="⛔")
            return False
        st.write(md(_stage_line(result.seconds)))
        resources.job_runner().wake()  # the drift job was queued with the scores
        st.write(t("score.drift_started"))
        status.update(
            label=t("score.done", seconds=fmt().number(result.total_seconds, 1)),
            state="complete",
        )
    done.add(batch_id)
    return True


def own_profile(batch_id: int) -> bool:
    """Whether the batch belongs to the profile this app serves; else say which it is."""
    batch = resources.store().get_batch(batch_id)
    if same_profile(batch.profile, resources.config()):
        return True
    st.warning(
        t(
            "upload.other_profile",
            id=batch_id,
            profile=batch.profile,
            own=resources.config().profile,
        ),
        icon="🗂️",
    )
    return False


def _stage_line(seconds: dict[str, float]) -> str:
    return " · ".join(f"{name} {fmt().number(value, 2)} s" for name, value in seconds.items())
