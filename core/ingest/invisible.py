"""Invisible characters in IDs and category keys: zero-width characters (U+200B, U+200C,
U+200D, U+FEFF, U+2060) removed, no-break spaces (U+00A0, U+202F, U+2007) made plain
spaces, and the runs of spaces this leaves made single.

A claim ID copied from a web page or a mail often carries a zero-width space: « R001\u200b »
would then never match « R001 » (duplicates, history, reviews). Each distinct value is
cleaned once; the cells changed are counted for the report.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u2060"
NO_BREAK_SPACES = "\u00a0\u202f\u2007"
_TRANSLATE = str.maketrans({**dict.fromkeys(ZERO_WIDTH), **dict.fromkeys(NO_BREAK_SPACES, " ")})
_ODD = re.compile(f"[{ZERO_WIDTH}{NO_BREAK_SPACES}]")
_RUNS = re.compile(" {2,}")


def clean_key(value: str) -> str | None:
    """Zero-width characters removed, no-break spaces made plain, runs of spaces made one."""
    text = _RUNS.sub(" ", value.translate(_TRANSLATE)).strip()
    return text or None


def clean_keys(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(cleaned text, True where a cell changed) for a text column (``None`` for blanks)."""
    arr = text.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr)
    odd = np.array([*(_ODD.search(u) is not None for u in uniques), False], dtype=bool)
    changed = odd[codes]
    if not changed.any():
        return text, changed
    fixed = (clean_key(u) if o else u for u, o in zip(uniques, odd[:-1], strict=True))
    cleaned = np.array([*fixed, None], dtype=object)
    return pd.Series(cleaned[codes], index=text.index, dtype=object), changed
