"""Journal page: the audit trail for admins (rows, filters, verification), refused to auditors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.config.loading import load_config
from core.store.database import Store
from tests.app.conftest import (
    ADMIN_EMAIL,
    ADMIN_USER,
    AUDITOR_EMAIL,
    AUDITOR_USER,
    open_page,
    signed_in,
)

REASON = "**gras** <b>balise</b> [lien](http://e.vil)"  # markup stays text


@pytest.fixture
def trail(roles_with_model: Path) -> Path:
    """Two model registrations by the admin, then a batch stored by the auditor and a
    publication by the admin with a reason full of markup."""
    from core.ingest.pipeline import ingest
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    cfg = load_config(str(roles_with_model / "roles.yaml"))
    admin = cfg.auth.actor_from_claims(ADMIN_USER)
    auditor = cfg.auth.actor_from_claims(AUDITOR_USER)
    frame, _ = generate_claims(60, seed=3, year=2025, id_start=60_001)
    write_claims_xlsx(frame, roles_with_model / "lot.xlsx")
    with Store(cfg.paths.database) as store:
        ingest(roles_with_model / "lot.xlsx", cfg, store, actor=auditor)
        store.publish_thresholds(None, 0.2, 0.8, source="manual", actor=admin, reason=REASON)
    return roles_with_model


def _table(at):
    return next(d.value for d in at.dataframe if "Action" in d.value.columns)


def test_an_auditor_is_told_the_journal_is_for_admins(trail):
    at = signed_in(AUDITOR_USER, "journal")
    assert not at.exception, at.exception
    assert at.title[0].value == "Journal d'audit"
    assert any("réservé aux administrateurs" in i.value for i in at.info)
    assert not at.dataframe
    assert not any(b.key == "journal.verify" for b in at.button)


def test_an_admin_reads_the_trail_newest_first_with_who_and_role(trail):
    at = signed_in(ADMIN_USER, "journal")
    assert not at.exception, at.exception
    table = _table(at)
    assert list(table.columns) == [
        "N°",
        "Quand (UTC)",
        "Qui",
        "Rôle",
        "Action",
        "Détail",
        "Avant → après",
        "Raison",
    ]
    assert table["N°"].is_monotonic_decreasing
    newest = table.iloc[0]
    assert (newest["Qui"], newest["Rôle"], newest["Action"]) == (
        ADMIN_EMAIL,
        "administrateur",
        "thresholds.published",
    )
    assert newest["Raison"] == REASON  # the data as it was typed
    assert '"low":0.2' in newest["Avant → après"] and "→" in newest["Avant → après"]
    stored = table[table["Action"] == "batch.saved"].iloc[0]
    assert (stored["Qui"], stored["Rôle"]) == (AUDITOR_EMAIL, "auditeur")
    assert '"rows":60' in stored["Détail"]


def test_filters_by_identity_action_prefix_and_date(trail):
    at = signed_in(ADMIN_USER, "journal")
    at.selectbox(key="journal.actor").set_value(AUDITOR_EMAIL).run()
    assert set(_table(at)["Qui"]) == {AUDITOR_EMAIL}
    at.selectbox(key="journal.actor").set_value("").run()
    at.selectbox(key="journal.action").set_value("model.").run()
    assert set(_table(at)["Action"]) == {"model.registered", "model.activated"}
    at.selectbox(key="journal.action").set_value("model.activated").run()
    assert set(_table(at)["Action"]) == {"model.activated"}
    at.selectbox(key="journal.action").set_value("").run()
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    at.date_input(key="journal.since").set_value(tomorrow).run()
    assert not at.exception, at.exception
    assert any("Aucune ligne" in i.value for i in at.info)


def test_verification_says_intact_then_points_at_a_rewritten_row(trail):
    at = signed_in(ADMIN_USER, "journal")
    at.button(key="journal.verify").click().run()
    assert not at.exception, at.exception
    assert any("Journal intact" in s.value and "2 modèle(s)" in s.value for s in at.success)
    database = load_config(str(trail / "roles.yaml")).paths.database
    with Store(database) as store, store.cursor("tamper") as cur:
        cur.execute("UPDATE audit_log SET reason = 'réécrit' WHERE id = 2")
    at.button(key="journal.verify").click().run()
    assert any("JOURNAL ALTÉRÉ" in e.value for e in at.error), at.error
    problems = next(d.value for d in at.dataframe if "Problème" in d.value.columns)
    assert problems["Où"].iloc[0] == "2" and "rewritten" in problems["Problème"].iloc[0]


def test_journal_in_english(trail):
    at = signed_in(ADMIN_USER, "journal", lang="en")
    assert not at.exception, at.exception
    assert at.title[0].value == "Audit trail"
    assert {"When (UTC)", "Who", "Role", "Before → after"} <= set(_table(at).columns)


def test_local_mode_user_is_an_admin_and_reads_the_journal(app_env):
    at = open_page("journal")
    assert not at.exception, at.exception
    assert any("Aucune ligne" in i.value for i in at.info)  # a fresh database
    at.button(key="journal.verify").click().run()
    assert any("Journal intact" in s.value for s in at.success)
