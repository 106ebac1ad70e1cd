"""Roles from the ``auth:`` configuration and the ID token's claims; the access policy."""

from __future__ import annotations

import pytest

from core.config.identity import Actor, AuthConfig, require
from core.exceptions import PermissionDeniedError

AUTH = AuthConfig(admins=("Chef@Banque.test",), auditors=("audit@banque.test",))


def test_an_admin_by_e_mail_whatever_its_case():
    actor = AUTH.actor_from_claims({"sub": "u1", "email": "chef@banque.TEST", "name": "Chef"})
    assert actor == Actor("chef@banque.test", "Chef", "admin", "app")


def test_an_auditor_by_e_mail_and_a_stranger_refused():
    assert AUTH.actor_from_claims({"sub": "u2", "email": "audit@banque.test"}).role == "auditor"
    assert AUTH.actor_from_claims({"sub": "u3", "email": "autre@banque.test"}) is None


def test_with_no_auditor_list_any_signed_in_user_is_an_auditor():
    auth = AuthConfig(admins=("chef@banque.test",))
    actor = auth.actor_from_claims({"sub": "u3", "email": "autre@banque.test"})
    assert (actor.id, actor.role) == ("autre@banque.test", "auditor")


def test_roles_from_a_group_claim_as_a_list_or_a_single_string():
    auth = AuthConfig(
        group_claim="roles", admin_groups=("wb-admins",), auditor_groups=("wb-auditors",)
    )
    claims = {"sub": "u4", "email": "x@banque.test"}
    assert auth.actor_from_claims({**claims, "roles": ["a", "wb-admins"]}).role == "admin"
    assert auth.actor_from_claims({**claims, "roles": "wb-auditors"}).role == "auditor"
    assert auth.actor_from_claims({**claims, "roles": ["other"]}) is None
    assert auth.actor_from_claims(claims) is None


def test_an_unverified_e_mail_grants_no_role_and_is_not_the_identity():
    claims = {"sub": "u5", "email": "chef@banque.test", "email_verified": False}
    assert AUTH.actor_from_claims(claims) is None  # not an admin, not a listed auditor
    open_auth = AuthConfig()
    actor = open_auth.actor_from_claims(claims)
    assert (actor.id, actor.role) == ("u5", "auditor")
    verified = {**claims, "email_verified": True}
    assert AUTH.actor_from_claims(verified).role == "admin"


def test_no_subject_no_actor():
    assert AUTH.actor_from_claims({"name": "Nobody"}) is None


def test_require_refuses_admin_actions_to_an_auditor_only():
    auditor = Actor("audit@banque.test", "Audit", "auditor")
    with pytest.raises(PermissionDeniedError, match="seul un administrateur") as info:
        require(auditor, "thresholds.publish")
    assert info.value.action == "thresholds.publish"
    require(auditor, "review.save")  # not an admin action
    require(Actor("chef@banque.test", "Chef", "admin"), "audit.read")
