"""The scores part of :class:`core.store.Store`: scorings of batches and the readers over them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

import core.store.audit as audit
from core.config.identity import Actor
from core.exceptions import StoreError
from core.store.common import STANDARD_COLUMNS, StoreAccess, _ident, _unregister, _utcnow
from core.store.jobs import enqueue_job


@dataclass(frozen=True)
class ScoringInfo:
    """One stored scoring of a batch (every row of it shares ``scored_at``)."""

    batch_id: int
    scored_at: datetime
    model_version: str
    thresholds_id: int | None
    rows: int
    job_ids: tuple[int, ...] = ()  # jobs queued with this scoring (when just saved)
    low: float | None = None  # the pair applied (None: scored before the pair was stored)
    high: float | None = None


class ScoresMixin(StoreAccess):
    """Scores methods of :class:`core.store.Store`, which provides the attributes below."""

    def save_scores(
        self,
        batch_id: int,
        scores: pd.DataFrame,
        *,
        model_version: str,
        thresholds_id: int | None,
        actor: Actor,
        action: str = "batch.scored",
        detail: Mapping[str, Any] | None = None,
        jobs: Sequence[tuple[str, Mapping[str, Any]]] = (),
        pair: tuple[float, float] | None = None,
    ) -> ScoringInfo:
        """Store one scoring of a batch in one bulk insert, its audit row and the jobs to run
        after it (kind, payload), in one transaction.

        ``scores`` holds ``row_number``, ``probability``, ``decision``, ``decision_model``,
        ``rule_flags`` and ``rule_reason``. Earlier scorings are kept; readers use the latest.
        ``action`` is ``batch.scored`` or ``batch.redecided``; ``pair`` the (low, high) applied.
        """
        missing = [c for c in _SCORE_INPUTS if c not in scores.columns]
        if missing:
            raise StoreError(f"Scores cannot be saved: columns {missing} are missing.")
        scored_at = _utcnow()
        view = f"scores_{uuid.uuid4().hex}"
        with self.transaction(f"save the scores of batch {batch_id}") as cur:
            qc = scores["qc_sample"] if "qc_sample" in scores.columns else False
            cur.register(view, scores[list(_SCORE_INPUTS)].assign(qc_sample=qc))
            try:
                _insert_scores(cur, view, batch_id, model_version, thresholds_id, scored_at, pair)
            finally:
                _unregister(cur, view)
            cur.execute("UPDATE batches SET status = 'scored' WHERE id = ?", [batch_id])
            codes = scores["decision"].to_numpy()
            counts = {str(code): int((codes == code).sum()) for code in (-1, 0, 1)}
            audit.append(
                cur,
                actor,
                action,
                {
                    "batch_id": batch_id,
                    "model_version": model_version,
                    "thresholds_id": thresholds_id,
                    "rows": len(scores),
                    "scored_at": scored_at.isoformat(),
                    **dict(detail or {}),
                },
                after={"decisions": counts},
            )
            job_ids = tuple(enqueue_job(cur, kind, payload, actor) for kind, payload in jobs)
        low, high = pair if pair is not None else (None, None)
        return ScoringInfo(
            batch_id, scored_at, model_version, thresholds_id, len(scores), job_ids, low, high
        )

    def latest_scoring(self, batch_id: int) -> ScoringInfo | None:
        """The most recent scoring of the batch, or None when it was never scored."""
        with self.cursor("read the scores") as cur:
            row = cur.execute(
                f"""SELECT {_INFO_COLUMNS}
                   FROM scores WHERE batch_id = ? GROUP BY batch_id, scored_at
                   ORDER BY scored_at DESC LIMIT 1""",
                [batch_id],
            ).fetchone()
        return _info(row) if row else None

    def latest_scorings(self) -> dict[int, ScoringInfo]:
        """The most recent scoring of every scored batch, in one query (batch id -> info)."""
        with self.cursor("read the scores") as cur:
            rows = cur.execute(
                f"""SELECT {_INFO_COLUMNS}
                   FROM scores GROUP BY batch_id, scored_at
                   QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY scored_at DESC) = 1"""
            ).fetchall()
        return {row[0]: _info(row) for row in rows}

    def load_scores(
        self,
        batch_id: int,
        scored_at: datetime | None = None,
        *,
        rows: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """The rows of the latest scoring of a batch (or of ``scored_at``), by row_number;
        ``rows``: only these row numbers."""
        if scored_at is None:
            info = self.latest_scoring(batch_id)
            if info is None:
                return pd.DataFrame(columns=list(_SCORE_COLUMNS))
            scored_at = info.scored_at
        only, params = "", [batch_id, scored_at]
        if rows is not None:
            only, params = " AND list_contains(?, row_number)", [*params, [int(r) for r in rows]]
        with self.cursor("read the scores") as cur:
            frame = cur.execute(
                f"SELECT {', '.join(_SCORE_COLUMNS)} FROM scores "
                f"WHERE batch_id = ? AND scored_at = ?{only} ORDER BY row_number",
                params,
            ).df()
        return frame

    def auto_validation_counts(
        self, client_ids: pd.Series | np.ndarray | list, *, exclude_batch_id: int | None
    ) -> pd.DataFrame:
        """Automatic validations (decision 1) of the latest scoring of every other batch and
        of the API, counted per (client_id, year of the claim date): columns client_id, year, n."""
        clients = _distinct_clients(client_ids)
        with (
            self.cursor("count the stored automatic validations") as cur,
            _clients_cte(cur, clients) as (cte, params),
        ):
            sql = _AUTO_VALIDATIONS_SQL.format(clients=cte)
            return cur.execute(sql, [*params, exclude_batch_id]).df()

    def client_history(
        self, client_ids: pd.Series | np.ndarray | list, *, exclude_batch_id: int | None
    ) -> pd.DataFrame:
        """Stored claims of these clients from other batches and from the API (``batch_id``
        null), standard columns by key."""
        clients = _distinct_clients(client_ids)
        select = ", ".join(
            f"c.{col} AS {_ident(key)}" for key, (col, _) in STANDARD_COLUMNS.items()
        )
        api = ", ".join(
            f"{_API_HISTORY.get(key, 'a.' + col)} AS {_ident(key)}"
            for key, (col, _) in STANDARD_COLUMNS.items()
        )
        with (
            self.cursor("read the clients' history") as cur,
            _clients_cte(cur, clients) as (cte, params),
        ):  # claims of stored batches, then the claims scored by the API
            frame = cur.execute(
                f"WITH w AS ({cte}) SELECT * FROM (SELECT c.batch_id, {select} FROM claims c "
                "JOIN w ON c.client_id = w.client_id WHERE c.batch_id IS DISTINCT FROM ? "
                f"UNION ALL SELECT NULL AS batch_id, {api} FROM api_claims a "
                'JOIN w ON a.client_id = w.client_id) ORDER BY "date", batch_id, row_number',
                [*params, exclude_batch_id],
            ).df()
        frame["label"] = frame["label"].astype("Int8")
        return frame


# What an API-scored claim has instead of a batch claim's row number and label.
_API_HISTORY = {
    "row_number": "CAST(NULL AS INTEGER)",
    "label": "CAST(NULL AS TINYINT)",
    "label_excluded": "FALSE",
}
_SCORE_INPUTS = (
    "row_number",
    "probability",
    "decision",
    "decision_model",
    "rule_flags",
    "rule_reason",
)
_SCORE_COLUMNS = (*_SCORE_INPUTS, "qc_sample", "model_version", "thresholds_id", "scored_at")
_INFO_COLUMNS = (
    "batch_id, scored_at, any_value(model_version), any_value(thresholds_id), count(*), "
    "any_value(low), any_value(high)"
)


def _info(row: tuple) -> ScoringInfo:
    batch_id, scored_at, version, thresholds_id, rows, low, high = row
    return ScoringInfo(batch_id, scored_at, version, thresholds_id, rows, (), low, high)


# Batches' latest scorings and the claims scored by the API (core.store.api_records) share
# the yearly cap: both count.
_AUTO_VALIDATIONS_SQL = """
WITH w AS ({clients}), latest AS (
    SELECT batch_id, max(scored_at) AS scored_at FROM scores
    WHERE batch_id IS DISTINCT FROM ? GROUP BY batch_id
), validated AS (
    SELECT c.client_id, c.claim_date
    FROM scores s
    JOIN latest l ON s.batch_id = l.batch_id AND s.scored_at = l.scored_at
    JOIN claims c ON c.batch_id = s.batch_id AND c.row_number = s.row_number
    WHERE s.decision = 1
    UNION ALL
    SELECT a.client_id, a.claim_date FROM api_claims a WHERE a.decision = 1
)
SELECT v.client_id, CAST(year(v.claim_date) AS BIGINT) AS year, count(*) AS n
FROM validated v
JOIN w ON v.client_id = w.client_id
WHERE v.claim_date IS NOT NULL
GROUP BY v.client_id, year
"""


_LIST_MAX = 1000  # up to this many clients, one list parameter; beyond, a registered frame


@contextmanager
def _clients_cte(
    cur: duckdb.DuckDBPyConnection, clients: list[str]
) -> Iterator[tuple[str, list[Any]]]:
    """(SQL selecting the clients as ``client_id``, its parameters). A few clients (one API
    claim) go as a list parameter, which costs nothing to set up; many (a batch) as a frame."""
    if len(clients) <= _LIST_MAX:
        yield "SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS client_id", [clients]
        return
    view = f"clients_{uuid.uuid4().hex}"
    cur.register(view, pd.DataFrame({"client_id": pd.Series(clients, dtype=object)}))
    try:
        yield f"SELECT client_id FROM {view}", []
    finally:
        _unregister(cur, view)


def _distinct_clients(client_ids: pd.Series | np.ndarray | list) -> list[str]:
    return pd.Series(np.asarray(client_ids, dtype=object)).dropna().astype(str).unique().tolist()


def _insert_scores(
    cur: duckdb.DuckDBPyConnection,
    view: str,
    batch_id: int,
    model_version: str,
    thresholds_id: int | None,
    scored_at: datetime,
    pair: tuple[float, float] | None,
) -> None:
    low, high = pair if pair is not None else (None, None)
    cur.execute(
        f"""INSERT INTO scores (batch_id, row_number, model_version, probability, decision,
               decision_model, rule_flags, rule_reason, thresholds_id, scored_at, qc_sample,
               low, high)
           SELECT ?, CAST(row_number AS INTEGER), ?, CAST(probability AS DOUBLE),
               CAST(decision AS TINYINT), CAST(decision_model AS TINYINT),
               nullif(CAST(rule_flags AS VARCHAR), ''), nullif(CAST(rule_reason AS VARCHAR), ''),
               ?, ?, coalesce(CAST(qc_sample AS BOOLEAN), FALSE), ?, ?
           FROM {view}""",
        [batch_id, model_version, thresholds_id, scored_at, low, high],
    )
