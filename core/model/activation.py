"""Which version is active: never one without its own published threshold pair.

A new version comes with its initial pair (the one chosen on validation at training), written
in the same transaction as its registration; activation refuses a version that has no active
pair of its own, and records before -> after in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb

import core.store.audit as audit
from core.config.identity import Actor
from core.exceptions import WorkbenchError

if TYPE_CHECKING:  # pragma: no cover
    from core.model.trained import TrainedModel


@dataclass(frozen=True)
class InitialPair:
    """The threshold pair published with a new version, in the same transaction."""

    low: float
    high: float
    source: str
    reason: str


def set_active(
    cur: duckdb.DuckDBPyConnection, version: str, actor: Actor, action: str, reason: str
) -> None:
    own = cur.execute(
        "SELECT count(*) FROM thresholds WHERE model_version = ? AND active", [version]
    ).fetchone()[0]
    if not own:
        raise WorkbenchError(
            f"Le modèle {version} n'a pas de seuils publiés : publiez sa paire (page Seuils) "
            f"avant de l'activer. / Model {version} has no published thresholds: publish its "
            "pair (Thresholds page) before activating it."
        )
    previous = cur.execute("SELECT version FROM model_versions WHERE active").fetchone()
    cur.execute("UPDATE model_versions SET active = FALSE WHERE active")
    cur.execute(
        "UPDATE model_versions SET active = TRUE, activated_at = ? WHERE version = ?",
        [datetime.now(UTC).replace(tzinfo=None), version],
    )
    audit.append(
        cur,
        actor,
        action,
        {"version": version},
        before={"active": previous[0] if previous else None},
        after={"active": version},
        reason=reason,
    )


def pair_of(model: TrainedModel) -> InitialPair | None:
    """The threshold pair chosen on validation at training, if the model carries one."""
    chosen = ((model.metadata or {}).get("metrics") or {}).get("thresholds") or {}
    if "low" not in chosen or "high" not in chosen:
        return None
    return InitialPair(
        float(chosen["low"]),
        float(chosen["high"]),
        str(chosen.get("source", "cost-optimal")),
        "Seuils initiaux : plus grande borne basse du gain net sur la validation de "
        "l'entraînement (tout auditer si aucune paire ne bat l'audit complet) / initial pair: "
        "largest lower bound of the net gain on the training's validation claims (audit "
        "everything when no pair beats it)",
    )
