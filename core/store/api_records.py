"""The API part of :class:`core.store.Store`: tokens, claims scored by the API, refusals.

- ``api_tokens``: one bearer token per calling system, kept as its SHA-256 (the token itself
  is shown once, when created). Creating and revoking are admin actions, each an audit row.
- ``api_claims``: one row per claim the API scored, with the claim's standard columns (as in
  ``claims``), so the client history and the yearly cap of automatic validations of every
  later scoring — batch or API — count it (:mod:`core.store.scores` reads both tables).
  A request's rows and its ``api.predict`` audit row are one transaction: a request is
  recorded whole or not at all.
- ``api_refusals``: one row per refused request (who, when, status, reason), with an
  ``api.refused`` audit row.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor, require
from core.exceptions import WorkbenchError
from core.store.common import STANDARD_COLUMNS, StoreAccess, _unregister, _utcnow

TOKEN_PREFIX = "wbk_"
ANONYMOUS = "anonymous"  # the caller of a request without a valid token
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# api_claims columns filled from the validated frame (frame key -> column), as in `claims`.
API_CLAIM_COLUMNS = {
    key: col
    for key, (col, _) in STANDARD_COLUMNS.items()
    if key not in ("row_number", "label", "label_excluded")
}


_SCORED = (  # after the standard columns, in the order _stage builds them
    "extras",
    "claim_sha256",
    "probability",
    "decision",
    "decision_model",
    "rule_flags",
    "rule_reason",
)
_FEW = 8  # up to this many claims, inserted with parameters rather than a registered frame


def hash_token(token: str) -> str:
    """What the store keeps of a token (tokens are 256 random bits: no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    """One calling system's token, as listed (never the token itself)."""

    name: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class ApiStamp:
    """What a request checks first, in one read: who calls, and which model is active."""

    caller: str | None  # the token's name; None for an unknown or revoked token
    model_version: str | None  # the active model (None: no model active)


@dataclass(frozen=True)
class ApiReplay:
    """A claim's outcome as first recorded (what a retry of the same claim gets back)."""

    request_id: str
    scored_at: datetime
    model_version: str
    probability: float
    decision: int
    decision_model: int
    rule_flags: str
    rule_reason: str
    thresholds_id: int | None


class ApiRecordsMixin(StoreAccess):
    """API methods of :class:`core.store.database.Store`."""

    # ------------------------------------------------------------------ tokens
    def create_api_token(self, name: str, *, actor: Actor) -> str:
        """A new token for the calling system ``name`` (returned once, stored hashed).

        A revoked name may be given a new token; an active one must be revoked first.
        """
        require(actor, "api.tokens")
        name = name.strip()
        if not _NAME.match(name):
            raise WorkbenchError(
                f"Nom de système appelant invalide : {name!r} (lettres, chiffres, « _ », « . », "
                f"« - », 64 au plus). / Invalid calling-system name {name!r} (letters, digits, "
                "_ . -, at most 64)."
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = _utcnow()
        with self.transaction(f"create the API token {name}") as cur:
            row = cur.execute("SELECT revoked_at FROM api_tokens WHERE name = ?", [name]).fetchone()
            if row is not None and row[0] is None:
                raise WorkbenchError(
                    f"Le système « {name} » a déjà un jeton actif : révoquez-le d'abord "
                    f"(python -m core api-token revoke {name}). / « {name} » already has an "
                    f"active token: revoke it first (python -m core api-token revoke {name})."
                )
            cur.execute("DELETE FROM api_tokens WHERE name = ?", [name])
            cur.execute(
                "INSERT INTO api_tokens VALUES (?, ?, ?, ?, NULL, NULL)",
                [name, hash_token(token), now, actor.id],
            )
            audit.append(
                cur, actor, "api.token_created", {"name": name, "renewed": row is not None}
            )
        return token

    def revoke_api_token(self, name: str, *, actor: Actor, reason: str = "") -> None:
        """Revoke ``name``'s token: its next request is refused (401)."""
        require(actor, "api.tokens")
        with self.transaction(f"revoke the API token {name}") as cur:
            row = cur.execute("SELECT revoked_at FROM api_tokens WHERE name = ?", [name]).fetchone()
            if row is None or row[0] is not None:
                known = ", ".join(t.name for t in _tokens(cur) if t.active) or "aucun / none"
                raise WorkbenchError(
                    f"Aucun jeton actif nommé « {name} » (actifs : {known}). / No active token "
                    f"named « {name} » (active: {known})."
                )
            cur.execute(
                "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE name = ?",
                [_utcnow(), actor.id, name],
            )
            audit.append(cur, actor, "api.token_revoked", {"name": name}, reason=reason)

    def api_tokens(self) -> list[ApiToken]:
        """Every token ever created, by name (revoked ones included)."""
        with self.cursor("read the API tokens") as cur:
            return _tokens(cur)

    def api_stamp(self, token: str | None) -> ApiStamp:
        """The caller of ``token`` (None when unknown or revoked) and the active model."""
        digest = hash_token(token) if token else ""
        with self.cursor("check an API token") as cur:
            rows = cur.execute(  # a union of two scans costs DuckDB less than two subqueries
                """SELECT TRUE, name FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL
                   UNION ALL SELECT FALSE, version FROM model_versions WHERE active""",
                [digest],
            ).fetchall()
        caller = next((name for is_token, name in rows if is_token), None)
        version = next((name for is_token, name in rows if not is_token), None)
        return ApiStamp(caller, version)

    def api_replay(self, caller: str, claim_id: str, digest: str) -> ApiReplay | None:
        """The outcome already recorded for this caller's claim with the same ID and the
        same values (a retry), or None."""
        with self.cursor("look for a claim already scored") as cur:
            row = cur.execute(
                """SELECT a.request_id, a.scored_at, a.model_version, a.probability, a.decision,
                          a.decision_model, coalesce(a.rule_flags, ''),
                          coalesce(a.rule_reason, ''), a.thresholds_id
                   FROM api_claims a
                   WHERE a.claim_id = ? AND a.caller = ? AND a.claim_sha256 = ?
                   ORDER BY a.scored_at DESC LIMIT 1""",
                [claim_id, caller, digest],
            ).fetchone()
        return ApiReplay(*row) if row else None

    def record_api_replay(self, *, request_id: str, actor: Actor, replay: ApiReplay) -> None:
        """The audit row of a retry answered with the outcome already recorded."""
        with self.transaction(f"record the API retry {request_id}") as cur:
            audit.append(
                cur,
                actor,
                "api.replayed",
                {"request_id": request_id, "first_request_id": replay.request_id,
                 "model_version": replay.model_version, "decision": replay.decision},
            )  # fmt: skip

    # ------------------------------------------------------------------ records
    def save_api_scores(
        self,
        scored: pd.DataFrame | Mapping[str, np.ndarray],
        *,
        request_id: str,
        actor: Actor,
        model_version: str,
        thresholds_id: int | None,
        detail: Mapping[str, Any],
    ) -> datetime:
        """Store the claims of one API request with their scores and its ``api.predict``
        audit row, in one transaction; return the time recorded.

        ``scored`` is the validated frame (columns by key, or those columns as arrays) with
        ``probability``, ``decision``, ``decision_model``, ``rule_flags`` and ``rule_reason``.
        """
        scored_at = _utcnow()
        staged = _stage(scored)
        columns = ", ".join(("position", *API_CLAIM_COLUMNS.values(), *_SCORED))
        prefix = (
            "INSERT INTO api_claims (request_id, caller, scored_at, model_version, "
            f"thresholds_id, {columns})"
        )
        fixed = [request_id, actor.name, scored_at, model_version, thresholds_id]
        with self.transaction(f"record the API request {request_id}") as cur:
            n = len(staged["position"])
            assert list(staged) == ["position", *API_CLAIM_COLUMNS.values(), *_SCORED]
            if n <= _FEW:  # one claim: plain parameters, nothing to register
                marks = ", ".join("?" * (5 + len(staged)))
                for values in zip(*staged.values(), strict=True):
                    cur.execute(f"{prefix} VALUES ({marks})", [*fixed, *map(_plain, values)])
            else:
                view = f"api_scores_{uuid.uuid4().hex}"
                cur.register(view, pd.DataFrame(staged))
                try:
                    cur.execute(f"{prefix} SELECT ?, ?, ?, ?, ?, {columns} FROM {view}", fixed)
                finally:
                    _unregister(cur, view)
            codes = staged["decision"]
            audit.append(
                cur,
                actor,
                "api.predict",
                {"request_id": request_id, "claims": n, **dict(detail)},
                after={"decisions": {str(c): int((codes == c).sum()) for c in (-1, 0, 1)}},
            )
        return scored_at

    def record_api_refusal(
        self,
        *,
        request_id: str,
        actor: Actor,
        path: str,
        status: int,
        reason: str,
        model_version: str | None = None,
    ) -> None:
        """One refused request: its row and its ``api.refused`` audit row."""
        with self.transaction(f"record the refused API request {request_id}") as cur:
            cur.execute(
                "INSERT INTO api_refusals (request_id, caller, refused_at, path, status, reason, "
                "model_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [request_id, actor.name, _utcnow(), path, status, reason[:2000], model_version],
            )
            audit.append(
                cur,
                actor,
                "api.refused",
                {"request_id": request_id, "path": path, "status": status, "reason": reason[:500]},
            )


def _tokens(cur: Any) -> list[ApiToken]:
    rows = cur.execute(
        "SELECT name, created_at, created_by, revoked_at, revoked_by FROM api_tokens ORDER BY name"
    ).fetchall()
    return [ApiToken(*row) for row in rows]


def _stage(scored: pd.DataFrame | Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The columns to insert, in insertion order: the claim's (:func:`_stage_claims`), its
    digest, then the scores (:func:`_stage_scores`)."""
    if isinstance(scored, pd.DataFrame):
        scored = {c: scored[c].to_numpy() for c in scored.columns}
    out = _stage_claims(scored)
    n = len(out["position"])
    out["claim_sha256"] = [claim_digest(out, i) for i in range(n)]
    return out | _stage_scores(scored)


def _stage_scores(scored: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``probability``, ``decision``, ``decision_model``, ``rule_flags``, ``rule_reason`` as
    they are inserted (an empty rule as NULL)."""
    out = {"probability": np.asarray(scored["probability"], dtype=float)}
    for name in ("decision", "decision_model"):
        out[name] = np.asarray(scored[name], dtype=np.int8)
    for name in ("rule_flags", "rule_reason"):
        out[name] = np.array(
            [None if _missing(v) or v == "" else str(v) for v in scored[name]], dtype=object
        )
    return out


def claim_digests(claims: Mapping[str, np.ndarray]) -> list[str]:
    """The digest of each claim (validated columns by key) as :func:`_stage` records it."""
    staged = _stage_claims(claims)
    return [claim_digest(staged, i) for i in range(len(staged["position"]))]


def _stage_claims(scored: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Standard columns typed as in ``claims``, the other columns as one JSON object."""
    n = len(next(iter(scored.values())))
    out: dict[str, Any] = {"position": np.arange(n, dtype=np.int32)}
    for key, col in API_CLAIM_COLUMNS.items():
        sql_type = STANDARD_COLUMNS[key][1]
        values = scored.get(key)
        if values is None:
            out[col] = np.full(n, np.nan if sql_type == "DOUBLE" else None, dtype=object)
        elif sql_type == "DOUBLE":
            out[col] = pd.to_numeric(values, errors="coerce").astype(float)
        elif sql_type == "TIMESTAMP":
            out[col] = np.asarray(pd.to_datetime(values, errors="coerce"), dtype="datetime64[ns]")
        else:
            out[col] = np.array([None if _missing(v) else str(v) for v in values], dtype=object)
    known = {*STANDARD_COLUMNS, *_SCORED, "qc_sample", "probability", "decision",
             "decision_model", "rule_flags", "rule_reason"}  # fmt: skip
    extras = [c for c in scored if c not in known]
    out["extras"] = [
        json.dumps({c: _plain(scored[c][i]) for c in extras}, ensure_ascii=False, default=str)
        if extras
        else None
        for i in range(n)
    ]
    return out


def claim_digest(columns: Mapping[str, Any], i: int) -> str:
    """SHA-256 of claim ``i``'s values as stored (standard columns and extras)."""
    values = [_plain(columns[col][i]) for col in (*API_CLAIM_COLUMNS.values(), "extras")]
    return hashlib.sha256(json.dumps(values, default=str).encode("utf-8")).hexdigest()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _plain(value: Any) -> Any:
    """A value as DuckDB's parameters and JSON take it (NaN / NaT -> None)."""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if _missing(value):
        return None
    return value
