"""A scored batch read page by page: filters, sort and paging pushed into DuckDB.

The decisions table of a 100,000-claim batch never travels whole: the page asks for the
rows it shows (:meth:`DecisionPagesMixin.decisions_page`) and for the figures around them
(:meth:`DecisionPagesMixin.decisions_summary`: counts per decision, rule moves, amount span,
families, the probability histogram), each one query on the stored claims joined with the
scores of one scoring. Memory per user stays a page, whatever the batch's size.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from core.exceptions import StoreError
from core.store.batches import _load_sql
from core.store.common import StoreAccess, _ident

SORTABLE = ("row_number", "probability", "amount", "date", "decision")
_SCORE_FIELDS = "s.probability, s.decision, s.decision_model, s.rule_flags, s.rule_reason"


@dataclass(frozen=True)
class DecisionQuery:
    """Which rows of a scoring to show; empty collections and None mean 'no filter'."""

    decisions: Collection[int] = ()
    families: Collection[str] = ()
    amount_range: tuple[float, float] | None = None
    moved_by_rule_only: bool = False
    search: str = ""
    sort: str = "row_number"
    descending: bool = False
    offset: int = 0
    limit: int = 200

    def __post_init__(self) -> None:
        if self.sort not in SORTABLE:
            raise ValueError(f"sort must be one of {SORTABLE}, not {self.sort!r}")
        if self.offset < 0 or not 1 <= self.limit <= 10_000:
            raise ValueError("offset >= 0 and 1 <= limit <= 10,000")


@dataclass(frozen=True)
class DecisionsPage:
    frame: pd.DataFrame  # the page's rows: the batch's columns by key + scores
    total: int  # rows matching the filters, all pages
    offset: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class DecisionsSummary:
    """The figures around a batch's table, from one pass over its scores."""

    n: int
    counts: dict[int, int]  # decision code -> claims
    n_moved: int  # claims whose decision the business rules changed
    amount_span: tuple[float, float] | None
    families: tuple[str, ...]
    histogram: pd.DataFrame = field(repr=False)  # bin (0..bins-1), decision, n


class DecisionPagesMixin(StoreAccess):
    def decisions_page(
        self, batch_id: int, scored_at: datetime, query: DecisionQuery
    ) -> DecisionsPage:
        """One page of a scoring's claims with their scores, filtered and sorted in SQL."""
        columns = self._frame_columns(batch_id)
        where, params = _where(query, columns)
        order_key = {"date": "date" if "date" in columns else "row_number"}.get(
            query.sort, query.sort
        )
        if order_key not in ("probability", "decision") and order_key not in columns:
            order_key = "row_number"
        source = "s" if order_key in ("probability", "decision") else "c"
        direction = "DESC" if query.descending else "ASC"
        base = _joined(columns, f" WHERE {where}")
        head = [batch_id, batch_id, scored_at, *params]
        with self.cursor("read a page of decisions") as cur:
            total = cur.execute(base("count(*)"), head).fetchone()[0]
            frame = cur.execute(
                base(f"c.*, {_SCORE_FIELDS}")
                + f" ORDER BY {source}.{_ident(order_key)} {direction} NULLS LAST, c.row_number"
                " LIMIT ? OFFSET ?",
                [*head, query.limit, query.offset],
            ).df()
        for column in ("rule_flags", "rule_reason"):
            frame[column] = frame[column].fillna("")
        return DecisionsPage(frame, int(total), query.offset, query.limit)

    def decisions_summary(
        self, batch_id: int, scored_at: datetime, *, bins: int = 50
    ) -> DecisionsSummary:
        """Counts per decision, rule moves, amount span, families and the histogram."""
        columns = self._frame_columns(batch_id)
        amount = "c.amount" if "amount" in columns else "NULL::DOUBLE"
        family = "c.family" if "family" in columns else "NULL::VARCHAR"
        join = _joined(columns, "")
        head = [batch_id, batch_id, scored_at]
        with self.cursor("summarise the decisions") as cur:
            per_decision = cur.execute(
                join(
                    f"s.decision, count(*), count(*) FILTER (s.decision <> "
                    f"s.decision_model), min({amount}), max({amount})"
                )
                + " GROUP BY s.decision",
                head,
            ).fetchall()
            families = cur.execute(
                join(f"DISTINCT {family}") + f" WHERE {family} IS NOT NULL ORDER BY 1",
                head,
            ).fetchall()
            histogram = cur.execute(
                join(
                    f"least(floor(s.probability * {int(bins)}), {int(bins) - 1})::INTEGER "
                    "AS bin, s.decision, count(*) AS n"
                )
                + " GROUP BY ALL ORDER BY 1, 2",
                head,
            ).df()
        counts = {int(d): int(n) for d, n, *_ in per_decision}
        lows = [r[3] for r in per_decision if r[3] is not None]
        highs = [r[4] for r in per_decision if r[4] is not None]
        return DecisionsSummary(
            n=sum(counts.values()),
            counts=counts,
            n_moved=sum(int(r[2]) for r in per_decision),
            amount_span=(float(min(lows)), float(max(highs))) if lows else None,
            families=tuple(str(f[0]) for f in families),
            histogram=histogram,
        )

    def _frame_columns(self, batch_id: int) -> dict[str, str]:
        with self.cursor("read the batch's columns") as cur:
            row = cur.execute(
                "SELECT frame_columns FROM batches WHERE id = ?", [batch_id]
            ).fetchone()
        if row is None:
            raise StoreError(f"Batch {batch_id} does not exist in the database.")
        return json.loads(row[0])


def _joined(columns: dict[str, str], where: str):
    """A function of the SELECT list: the claims (by key, extras parsed) joined with one
    scoring's scores, then ``where``. Built by concatenation: the claims' SQL holds JSON."""
    claims = _load_sql(columns)

    def sql(select: str) -> str:
        return (
            "WITH c AS (" + claims + ") SELECT " + select + " FROM c JOIN scores s "
            "ON s.batch_id = ? AND s.scored_at = ? AND s.row_number = c.row_number" + where
        )

    return sql


def _where(query: DecisionQuery, columns: dict[str, str]) -> tuple[str, list[Any]]:
    clauses, params = ["TRUE"], []
    if query.decisions:
        codes = [int(d) for d in query.decisions]
        clauses.append(f"s.decision IN ({', '.join('?' * len(codes))})")
        params += codes
    if query.families and "family" in columns:
        names = [str(f) for f in query.families]
        clauses.append(f"c.family IN ({', '.join('?' * len(names))})")
        params += names
    if query.amount_range is not None and "amount" in columns:
        clauses.append("(c.amount BETWEEN ? AND ? OR c.amount IS NULL)")
        params += [float(query.amount_range[0]), float(query.amount_range[1])]
    if query.moved_by_rule_only:
        clauses.append("s.decision <> s.decision_model")
    text = query.search.strip().lower()
    searchable = [k for k in ("id", "client_id") if k in columns]
    if text and searchable:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = " OR ".join(
            f"lower(CAST(c.{_ident(k)} AS VARCHAR)) LIKE ? ESCAPE '\\'" for k in searchable
        )
        clauses.append(f"({found})")
        params += [pattern] * len(searchable)
    elif text:
        clauses.append("FALSE")
    return " AND ".join(clauses), params
