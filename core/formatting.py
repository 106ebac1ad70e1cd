"""Locale-aware formatting of numbers, amounts, percentages and dates.

French: narrow no-break space as thousands separator, comma decimals, "12 500,50 DH",
dates dd/mm/yyyy. English: "12,500.50 DH", dates dd/mm/yyyy as well (the bank's habit).
Used by the UI, the CLI and the plain-language explanations alike.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

THIN_NBSP = "\u202f"  # French thousands separator (narrow no-break space)


def fmt_number(value: float | int | None, locale: str = "fr", decimals: int = 0) -> str:
    """12500.5 -> '12 500' (fr) / '12,500' (en); None/NaN -> '—'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if locale == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", THIN_NBSP)
    return text


def fmt_money(
    value: float | None, locale: str = "fr", currency: str = "DH", decimals: int = 0
) -> str:
    """12500 -> '12 500 DH'."""
    text = fmt_number(value, locale, decimals)
    return text if text == "—" else f"{text}\u00a0{currency}"


def fmt_pct(share: float | None, locale: str = "fr", decimals: int = 1) -> str:
    """0.1234 -> '12,3 %' (fr) / '12.3%' (en)."""
    if share is None or not math.isfinite(share):
        return "—"
    text = fmt_number(100.0 * share, locale, decimals)
    return f"{text}\u00a0%" if locale == "fr" else f"{text}%"


def fmt_signed(value: float, locale: str = "fr", decimals: int = 2) -> str:
    """+0.21 -> '+0,21'; keeps the sign visible for contributions."""
    text = fmt_number(abs(value), locale, decimals)
    return ("+" if value >= 0 else "−") + text


def fmt_date(value: date | datetime | pd.Timestamp | None) -> str:
    """dd/mm/yyyy; None/NaT -> '—'."""
    if value is None or pd.isna(value):
        return "—"
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | pd.Timestamp | None) -> str:
    """dd/mm/yyyy HH:MM; None/NaT -> '—'."""
    if value is None or pd.isna(value):
        return "—"
    return value.strftime("%d/%m/%Y %H:%M")
