"""One clean claim typed without pandas, exactly as :func:`core.ingest.validate.validate` types it.

Most claims sent by a bank's system are clean: numbers (JSON, or plain text such as
"1926,23"), dates in the profile's format
(or ISO 8601), texts, categories spelt as the profile lists them. :func:`clean_frame` types
such a claim directly (a handful of Python operations instead of a column-by-column pandas
validation). Anything it is not sure about — a number written as text, a value out of range,
a zero amount, a category spelt differently, an Excel error text, a missing required value —
returns None, and the caller runs the batch validation, which gives the report's reasons and
warnings. A test compares both on the demo claims.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.config.schema import ColumnSpec
from core.config.settings import LimitsConfig

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_NUMBER = re.compile(r"^-?\d{1,15}(?:[.,]\d{1,9})?$")
_PLAUSIBLE = (1950, 2100)  # core.ingest.normalize.PLAUSIBLE_YEARS


def clean_frame(
    values: Mapping[str, Any], columns: Sequence[ColumnSpec], limits: LimitsConfig
) -> pd.DataFrame | None:
    """The one-row typed frame of a clean claim (columns by key, then ``row_number`` 0), or
    None when the batch validation must look at it."""
    typed: dict[str, np.ndarray] = {}
    filled = 0
    for col in columns:
        value = values.get(col.name)
        if col.type in ("number", "amount"):
            number = _number(value, col, limits)
            if number is None:
                return None
            filled += not math.isnan(number)
            typed[col.key] = np.array([number], dtype=np.float64)
        elif col.type == "date":
            day = _date(value, col)
            if day is _UNSURE:
                return None
            filled += day is not None
            missing = np.datetime64("NaT")
            typed[col.key] = np.array([missing if day is None else day], dtype="datetime64[ns]")
        else:
            text = _text(value, col)
            if text is _UNSURE:
                return None
            filled += text is not None
            typed[col.key] = np.array([text], dtype=object)
    if not filled:
        return None  # an empty claim: the validation says so
    typed["row_number"] = np.zeros(1, dtype=np.int64)
    return pd.DataFrame(typed)


_UNSURE: Any = object()


def _number(value: Any, col: ColumnSpec, limits: LimitsConfig) -> float | None:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            value = None
        elif _PLAIN_NUMBER.match(text):  # "1926,23", "18": read as the validation's first tier
            value = float(text.replace(",", "."))
        else:
            return None  # "1 234,56 DH" and the like: the validation reads them
    if value is None:
        return None if col.required else math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if col.type == "amount" and (number <= 0 or number > limits.amount_max):
        return None  # an error, or the zero-amount warning
    if (col.min is not None and number < col.min) or (col.max is not None and number > col.max):
        return None
    return number


def _date(value: Any, col: ColumnSpec) -> Any:
    if value is None:
        return _UNSURE if col.required else None
    if not isinstance(value, str):
        return _UNSURE
    text = value.strip()
    try:
        day = dt.datetime.strptime(text, col.date_format)
    except ValueError:
        if not _ISO_DAY.match(text):
            return _UNSURE
        try:
            day = dt.datetime.fromisoformat(text)
        except ValueError:
            return _UNSURE
    if not _PLAUSIBLE[0] <= day.year <= _PLAUSIBLE[1]:
        return _UNSURE
    return np.datetime64(day, "ns")


def _text(value: Any, col: ColumnSpec) -> Any:
    if value is None:
        return _UNSURE if col.required else None
    if isinstance(value, bool):
        return _UNSURE
    if isinstance(value, int):
        text: str | None = str(value)
    elif isinstance(value, str):
        text = value.strip() or None
    else:
        return _UNSURE
    if text is None:
        return _UNSURE if col.required else None
    if text.startswith("#"):
        return _UNSURE  # maybe an Excel error value
    if col.levels and text not in col.levels:
        return _UNSURE  # another spelling of a level, or an unknown one: warned about
    return text
