"""Sign-in: who acts, the sign-in and refusal pages, admin-only controls, the safety net.

AppTest stands in for the identity provider (tests/app/conftest.py: ``signed_in``); the roles
come from a profile naming one admin and one auditor (the ``roles`` fixture).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app.components import identity
from core.config.identity import AuthConfig
from core.config.loading import load_config
from core.exceptions import WorkbenchError
from core.model.registry import Registry
from core.store.database import Store
from tests.app.conftest import (
    ADMIN_EMAIL,
    ADMIN_USER,
    AUDITOR_EMAIL,
    AUDITOR_USER,
    MAIN,
    shown,
    signed_in,
    user_claims,
)


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


# ------------------------------------------------------------------ the pure resolution


def test_resolve_covers_local_signed_out_refused_and_signed_in():
    auth = AuthConfig(admins=(ADMIN_EMAIL,), auditors=(AUDITOR_EMAIL,))
    local = identity.resolve(auth, False, ADMIN_USER)  # no provider: st.user is ignored
    assert (local.state, local.actor) == (identity.LOCAL, auth.local_actor())
    assert identity.resolve(auth, True, {}).state == identity.SIGNED_OUT
    assert identity.resolve(auth, True, {"is_logged_in": False}).state == identity.SIGNED_OUT
    stranger = identity.resolve(auth, True, user_claims("x@ailleurs.test", "X"))
    assert (stranger.state, stranger.actor, stranger.email) == (
        identity.NO_ROLE,
        None,
        "x@ailleurs.test",
    )
    admin = identity.resolve(auth, True, {**ADMIN_USER, "tokens": {}, "provider": "default"})
    assert admin.state == identity.SIGNED_IN
    assert (admin.actor.id, admin.actor.role, admin.actor.via) == (ADMIN_EMAIL, "admin", "app")


def test_a_display_name_from_the_provider_is_shown_as_text(roles):
    hostile = "**Eve** [x](http://e.vil) :red[y]"
    at = signed_in({**AUDITOR_USER, "name": hostile})
    assert not at.exception, at.exception
    caption = next(c.value for c in at.sidebar.caption)
    assert shown(caption) == f"Connecté : {hostile} (auditeur)"  # as typed, nothing rendered
    assert "**Eve**" not in caption  # the markup reaches the page escaped


# ------------------------------------------------------------------ sign-in and refusal


def test_signed_out_sees_only_the_sign_in_page(roles):
    at = signed_in(None)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Connexion"]
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.sidebar.caption and not at.sidebar.warning  # no identity, no local banner
    assert not at.dataframe and not at.get("file_uploader")


def test_sign_in_with_a_broken_provider_configuration_says_so(roles):
    # at.secrets does not reach Streamlit's own [auth] check, which finds no section: the
    # error a misconfigured deployment gets, shown plainly.
    at = signed_in(None)
    _button(at, "identity.sign_in").click().run()
    assert not at.exception, at.exception
    assert any("pas configurée correctement" in e.value for e in at.error), at.error


def test_a_signed_in_user_without_a_role_is_refused_by_name(roles):
    at = signed_in(user_claims("inconnu@ailleurs.test", "Inconnu"), lang="en")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Access refused"]
    (refusal,) = at.error
    assert "inconnu@ailleurs" in shown(refusal.value) and "has no role" in refusal.value
    assert [b.label for b in at.button] == ["Sign out"]
    _button(at, "identity.sign_out").click().run()
    assert at.user == {"is_logged_in": False}  # st.logout() ran
    assert [t.value for t in at.title] == ["Sign in"]


def test_the_sidebar_names_the_signed_in_user_and_signs_out(roles):
    at = signed_in(AUDITOR_USER)
    assert not at.exception, at.exception
    assert at.title[0].value == "Dépôt d'un lot de réclamations"
    shown = " ".join(c.value for c in at.sidebar.caption)
    assert "Alice Auditrice" in shown and "auditeur" in shown
    assert not at.sidebar.warning  # no local-mode banner
    _button(at, "identity.sign_out").click().run()
    assert [t.value for t in at.title] == ["Connexion"]


# ------------------------------------------------------------------ admin-only controls


def test_an_auditor_sees_model_switches_disabled_with_the_reason(roles_with_model):
    at = signed_in(AUDITOR_USER, "model")
    assert not at.exception, at.exception
    assert _button(at, "model_page.activate").disabled
    assert _button(at, "model_page.rollback").disabled
    assert any("réservés aux administrateurs" in c.value for c in at.caption)


def test_an_admin_has_the_model_switches(roles_with_model):
    at = signed_in(ADMIN_USER, "model")
    assert not _button(at, "model_page.activate").disabled
    assert not _button(at, "model_page.rollback").disabled
    assert not any("réservés aux administrateurs" in c.value for c in at.caption)


def test_a_refusal_from_core_is_shown_as_an_error_not_a_traceback(roles_with_model):
    # The page shows the switch disabled; if the click still comes in (a stale page, a
    # crafted message), core refuses and the page says so.
    at = signed_in(AUDITOR_USER, "model")
    cfg = load_config(str(roles_with_model / "roles.yaml"))
    with Store(cfg.paths.database) as store:
        before = Registry(cfg.paths.models_dir, store).active().version
    older = at.selectbox(key="model_page.version").value
    at.session_state["model_page.pending"] = ("activate", older)
    at.run()
    _button(at, "model_page.confirm").click().run()
    assert not at.exception, at.exception
    assert any("seul un administrateur peut activer un modèle" in e.value for e in at.error)
    with Store(cfg.paths.database) as store:
        assert Registry(cfg.paths.models_dir, store).active().version == before


# ------------------------------------------------------------------ the safety net


def test_a_workbench_error_escaping_a_page_is_shown_as_its_message(roles, monkeypatch):
    def broken(self):
        raise WorkbenchError("Le registre est illisible : vérifiez le dossier models/.")

    monkeypatch.setattr(Registry, "list", broken)
    at = signed_in(ADMIN_USER, "model")
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Le registre est illisible : vérifiez le dossier models/."
    ]


def test_an_unexpected_error_is_logged_and_shown_as_a_short_message(roles, monkeypatch, caplog):
    def broken(self):
        raise RuntimeError("internal detail: /secret/path")

    monkeypatch.setattr(Registry, "list", broken)
    with caplog.at_level(logging.ERROR, logger="app"):
        at = signed_in(ADMIN_USER, "model")
    assert not at.exception, at.exception
    (error,) = at.error
    assert "erreur inattendue" in error.value and "/secret/path" not in error.value
    logged = [r for r in caplog.records if r.name == "app" and r.exc_info]
    assert logged and "internal detail" in str(logged[0].exc_info[1])


@pytest.fixture
def roles_scored(roles_with_model: Path) -> tuple[str, Path]:
    """roles_with_model and a labelled batch of 300 claims scored by the admin; the version."""
    from core.ingest.pipeline import ingest
    from core.scoring.batch import score_batch
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    cfg = load_config(str(roles_with_model / "roles.yaml"))
    admin = cfg.auth.actor_from_claims(ADMIN_USER)
    frame, _ = generate_claims(300, seed=23, year=2025, id_start=80_001)
    write_claims_xlsx(frame, roles_with_model / "lot.xlsx")
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        batch_id = ingest(roles_with_model / "lot.xlsx", cfg, store, actor=admin).batch_id
        score_batch(batch_id, store, registry, cfg, actor=admin)
        return registry.active().version, roles_with_model


def _published(root: Path, version: str) -> tuple[int, list[tuple[str, str]]]:
    """(pairs stored for ``version``, (actor, role) of each thresholds.published audit row)."""
    from core.store import audit

    database = load_config(str(root / "roles.yaml")).paths.database
    with Store(database) as store, store.cursor() as cur:
        rows = audit.entries(cur, action="thresholds.published")
        n = cur.execute(
            "SELECT count(*) FROM thresholds WHERE model_version = ?", [version]
        ).fetchone()[0]
    return n, [(e.actor, e.role) for e in rows]


def test_an_auditor_cannot_publish_thresholds_and_is_told_why(roles_scored):
    version, root = roles_scored
    before = _published(root, version)  # the pair registered with the model, no publication
    at = signed_in(AUDITOR_USER, "thresholds")
    assert not at.exception, at.exception
    assert _button(at, "thresholds.publish").disabled
    assert at.text_input(key="thresholds.reason").disabled
    assert any("réservée aux administrateurs" in c.value for c in at.caption)
    assert _published(root, version) == before


def test_a_publication_refused_by_core_is_shown_as_an_error(roles_scored):
    # A page drawn for an admin, clicked after the session became an auditor's (a stale
    # page, a role withdrawn): the click reaches core, which refuses; the page says so.
    version, root = roles_scored
    before = _published(root, version)
    at = signed_in(ADMIN_USER, "thresholds")
    at.text_input(key="thresholds.reason").set_value("Essai").run()
    at.user = dict(AUDITOR_USER)
    _button(at, "thresholds.publish").click().run()
    assert not at.exception, at.exception
    assert any("seul un administrateur peut publier" in e.value for e in at.error), at.error
    assert _published(root, version) == before


def test_an_admin_publishes_thresholds_under_their_own_name(roles_scored):
    version, root = roles_scored
    n_before, rows_before = _published(root, version)
    at = signed_in(ADMIN_USER, "thresholds")
    assert not _button(at, "thresholds.publish").disabled
    at.text_input(key="thresholds.reason").set_value("Capacité réduite").run()
    _button(at, "thresholds.publish").click().run()
    assert not at.exception, at.exception
    assert any(ADMIN_EMAIL in shown(s.value) for s in at.success), at.success
    assert _published(root, version) == (n_before + 1, [(ADMIN_EMAIL, "admin"), *rows_before])


def test_unreadable_secrets_keep_the_app_closed(app_env, monkeypatch):
    # A secrets file that cannot be parsed must not fall back to local mode (local admin).
    from streamlit.errors import StreamlitSecretNotFoundError

    class Unreadable:
        def __contains__(self, key):
            raise StreamlitSecretNotFoundError(
                "Error parsing secrets file at {path}: {error}",
                path="/etc/wb/secrets.toml",
                error="Expected '=' after a key",
                error_id="failed-parsing-secrets-file",
            )

    monkeypatch.setattr(st, "secrets", Unreadable())
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("secrets" in e.value and "illisibles" in e.value for e in at.error), at.error
    assert not at.title  # no page ran
    assert not at.sidebar.caption  # nobody is signed in, not even the local user
