"""The collector of a validation's issues (used by :mod:`core.ingest.validate` and the
modules it calls): every problem at once, long runs of one problem summarised."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.ingest.report import MAX_LISTED, Issue, _show
from core.ingest.texts import _more_text, _text

_ORDER = {"error": 0, "warning": 1, "info": 2}


class Issues:
    """Collects issues; beyond MAX_LISTED cells per (column, problem), one summary line."""

    def __init__(self) -> None:
        self.items: list[Issue] = []

    def add(self, severity: str, code: str, fr: str, en: str, **where: object) -> None:
        fr, en = fr[:1].upper() + fr[1:], en[:1].upper() + en[1:]  # full sentences
        self.items.append(Issue(severity, code, message_fr=fr, message_en=en, **{
            "row": None, "column": None, "value": None, **where}))  # fmt: skip

    def cells(
        self,
        severity: str,
        code: str,
        column: str,
        where: np.ndarray,
        rows: np.ndarray,
        raw: np.ndarray,
        detail: Callable[[int], dict[str, object]] | None = None,
        unit: tuple[str, str] = ("lignes", "rows"),
    ) -> None:
        """One issue per flagged position in ``where`` (first MAX_LISTED), then a summary."""
        for i in where[:MAX_LISTED]:
            value = _show(raw[i])
            fr, en = _text(code, value=value or "", **(detail(i) if detail else {}))
            self.add(severity, code, fr, en, row=int(rows[i]), column=column, value=value)
        rest = len(where) - MAX_LISTED
        if rest > 0:
            fr, en = _more_text(rest, unit)
            self.items.append(Issue(severity, code, None, column, None, fr, en, count=rest))

    def sorted(self) -> tuple[Issue, ...]:
        """Errors first, then warnings, then information; otherwise in the order found."""
        return tuple(sorted(self.items, key=lambda i: _ORDER.get(i.severity, 1)))
