"""In a real browser, against a real OpenID Connect provider: sign-in, roles, the audit trail.

The provider (oidc-provider-mock) runs as its own process on a free localhost port; the app is
served with a throwaway secrets file whose ``[auth]`` section points to it, and a profile
naming one admin by e-mail and the auditors by an ID-token group. The browser signs in
through the provider's authorization form, choosing the user by its ``sub``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.config.loading import load_config
from core.exceptions import PermissionDeniedError
from core.model.registry import Registry
from core.store import audit
from core.store.database import Store
from tests.e2e.conftest import (
    add_scored_batch,
    data_config,
    keep_local,
    oidc_provider,
    prepare_data,
    serve,
    wait_app_idle,
    write_auth_secrets,
)
from tests.helpers import ADMIN

pytestmark = pytest.mark.e2e

CHEF = {
    "sub": "chef",
    "email": "chef.audit@banque.test",
    "email_verified": True,
    "name": "Chef Audit",
}
ALICE = {
    "sub": "alice",
    "email": "alice.auditrice@banque.test",
    "email_verified": True,
    "name": "Alice Auditrice",
    "groups": ["wb-auditeurs"],
}
BOB = {"sub": "bob", "email": "bob.intrus@ailleurs.test", "email_verified": True, "name": "Bob"}
ROLES = "auth:\n  admins: [chef.audit@banque.test]\n  auditor_groups: [wb-auditeurs]\n"


@pytest.fixture(scope="module")
def auth_root(tmp_path_factory) -> Path:
    """The server's data: an active model, a second registered version left inactive, one
    scored batch (so the thresholds page has claims), and the roles profile."""
    root = prepare_data(tmp_path_factory.mktemp("auth-e2e"))
    add_scored_batch(root, "lot_initial.xlsx", n=600, seed=43, id_start=96_001)
    cfg = data_config(root)
    with Store(cfg.paths.database) as store:
        registry = Registry(cfg.paths.models_dir, store)
        registry.register(registry.load(registry.active().version), actor=ADMIN)
    (root / "roles.yaml").write_text(ROLES, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(auth_root: Path):
    with oidc_provider([CHEF, ALICE, BOB], auth_root / "oidc.log") as issuer:
        secrets_file = write_auth_secrets(auth_root / "secrets.toml", issuer)
        profile = {"WORKBENCH_PROFILE": str(auth_root / "roles.yaml")}
        with serve(auth_root, secrets_file=secrets_file, env=profile) as url:
            yield url


@pytest.fixture
def page(page):
    keep_local(page.context)  # the provider's pages link a stylesheet on a CDN
    return page


def _actor(root: Path, claims: dict):
    """The actor the server derives from these claims (same profile, same policy)."""
    return load_config(str(root / "roles.yaml")).auth.actor_from_claims(claims)


def _sign_in(page, server: str, sub: str) -> None:
    """Sign in through the provider's authorization form, as the user ``sub``."""
    page.goto(server)
    page.get_by_role("button", name="Se connecter").click()
    page.locator('input[name="sub"]').fill(sub)  # the provider's form: who signs in
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(rf"^{re.escape(server)}/?$"))
    wait_app_idle(page)


def _go(page, link: str, heading: str) -> None:
    """Through the sidebar navigation, to the page titled ``heading``."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile(link)).click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    wait_app_idle(page)


def _store(root: Path) -> Store:
    return Store(data_config(root).paths.database)


def _sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_an_auditor_uploads_and_reviews_under_their_own_e_mail(server, page, auth_root, tmp_path):
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    frame, _ = generate_claims(300, seed=47, year=2025, id_start=97_001)
    write_claims_xlsx(frame, tmp_path / "lot_alice.xlsx")
    _sign_in(page, server, "alice")
    expect(_sidebar(page)).to_contain_text("Alice Auditrice")
    expect(_sidebar(page)).to_contain_text("(auditeur)")
    expect(_sidebar(page)).to_contain_text(ALICE["email"])

    page.locator('input[type="file"]').set_input_files(str(tmp_path / "lot_alice.xlsx"))
    page.get_by_text(re.compile(r"Lot n° \d+ — décisions")).wait_for(timeout=120_000)
    wait_app_idle(page)
    with _store(auth_root) as store:
        (batch,) = [b for b in store.list_batches() if b.file_name == "lot_alice.xlsx"]
    assert batch.uploaded_by == ALICE["email"]

    _go(page, "Revue", "Revue des réclamations")
    batch_box = page.get_by_role("combobox", name="Lot", exact=True)
    expect(batch_box).to_have_value(re.compile("lot_alice.xlsx"))  # the newest batch first
    page.get_by_text("Fondée (valider)").click()
    page.get_by_label("Commentaire").fill("Pièces justificatives conformes")
    page.get_by_role("button", name="Enregistrer et suivant").click()
    page.get_by_role("heading", name="Réclamations revues").wait_for()
    wait_app_idle(page)

    with _store(auth_root) as store:
        reviews = store.latest_reviews(batch.id)
        with store.cursor() as cur:
            trail = audit.entries(cur, actor=ALICE["email"])
    assert list(reviews["auditor"]) == [ALICE["email"]]
    assert list(reviews["comment"]) == ["Pièces justificatives conformes"]
    # (the drift job queued with the scores runs as her too, when it has run)
    assert {"batch.saved", "batch.scored", "review.created"} <= {e.action for e in trail}
    assert {e.role for e in trail} == {"auditor"}
    (review,) = [e for e in trail if e.action == "review.created"]
    assert review.detail["batch_id"] == batch.id


def test_an_auditor_cannot_publish_thresholds_nor_activate_a_model(server, page, auth_root):
    with _store(auth_root) as store, store.cursor() as cur:
        before_id = audit.head(cur)[0]
    _sign_in(page, server, "alice")

    _go(page, "Seuils", "Seuils de décision")
    expect(page.get_by_role("button", name="Publier")).to_be_disabled()
    expect(page.get_by_text("réservée aux administrateurs")).to_be_visible()

    _go(page, "Modèle", "Modèle")
    expect(page.get_by_role("button", name="Activer cette version…")).to_be_disabled()
    expect(page.get_by_text("L'activation d'une version et le retour")).to_be_visible()
    expect(page.get_by_text("Le réentraînement et la promotion d'un challenger")).to_be_visible()
    expect(page.get_by_role("button", name="Entraîner le challenger")).to_have_count(0)

    _go(page, "Journal", "Journal d'audit")
    expect(page.get_by_text("réservé aux administrateurs")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    assert page.get_by_test_id("stException").count() == 0

    # The same identity calling core directly is refused there, and nothing is written.
    alice = _actor(auth_root, ALICE)
    assert (alice.id, alice.role) == (ALICE["email"], "auditor")
    with _store(auth_root) as store:
        registry = Registry(data_config(auth_root).paths.models_dir, store)
        active = registry.active().version
        (other,) = [v.version for v in registry.list() if not v.active]
        pair_before = store.active_thresholds(active)
        with pytest.raises(PermissionDeniedError, match="publier des"):
            store.publish_thresholds(active, 0.3, 0.7, source="manual", actor=alice, reason="x")
        with pytest.raises(PermissionDeniedError, match="activer un modèle"):
            registry.activate(other, actor=alice)
        assert registry.active().version == active
        assert store.active_thresholds(active) == pair_before
        with store.cursor() as cur:
            since = [e for e in audit.entries(cur) if e.id > (before_id or 0)]
    assert not [e for e in since if e.action.startswith(("thresholds.", "model."))]


def test_an_admin_publishes_thresholds_and_reads_the_journal(server, page, auth_root):
    _sign_in(page, server, "chef")
    expect(_sidebar(page)).to_contain_text("Chef Audit")
    expect(_sidebar(page)).to_contain_text("(administrateur)")
    _go(page, "Modèle", "Modèle")
    expect(page.get_by_role("button", name="Activer cette version…")).to_be_enabled()

    _go(page, "Seuils", "Seuils de décision")
    page.get_by_label("Raison de la publication (obligatoire)").fill("Capacité d'audit réduite")
    page.get_by_role("button", name="Publier").click()
    page.get_by_text(re.compile(r"Paire n° \d+ publiée")).wait_for()
    wait_app_idle(page)
    with _store(auth_root) as store:
        version = Registry(data_config(auth_root).paths.models_dir, store).active().version
        record = store.active_thresholds(version)
        with store.cursor() as cur:
            (row,) = audit.entries(cur, action="thresholds.published", limit=1)
    assert (record.published_by, record.reason) == (CHEF["email"], "Capacité d'audit réduite")
    assert (row.actor, row.role, row.reason) == (CHEF["email"], "admin", record.reason)
    assert row.detail["thresholds_id"] == record.id

    _go(page, "Journal", "Journal d'audit")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.get_by_role("button", name="Vérifier la chaîne et les modèles").click()
    expect(
        page.get_by_text(re.compile(r"Journal intact .*2 modèle\(s\) conformes"))
    ).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0


def test_a_signed_in_user_without_a_role_is_refused_then_signs_out(server, page):
    _sign_in(page, server, "bob")
    page.get_by_role("heading", name="Accès refusé").wait_for()
    # shown as typed; an invisible word joiner after "@" keeps it from becoming a mailto link
    bob = re.escape(BOB["email"]).replace("@", "@\u2060?")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(re.compile(bob))
    expect(page.get_by_role("link", name=re.compile("Seuils"))).to_have_count(0)  # no app
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="End session").click()  # the provider's end-session page
    page.get_by_role("button", name="Se connecter").wait_for()
    assert page.url.startswith(server)
