"""Helpers shared by :mod:`core.store` and the Store's mixins (thresholds, scores).

They live here, not in :mod:`core.store`, so the mixin modules need not import the module
that imports them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import duckdb

logger = logging.getLogger("core.store")  # the store package's one logger

# frame key -> (claims column, SQL type)
STANDARD_COLUMNS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "row_number": ("row_number", "INTEGER"),
        "id": ("claim_id", "VARCHAR"),
        "client_id": ("client_id", "VARCHAR"),
        "date": ("claim_date", "TIMESTAMP"),
        "amount": ("amount", "DOUBLE"),
        "family": ("family", "VARCHAR"),
        "category": ("category", "VARCHAR"),
        "subcategory": ("subcategory", "VARCHAR"),
        "segment": ("segment", "VARCHAR"),
        "market": ("market", "VARCHAR"),
        "delay": ("delay", "DOUBLE"),
        "tenure": ("tenure", "DOUBLE"),
        "pnb": ("pnb", "DOUBLE"),
        "label": ("label", "TINYINT"),
        "label_excluded": ("label_excluded", "BOOLEAN"),
    }
)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _insert_log(
    cur: duckdb.DuckDBPyConnection, actor: str, action: str, detail: dict[str, Any]
) -> None:
    cur.execute(
        "INSERT INTO audit_log (logged_at, actor, action, detail) VALUES (?, ?, ?, ?)",
        [_utcnow(), actor, action, json.dumps(detail, default=str, ensure_ascii=False)],
    )


@contextmanager
def _transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        try:
            cur.execute("ROLLBACK")
        except duckdb.Error as exc:  # already rolled back by the failed statement
            logger.debug("rollback: %s", exc)
        raise
    cur.execute("COMMIT")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
