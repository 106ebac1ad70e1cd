"""One claim scored by the API: its serialised unit in as few statements as the store allows.

A single claim's request reads what deciding it needs and writes its record inside one
read-then-write unit (:meth:`Store.exclusive`: no other write of any thread or process comes
between), as :meth:`ApiRecordsMixin.save_api_scores` and the batch path do, but with fewer
statements — on DuckDB each costs a fixed half millisecond or so, whatever its size:

- **one read** of the client's stored claims (every batch's and the API's) with, for each,
  whether it is an automatic validation of its batch's latest scoring (or of the API): the
  history that the claim's features count *and* the yearly cap's count, in one query. The
  client's earlier API claims come with their outcome, so a retry (same caller, ID and
  values) is recognised in the same read;
- **the chain's head** (one short read). Every change to the thresholds, the models or the
  tokens appends an audit row in its own transaction (the rule the app's caches rely on too,
  see ``app/resources.py``), so while the head is the one this process wrote last, the
  active pair and the models' hashes it read before are still the stored ones and are not
  read again;
- **one transaction**: the claim's ``api_claims`` row (its insert also draws the audit row's
  id from the chain's sequence, ``RETURNING``) and its ``api.predict`` audit row, chained to
  the head read in the unit; then the anchor file, with the head just written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

import core.store.audit as audit
from core.config.identity import Actor
from core.store.api_records import (
    _SCORED,
    API_CLAIM_COLUMNS,
    ApiReplay,
    _plain,
    _stage_claims,
    _stage_scores,
    claim_digest,
)
from core.store.common import _transaction, _utcnow
from core.store.thresholds import _THRESHOLD_COLUMNS, ThresholdsRecord, _record

if TYPE_CHECKING:  # pragma: no cover
    from core.store.database import Store

# The client's claims of every batch, each with its batch's latest scoring's decision, then
# the client's API claims with their outcome (for a retry). Columns: claim_id, claim_date,
# label, label_excluded, validated, then ApiReplay's fields and caller, claim_sha256.
_CLIENT_CLAIMS_SQL = """
SELECT c.claim_id, c.claim_date, c.label, c.label_excluded,
       coalesce(s.decision = 1, FALSE),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM claims c
LEFT JOIN (SELECT batch_id, max(scored_at) AS at FROM scores GROUP BY batch_id) l
    ON l.batch_id = c.batch_id
LEFT JOIN scores s
    ON s.batch_id = c.batch_id AND s.row_number = c.row_number AND s.scored_at = l.at
WHERE c.client_id = $client
UNION ALL
SELECT claim_id, claim_date, NULL, FALSE, decision = 1,
       request_id, scored_at, model_version, probability, decision, decision_model,
       coalesce(rule_flags, ''), coalesce(rule_reason, ''), thresholds_id, caller, claim_sha256
FROM api_claims WHERE client_id = $client
"""
_REPLAY_SQL = """
SELECT request_id, scored_at, model_version, probability, decision, decision_model,
       coalesce(rule_flags, ''), coalesce(rule_reason, ''), thresholds_id
FROM api_claims WHERE claim_id = ? AND caller = ? AND claim_sha256 = ?
ORDER BY scored_at DESC LIMIT 1
"""
_PAIR_SQL = (
    f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds "
    "WHERE active AND model_version IS NOT DISTINCT FROM ? ORDER BY id DESC LIMIT 1"
)


@dataclass(frozen=True)
class ClientClaims:
    """A client's stored claims (batches and API), as one new claim's history and yearly cap
    read them: ``labels`` as stored (None when unknown), ``validated`` True for an automatic
    validation of its batch's latest scoring or of the API."""

    ids: tuple[str | None, ...]
    dates: np.ndarray  # datetime64[ns], NaT when unknown
    labels: tuple[Any, ...]
    excluded: tuple[Any, ...]
    validated: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.ids)

    def validations_in(self, year: int) -> int:
        """Automatic validations dated in ``year`` (as the yearly cap counts them)."""
        dated = ~np.isnat(self.dates)
        years = self.dates.astype("datetime64[Y]").astype(np.int64) + 1970
        return int((self.validated & dated & (years == year)).sum())


_NO_CLAIMS = ClientClaims((), np.array([], dtype="datetime64[ns]"), (), (), np.zeros(0, bool))


@dataclass(frozen=True)
class ApiClaimContext:
    """What deciding one API claim reads in its unit."""

    client: ClientClaims
    replay: ApiReplay | None  # the outcome already recorded for the same claim (a retry)
    pair: ThresholdsRecord | None  # the model's active pair (None: none published)


@dataclass
class _Known:
    """What this process last read or wrote, valid while the chain's head is ``head``."""

    head: tuple[int | None, str] | None = None  # None: nothing read yet
    pairs: dict[str | None, ThresholdsRecord | None] = field(default_factory=dict)
    models: dict[str, str] | None = None  # None: to read with the next anchor


class ApiClaimUnits:
    """The single-claim units of one store (see the module docstring); thread-safe."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known = _Known()
        self._lock = threading.Lock()
        self.reads = {"pair": 0, "anchor": 0}  # reads the head check saved or not: for tests

    @contextmanager
    def open(
        self, claim: Mapping[str, np.ndarray], *, caller: str, model_version: str, action: str
    ) -> Iterator[ApiClaimUnit]:
        """The unit of one claim (columns by key, one value each): its context read, then
        :meth:`ApiClaimUnit.save` — nothing else writes in between."""
        staged = _stage_claims(claim)
        digest = claim_digest(staged, 0)
        with self.store.exclusive(action), self.store.cursor(action) as cur:
            head = audit.head(cur)
            with self._lock:
                if self._known.head != head:  # another change since: read again
                    self._known = _Known(head)
                known = self._known
            client, replay = _client_claims(cur, staged, caller, digest)
            if model_version not in known.pairs:
                row = cur.execute(_PAIR_SQL, [model_version]).fetchone()
                known.pairs[model_version] = _record(row) if row else None
                self.reads["pair"] += 1
            context = ApiClaimContext(client, replay, known.pairs[model_version])
            yield ApiClaimUnit(self, cur, staged, digest, context, action)

    def _wrote(self, head: tuple[int, str], models: dict[str, str]) -> None:
        with self._lock:
            self._known.head, self._known.models = head, models


class ApiClaimUnit:
    """One claim's unit, open: :attr:`context`, then :meth:`save` once."""

    def __init__(
        self,
        units: ApiClaimUnits,
        cur: Any,
        staged: dict[str, Any],
        digest: str,
        context: ApiClaimContext,
        action: str,
    ) -> None:
        self._units, self._cur, self._staged, self._digest = units, cur, staged, digest
        self.context = context
        self._action = action

    def save(
        self,
        scores: Mapping[str, Any],
        *,
        request_id: str,
        actor: Actor,
        model_version: str,
        thresholds_id: int | None,
        detail: Mapping[str, Any],
    ) -> datetime:
        """Record the claim (``probability``, ``decision``, ``decision_model``,
        ``rule_flags``, ``rule_reason``) with its ``api.predict`` audit row in one
        transaction, as :meth:`save_api_scores` does; return the time recorded."""
        units, cur = self._units, self._cur
        scored_at = _utcnow()
        row = {**self._staged, "claim_sha256": [self._digest], **_stage_scores(scores)}
        columns = ("position", *API_CLAIM_COLUMNS.values(), *_SCORED)
        values = [request_id, actor.name, scored_at, model_version, thresholds_id]
        values += [_plain(row[c][0]) for c in columns]
        decision = int(row["decision"][0])
        with units._lock:
            prev, models = units._known.head[1] or audit.GENESIS, units._known.models
        with _transaction(cur):
            (row_id,) = cur.execute(  # the audit row's id drawn by the same statement
                "INSERT INTO api_claims (request_id, caller, scored_at, model_version, "
                f"thresholds_id, {', '.join(columns)}) VALUES ({', '.join('?' * len(values))}) "
                f"RETURNING {audit.NEXT_ID}",
                values,
            ).fetchone()
            head = audit.append_after(
                cur,
                prev,
                row_id,
                actor,
                "api.predict",
                {"request_id": request_id, "claims": 1, **dict(detail)},
                after={"decisions": {str(c): int(decision == c) for c in (-1, 0, 1)}},
            )
        if models is None:  # first write since the head changed: read the models' hashes
            models = audit.anchor_state(cur).models
            units.reads["anchor"] += 1
        units._wrote(head, models)
        state = audit.AnchorState(head[0], head[1], models)
        units.store._write_anchor(cur, self._action, state)
        return scored_at


def _client_claims(
    cur: Any, staged: Mapping[str, Any], caller: str, digest: str
) -> tuple[ClientClaims, ApiReplay | None]:
    """The client's stored claims, and this caller's earlier record of the same claim."""
    client, claim_id = staged["client_id"][0], staged["claim_id"][0]
    if client is None:
        replay = None
        if claim_id is not None:
            found = cur.execute(_REPLAY_SQL, [claim_id, caller, digest]).fetchone()
            replay = ApiReplay(*found) if found else None
        return _NO_CLAIMS, replay
    rows = cur.execute(_CLIENT_CLAIMS_SQL, {"client": client}).fetchall()
    if not rows:
        return _NO_CLAIMS, None
    mine = (claim_id, caller, digest)
    replays = [r for r in rows if r[5] is not None and (r[0], r[14], r[15]) == mine]
    if claim_id is None:
        replays = []
    replay = ApiReplay(*max(replays, key=lambda r: r[6])[5:14]) if replays else None
    nat = np.datetime64("NaT", "ns")
    claims = ClientClaims(
        ids=tuple(r[0] for r in rows),
        dates=np.array([nat if r[1] is None else np.datetime64(r[1], "ns") for r in rows]),
        labels=tuple(r[2] for r in rows),
        excluded=tuple(r[3] for r in rows),
        validated=np.array([bool(r[4]) for r in rows], dtype=bool),
    )
    return claims, replay
