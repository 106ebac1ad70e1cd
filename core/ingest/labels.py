"""The label column: raw values -> 1 / 0 / unlabelled / excluded, and what was found.

Used by :mod:`core.ingest.validate`. The values found, how often, and how the profile reads
each one go to the report as a :class:`~core.ingest.report.LabelSummary` (ingest and train
print it), so a label whose polarity is not what the profile says is seen before training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.config.schema import LabelSpec
from core.ingest.normalize import normalize_text
from core.ingest.report import LabelSummary, LabelValue
from core.ingest.texts import _text

__all__ = ["check_label"]


def check_label(
    text: pd.Series,
    raw: np.ndarray,
    header: str,
    spec: LabelSpec,
    issues: Any,
    rows: np.ndarray,
) -> dict[str, Any]:
    """Raw label -> 1 / 0 / <NA>, plus ``label_excluded``; unknown values are errors.

    A profile that lists no values of its own for its label column (``declared`` false)
    maps nothing: every value stays unlabelled and one warning says what to add; training
    refuses such a profile. The values found and their meaning go to the report either way.
    """
    meaning = {normalize_text(v): k for v, k in spec.meaning().items()}
    kinds = {v: meaning.get(normalize_text(v)) for v in pd.unique(text.dropna())}
    unknown = [v for v, k in kinds.items() if k is None]
    listed = {v for v, k in kinds.items() if k is not None}
    if not spec.declared:
        kinds.update(dict.fromkeys(unknown, "unmapped"))
        values = ", ".join(f"« {v} »" for v in unknown[:8])
        fr, en = _text("undeclared_label", header=header, values=values)
        issues.add("warning", "undeclared_label", fr, en, column=header)
    elif unknown and spec.other_is_negative:
        kinds.update(dict.fromkeys(unknown, "negative"))
    elif unknown:
        where = np.flatnonzero(text.isin(unknown).to_numpy())
        expected = ", ".join(f"« {v} »" for v in list(meaning)[:12])
        detail = {"expected": expected}
        issues.cells("error", "unknown_label", header, where, rows, raw, lambda _i: detail)
        kinds.update(dict.fromkeys(unknown, "unmapped"))
    kind = text.map(kinds)
    label = pd.Series(pd.NA, index=text.index, dtype="Int8")
    label[kind == "positive"] = 1
    label[kind == "negative"] = 0
    counts = text.value_counts()
    summary = LabelSummary(
        header,
        tuple(LabelValue(str(v), int(n), kinds[v], v in listed) for v, n in counts.items()),
        spec.declared,
    )
    return {
        "label": label,
        "label_excluded": (kind == "excluded").astype(bool),
        "_label_summary": summary,
    }
