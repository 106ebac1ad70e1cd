"""Who acts, with which rights: identities, roles from configuration, and the access policy.

Every state change in the workbench is done by an :class:`Actor` and recorded with it in the
audit trail. In the app the actor is the user signed in with the organisation's identity
provider (OIDC), whose role comes from the ``auth:`` section (e-mail lists or an OIDC group
claim); with no identity provider configured the app runs in local mode as the one local user
the configuration names. On the command line the actor is the operating-system account
(``cli:<user>``), with the role ``auth.cli_role``. Background jobs run as the actor who
queued them.

The policy is enforced in core, where the state changes, by :func:`require` — not by hiding
buttons: an auditor asking to publish thresholds gets a :class:`PermissionDeniedError`
whatever the page shows.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.exceptions import PermissionDeniedError

AUDITOR, ADMIN = "auditor", "admin"
ROLES = (AUDITOR, ADMIN)

# Actions only an admin may take (everything else is open to auditors and admins).
ADMIN_ACTIONS: Mapping[str, tuple[str, str]] = {
    "thresholds.publish": ("publier des seuils", "publish thresholds"),
    "costs.publish": ("publier des coûts", "publish costs"),
    "model.register": ("enregistrer un modèle", "register a model"),
    "model.activate": ("activer un modèle", "activate a model"),
    "model.rollback": ("revenir au modèle précédent", "roll back the model"),
    "model.train": ("entraîner un modèle", "train a model"),
    "audit.read": ("consulter le journal d'audit", "read the audit trail"),
    "api.tokens": ("créer ou révoquer un jeton d'API", "create or revoke an API token"),
    "decisions.override": (
        "re-décider un lot avec une paire non publiée",
        "re-decide a batch with a pair that is not published",
    ),
}


@dataclass(frozen=True)
class Actor:
    """An identity and its role, as recorded in the audit trail."""

    id: str  # stable identity: e-mail from the identity provider, "local:<name>", "cli:<user>"
    name: str  # display name
    role: str  # "auditor" | "admin"
    via: str = "app"  # "app" (signed in), "local" (no identity provider), "cli", "api"

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("an actor needs an identity")
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is not one of {', '.join(ROLES)}")

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def label(self) -> str:
        """``Name <id>``, or the id alone when the name adds nothing."""
        return self.id if self.name in ("", self.id) else f"{self.name} <{self.id}>"


@dataclass(frozen=True)
class LocalUser:
    """The one user of local mode (no identity provider configured)."""

    name: str = "Utilisateur local"
    role: str = ADMIN

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("local_user.name must not be empty")
        if self.role not in ROLES:
            raise ValueError(f"local_user.role {self.role!r} is not one of {', '.join(ROLES)}")


@dataclass(frozen=True)
class AuthConfig:
    """The ``auth:`` section: who is an admin or an auditor once signed in.

    A signed-in user is an admin when their e-mail is in ``admins`` or one of their groups
    (the ID token's ``group_claim``) is in ``admin_groups``; else an auditor when their
    e-mail is in ``auditors`` or a group in ``auditor_groups`` — or any signed-in user when
    both of those lists are empty. Anyone else is refused.
    """

    admins: tuple[str, ...] = ()
    auditors: tuple[str, ...] = ()
    group_claim: str = "groups"
    admin_groups: tuple[str, ...] = ()
    auditor_groups: tuple[str, ...] = ()
    local_user: LocalUser = field(default_factory=LocalUser)
    cli_role: str = ADMIN

    def __post_init__(self) -> None:
        if self.cli_role not in ROLES:
            raise ValueError(f"cli_role {self.cli_role!r} is not one of {', '.join(ROLES)}")
        for name in ("admins", "auditors"):
            lowered = tuple(e.strip().lower() for e in getattr(self, name))
            object.__setattr__(self, name, lowered)

    def role_of(self, email: str, groups: Iterable[str] = ()) -> str | None:
        """The role of a signed-in user, or None when they are not allowed in."""
        email = (email or "").strip().lower()
        groups = {str(g) for g in groups}
        if (email and email in self.admins) or groups & set(self.admin_groups):
            return ADMIN
        open_to_all = not self.auditors and not self.auditor_groups
        if open_to_all or (email and email in self.auditors) or groups & set(self.auditor_groups):
            return AUDITOR
        return None

    def actor_from_claims(self, claims: Mapping[str, Any]) -> Actor | None:
        """The actor of a signed-in user from their ID-token claims (None: no role).

        An e-mail the provider says it did not verify (``email_verified`` false) is ignored:
        it grants no role from the e-mail lists and is not the identity (``sub`` is).
        """
        email = str(claims.get("email") or "").strip()
        if email and str(claims.get("email_verified", True)).strip().lower() == "false":
            email = ""
        subject = email or str(claims.get("sub") or "").strip()
        if not subject:
            return None
        raw_groups = claims.get(self.group_claim) or ()
        groups = [raw_groups] if isinstance(raw_groups, str) else list(raw_groups)
        role = self.role_of(email, groups)
        if role is None:
            return None
        name = str(claims.get("name") or claims.get("preferred_username") or subject)
        return Actor(id=subject.lower() if email else subject, name=name, role=role, via="app")

    def local_actor(self) -> Actor:
        """The local-mode user (no identity provider configured)."""
        user = self.local_user
        return Actor(id=f"local:{user.name}", name=user.name, role=user.role, via="local")

    def cli_actor(self, name: str | None = None) -> Actor:
        """The command line's actor: the operating-system account (or ``name``)."""
        account = (name or "").strip() or _os_user()
        return Actor(id=f"cli:{account}", name=account, role=self.cli_role, via="cli")


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDeniedError unless ``actor`` may take ``action``."""
    if action in ADMIN_ACTIONS and not actor.is_admin:
        fr, en = ADMIN_ACTIONS[action]
        raise PermissionDeniedError(
            f"Action refusée : seul un administrateur peut {fr} ({actor.label} est "
            f"{'auditeur' if actor.role == AUDITOR else actor.role}). / Refused: only an admin "
            f"can {en} ({actor.label} is an {actor.role}).",
            action=action,
        )


def _os_user() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
