"""Helpers shared by the store's modules (the Store and its table-family mixins)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

import duckdb
from duckdb import DuckDBPyConnection

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


class StoreAccess:
    """What :class:`core.store.database.Store` gives its table-family mixins."""

    if TYPE_CHECKING:  # pragma: no cover

        def cursor(self, action: str = ...) -> AbstractContextManager[DuckDBPyConnection]: ...

        def transaction(self, action: str) -> AbstractContextManager[DuckDBPyConnection]: ...

        def exclusive(self, action: str) -> AbstractContextManager[None]: ...


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


def _unregister(cur: duckdb.DuckDBPyConnection, view: str) -> None:
    """Drop a registered frame; after a failed statement the cursor refuses, and closing it
    drops the registration anyway, so the original error is the one that surfaces."""
    try:
        cur.unregister(view)
    except duckdb.Error as exc:
        logger.debug("unregister %s: %s", view, exc)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
