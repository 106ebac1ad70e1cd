"""Locale-aware formatting of numbers, amounts, percentages and dates, and reading numbers typed
in the interface language.

French: narrow no-break space as thousands separator, comma decimals, "12 500,50 DH",
"12,3 %". English: "12,500.50 USD", "12.3%". Dates are dd/mm/yyyy in both (the bank's habit).
The currency is the profile's (``costs.currency`` in the configuration): it is always passed
in, never assumed. :class:`Formatter` binds a language and a currency once; the UI, the CLI
and the plain-language explanations all format through this module.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

__all__ = [
    "LOCALES",
    "THIN_NBSP",
    "Formatter",
    "fmt_date",
    "fmt_datetime",
    "fmt_money",
    "fmt_number",
    "fmt_pct",
    "fmt_signed",
    "parse_number",
]

LOCALES = ("fr", "en")
THIN_NBSP = "\u202f"  # French thousands separator (narrow no-break space)
NBSP = "\u00a0"
MISSING = "—"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def fmt_number(value: float | int | None, locale: str = "fr", decimals: int = 0) -> str:
    """12500.5 -> '12 500' (fr) / '12,500' (en); None/NaN -> '—'."""
    if _missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # "-0,00" reads as a negative zero
    if locale == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", THIN_NBSP)
    return text


def fmt_money(value: float | None, locale: str, currency: str, decimals: int = 0) -> str:
    """12500 -> '12 500 DH' (fr) / '12,500 USD' (en), in the profile's ``currency``."""
    text = fmt_number(value, locale, decimals)
    return text if text == MISSING else f"{text}{NBSP}{currency}"


def fmt_pct(share: float | None, locale: str = "fr", decimals: int = 1) -> str:
    """0.1234 -> '12,3 %' (fr) / '12.3%' (en)."""
    if _missing(share):
        return MISSING
    text = fmt_number(100.0 * float(share), locale, decimals)  # type: ignore[arg-type]
    return f"{text}{NBSP}%" if locale == "fr" else f"{text}%"


def fmt_signed(value: float, locale: str = "fr", decimals: int = 2) -> str:
    """+0.21 -> '+0,21'; keeps the sign visible for contributions."""
    if _missing(value):
        return MISSING
    text = fmt_number(abs(value), locale, decimals)
    return ("+" if value >= 0 else "−") + text


def fmt_date(value: date | datetime | pd.Timestamp | None) -> str:
    """dd/mm/yyyy; None/NaT -> '—'."""
    if value is None or pd.isna(value):
        return MISSING
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | pd.Timestamp | None) -> str:
    """dd/mm/yyyy HH:MM; None/NaT -> '—'."""
    if value is None or pd.isna(value):
        return MISSING
    return value.strftime("%d/%m/%Y %H:%M")


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_EN_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number(text: str, locale: str = "fr") -> float | None:
    """A number typed in the interface language; blank -> None.

    French: comma decimals ("10699,69"), spaces of any kind between thousands; a point is
    also read as the decimal mark when it is the only separator ("10699.69"). English: point
    decimals, commas only between groups of three digits ("10,699.69"). Anything ambiguous
    ("10699,69" in English, "1.234,5") raises ``ValueError`` naming the expected shape,
    never a number a hundred times too large."""
    raw = str(text).strip()
    if not raw:
        return None
    sign = -1.0 if raw[0] in "-−" else 1.0
    body = raw[1:].strip() if raw[0] in "+-−" else raw
    body = _SPACES.sub("", body)
    if locale == "fr":
        if "," in body and "." in body:
            raise ValueError(f"« {raw} » : une seule marque décimale, la virgule (ex. 10699,69)")
        if body.count(",") == 1:
            body = body.replace(",", ".")
        if _PLAIN.fullmatch(body) is None:
            raise ValueError(f"« {raw} » n'est pas un nombre (ex. 10 699,69)")
    else:
        if _EN_GROUPED.fullmatch(body):
            body = body.replace(",", "")
        if _PLAIN.fullmatch(body) is None:
            raise ValueError(f'"{raw}" is not a number (e.g. 10,699.69 or 10699.69)')
    return sign * float(body)


@dataclass(frozen=True)
class Formatter:
    """Every number of one screen, report or message: one language, the profile's currency."""

    locale: str
    currency: str

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"locale must be one of {LOCALES} (got {self.locale!r})")
        if not str(self.currency).strip():
            raise ValueError("currency must not be empty (costs.currency in the profile)")

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        return fmt_number(value, self.locale, decimals)

    def money(self, value: float | None, decimals: int = 0) -> str:
        return fmt_money(value, self.locale, self.currency, decimals)

    def signed_money(self, value: float | None, decimals: int = 0) -> str:
        """+1 300 DH / −1,300 USD: a difference of money."""
        if _missing(value):
            return MISSING
        sign = "+" if value >= 0 else "−"  # type: ignore[operator]
        return sign + fmt_money(abs(value), self.locale, self.currency, decimals)  # type: ignore[arg-type]

    def pct(self, share: float | None, decimals: int = 1) -> str:
        return fmt_pct(share, self.locale, decimals)

    def signed(self, value: float, decimals: int = 2) -> str:
        return fmt_signed(value, self.locale, decimals)

    def prob(self, value: float | None, decimals: int = 2) -> str:
        """A probability or threshold on the 0-1 scale: '0,28' / '0.28'."""
        return fmt_number(value, self.locale, decimals)

    def pair(self, low: float, high: float, decimals: int = 2) -> str:
        """A (low, high) threshold pair: '0,28 / 0,94' / '0.28 / 0.94'."""
        return f"{self.prob(low, decimals)} / {self.prob(high, decimals)}"

    def day(self, value: date | datetime | pd.Timestamp | None) -> str:
        """dd/mm/yyyy (both languages: the bank's habit)."""
        return fmt_date(value)

    def moment(self, value: datetime | pd.Timestamp | None) -> str:
        """dd/mm/yyyy HH:MM."""
        return fmt_datetime(value)

    def parse(self, text: str) -> float | None:
        return parse_number(text, self.locale)

    @property
    def decimal_mark(self) -> str:
        return "," if self.locale == "fr" else "."

    @property
    def plotly_separators(self) -> str:
        """Plotly's ``layout.separators``: decimal mark, then thousands separator."""
        return ",\u202f" if self.locale == "fr" else ".,"
