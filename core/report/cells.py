"""Cells made ready for a spreadsheet: one clean dtype per column, text that stays text.

Declared date and numeric columns held as text are converted only when no value is lost;
integers beyond Excel's 15 digits and anything else become text; texts are cut to Excel's
32,767 UTF-16 code units.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

EXCEL_MAX_CHARS = 32_767  # per cell, in UTF-16 code units
EXCEL_MAX_DIGITS = 10**15  # integers beyond 15 digits lose precision in Excel: write as text


def prepare_frame(
    frame: pd.DataFrame, *, date_columns: Sequence[str] = (), numeric_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """A copy with one clean dtype per column: float64 (NaN, no inf), datetime64, bool or
    text (``str`` or ``None``); unique string headers; default index.

    Declared date / numeric columns held as text are converted when no value is lost.
    """
    columns: dict[str, pd.Series] = {}
    for header, (_, series) in zip(_unique_headers(frame.columns), frame.items(), strict=True):
        series = series.reset_index(drop=True)
        if header in date_columns:
            series = _coerce_losslessly(
                series, lambda s: pd.to_datetime(s, errors="coerce", dayfirst=True)
            )
        elif header in numeric_columns:
            series = _coerce_losslessly(series, lambda s: pd.to_numeric(s, errors="coerce"))
        columns[header] = _clean_column(series)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


def _unique_headers(names: pd.Index) -> list[str]:
    headers: list[str] = []
    seen: set[str] = set()
    for name in names:
        header, n = str(name), 1
        while header in seen:
            n += 1
            header = f"{name} ({n})"
        seen.add(header)
        headers.append(header)
    if headers != [str(name) for name in names]:
        log.warning("Duplicate headers were renamed for the export: %s", headers)
    return headers


def _coerce_losslessly(series: pd.Series, convert: Any) -> pd.Series:
    """``convert(series)`` when it loses no value, else the series unchanged (as text)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    converted = convert(series)
    if converted.notna().sum() < series.notna().sum():
        log.warning("Column %r kept as text: some values are not of the declared type", series.name)
        return series
    return converted


def _clean_column(series: pd.Series) -> pd.Series:
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)  # keep the wall-clock time of the zone
        return series
    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return series
        return series.astype(object).where(series.notna(), None)  # nullable: NA -> None
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        largest = np.abs(values[finite]).max(initial=0)
        if pd.api.types.is_integer_dtype(dtype) and largest >= EXCEL_MAX_DIGITS:
            return _clean_text(series)
        return pd.Series(np.where(finite, values, np.nan), name=series.name)
    return _clean_text(series)


def _clean_text(series: pd.Series) -> pd.Series:
    values = series.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.map(_to_text)
    values = values.where(values.notna(), None)
    longest = max((len(v) for v in values if v is not None), default=0)
    if longest > EXCEL_MAX_CHARS // 2:  # below half the limit no UTF-16 length can exceed it
        values = values.map(_truncate)
    return values


def _to_text(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):  # datetime and Timestamp too
        midnight = not isinstance(value, datetime) or value.time() == datetime.min.time()
        return value.strftime("%d/%m/%Y" if midnight else "%d/%m/%Y %H:%M")
    return str(value)


def _truncate(value: str | None) -> str | None:
    """Cut a text to Excel's limit of 32,767 UTF-16 code units."""
    if value is None or len(value) <= EXCEL_MAX_CHARS // 2:
        return value
    units = value.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * EXCEL_MAX_CHARS:
        return value
    log.warning("A text longer than Excel's 32,767 characters was truncated")
    return units[: 2 * EXCEL_MAX_CHARS].decode("utf-16-le", "ignore")
