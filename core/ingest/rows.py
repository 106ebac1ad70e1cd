"""Data rows that are not claims: blank rows, and total or subtotal lines under a table.

Both are left out of the batch with one warning naming the rows. A total line is a row
without a claim ID (when the profile has an ID column; a total label in the ID column, as
when « Total » sits in column A, is no ID) holding a label such as « Total »,
« Sous-total Cartes », « Total général » or « Grand total »; a row with an ID is never a
total. Without an ID column, the label must also be the row's only text (a real claim
names at least a family or a category besides).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.ingest.issues import Issues
from core.ingest.normalize import blank_mask, normalize_text, parse_number_text
from core.ingest.texts import _text

TOTAL_LABEL = re.compile(r"^(?:sous ?totale?|sub ?total|totale?|totaux|grand total)\b")


def _shown(rows: np.ndarray) -> str:
    return ", ".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")


def drop_blank_rows(
    frame: pd.DataFrame, rows: np.ndarray, issues: Issues
) -> tuple[pd.DataFrame, np.ndarray]:
    """Data rows without the blank ones (one warning with their count)."""
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:  # only rows still blank are looked at: cheap
        still = np.flatnonzero(blank)
        if not len(still):
            break
        blank[still] = blank_mask(frame[column].iloc[still])
    n = int(blank.sum())
    if n:
        issues.add("warning", "blank_rows", *_text("blank_rows", n=n, shown=_shown(rows[blank])))
        keep = np.flatnonzero(~blank)
        frame, rows = frame.iloc[keep], rows[keep]
    return frame.reset_index(drop=True), rows


def is_total_label(value: object) -> bool:
    """True for a text such as « Total », « Sous-total Cartes », « TOTAL GÉNÉRAL : »."""
    return isinstance(value, str) and TOTAL_LABEL.match(normalize_text(value)) is not None


def drop_total_rows(
    frame: pd.DataFrame, rows: np.ndarray, id_position: int | None, issues: Issues
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows without total and subtotal lines (one warning naming them)."""
    if frame.empty:
        return frame, rows
    candidates = np.arange(len(frame))
    if id_position is not None and id_position in frame.columns:
        ids = frame[id_position]
        no_id = blank_mask(ids) | _labels(ids.to_numpy(dtype=object))  # « Total » in column A
        candidates = np.flatnonzero(no_id)
    if not len(candidates):
        return frame, rows
    part = frame.iloc[candidates]
    labelled = np.zeros(len(part), dtype=bool)
    for column in part.columns:
        labelled |= _labels(part[column].to_numpy(dtype=object))
    total = candidates[labelled]
    if id_position is None:
        total = np.array([i for i in total if _only_text_is_label(frame.iloc[i])], dtype=np.int64)
    if not len(total):
        return frame, rows
    fr, en = _text("total_rows", n=len(total), shown=_shown(rows[total]))
    issues.add("warning", "total_rows", fr, en, row=int(rows[total[0]]))
    keep = np.setdiff1d(np.arange(len(frame)), total)
    return frame.iloc[keep].reset_index(drop=True), rows[keep]


def _labels(values: np.ndarray) -> np.ndarray:
    """True where a cell holds a total label (each distinct value tested once)."""
    codes, uniques = pd.factorize(values)
    flags = np.array([*(is_total_label(u) for u in uniques), False], dtype=bool)
    return flags[codes]


def _only_text_is_label(row: pd.Series) -> bool:
    texts = [v for v in row if isinstance(v, str) and v.strip()]
    words = [v for v in texts if parse_number_text(v)[1] is not None]
    return len(words) == 1 and is_total_label(words[0])
