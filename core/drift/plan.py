"""One column as drift compares it: key, label in the report, kind, method, threshold and
the transforms of money columns (log, relative to a level's reference median)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnPlan:
    """One column as compared: its key, label in the report, method and transforms."""

    key: str
    label: str
    kind: str
    method: str
    threshold: float
    log: bool = False
    relative_to: tuple[str, ...] = ()
