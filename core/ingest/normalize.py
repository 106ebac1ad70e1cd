"""Cell-level parsing shared by :mod:`core.ingest.reader` and :mod:`core.ingest.validate`.

Everything here is pure and vectorised over a column (a pandas Series of raw cell values as
python-calamine or the CSV reader return them: ``str``, ``float``, ``bool``,
``datetime.date``/``datetime.datetime``/``datetime.time``, ``""`` or ``None`` for blanks).
Per-element Python work is limited to the *distinct* string values that the fast paths
(``pd.to_numeric``, ``pd.to_datetime``) could not handle.

Parsers return a :class:`Parsed`: the typed values, a mask of blank cells, and an object
array holding, for each cell that could not be used, a problem code (else ``None``).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config.schema import SchemaConfig

# Excel error values, English and French spellings (cached values of failed formulas).
EXCEL_ERRORS = frozenset(
    {
        "#N/A", "#NA", "#N/A N/A", "#DIV/0!", "#DIV/0", "#VALUE!", "#VALEUR!", "#REF!",
        "#NAME?", "#NOM?", "#NUM!", "#NOMBRE!", "#NULL!", "#NUL!", "#SPILL!", "#CALC!",
        "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
    }
)  # fmt: skip
_NON_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_SEPARATORS = re.compile(r"[\s_\-]+")
_INVISIBLE = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\ufeff\u2060"))  # zero-width
_SPACES = re.compile(r"\s+")
_CURRENCY = re.compile(r"^(?:dh|dhs|mad|eur|€)\s*|\s*(?:dh|dhs|mad|dirhams?|eur|€)\.?$")
# Accepted number shapes once sign, currency and surrounding spaces are gone.
_PLAIN = re.compile(r"^(?:\d+[.,]?|\d*[.,]\d+)$")  # 1234 | 1234,56 | 1234.56 | ,5 (decimal)
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:([ .'’])\d{3})(?:\1\d{3})*(?:,\d+)?$")  # 1 234,56 1.234,5
_GROUPED_POINT = re.compile(r"^\d{1,3}(?:([ ,'’])\d{3})(?:\1\d{3})*(?:\.\d+)?$")  # 1,234.56
_FRENCH_GROUPED = re.compile(r"[-+]?\d{1,3}(?: \d{3})+(?:,\d+)?")  # after spaces -> " "
_ANY_SPACES = re.compile(r"\s+")
_CURRENCY_SUFFIX = re.compile(r"\s*(?:dh|dhs|mad)\.?$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?e[-+]?\d+$")
_NUMERIC_DTYPES = ("floating", "integer", "mixed-integer-float")
_MIXED_DTYPES = ("mixed", "mixed-integer", "boolean", "unknown-array")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_MAX_SERIAL = 109_574  # 2199-12-31; larger serials are "date_out_of_range"
PLAUSIBLE_YEARS = (1950, 2100)


@dataclass(frozen=True)
class Parsed:
    """A parsed column: typed values, blank cells, and a problem code per unusable cell."""

    values: np.ndarray  # float64 or datetime64[ns]
    blank: np.ndarray  # bool: the cell was empty
    problem: np.ndarray  # object: None, or a code such as "invalid_number"


# ------------------------------------------------------------------------------ text


def normalize_text(text: object) -> str:
    """Lowercase, accents stripped, ``_``/``-``/runs of spaces -> one space, trimmed.

    ``"  Montant_Demandé "`` -> ``"montant demande"``; ``"Sous-catégorie"`` ->
    ``"sous categorie"``. Non-Latin letters are kept (only combining marks and zero-width
    characters are dropped).
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_INVISIBLE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.lower()).strip()


def cell_to_text(value: object) -> str | None:
    """A raw cell as trimmed text; ``None`` for a blank. ``123.0`` -> ``"123"``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None


def to_text(series: pd.Series) -> pd.Series:
    """A column as trimmed text (object dtype, ``None`` for blanks); IDs keep leading zeros.

    Each distinct value is converted once (``pd.factorize``), except in columns mixing
    types, where ``True`` and ``1.0`` would hash alike and are converted cell by cell.
    """
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) in _MIXED_DTYPES:
        return pd.Series([cell_to_text(v) for v in arr], index=series.index, dtype=object)
    codes, uniques = pd.factorize(arr)
    texts = np.array([*(cell_to_text(u) for u in uniques), None], dtype=object)
    return pd.Series(texts[codes], index=series.index, dtype=object)  # code -1 -> None


def excel_error_mask(text: pd.Series) -> np.ndarray:
    """True where a text cell is an Excel error value such as ``#N/A`` or ``#DIV/0!``."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    flags = (isinstance(u, str) and u[:1] == "#" and is_excel_error(u) for u in uniques)
    bad = np.array([*flags, False], dtype=bool)
    return bad[codes]


BLANK, NUMBER, TEXT, DATE, OTHER = range(5)  # kinds of raw cells
_KIND_OF_TYPE = {float: NUMBER, int: NUMBER, dt.date: DATE, dt.datetime: DATE, pd.Timestamp: DATE}


def _kind(value: object) -> int:
    if type(value) is str:
        return BLANK if not value or value.isspace() else TEXT
    if value is None:
        return BLANK
    return _KIND_OF_TYPE.get(type(value), OTHER)  # bool, time, timedelta... are OTHER


def cell_kinds(series: pd.Series) -> np.ndarray:
    """The kind of each raw cell: BLANK (``None``, ``""``, spaces), NUMBER, TEXT, DATE, OTHER."""
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":  # CSV columns: vectorised
        blank = pd.Series(arr, dtype=object).str.strip().to_numpy(dtype=object) == ""
        return np.where(blank, BLANK, TEXT).astype(np.int8)
    return np.fromiter((_kind(v) for v in arr), np.int8, len(arr))


def blank_mask(series: pd.Series) -> np.ndarray:
    """True where a raw cell is empty (``None``, ``""`` or only spaces; NaN is not blank)."""
    return cell_kinds(series) == BLANK


def is_excel_error(text: str) -> bool:
    return text.strip().upper() in EXCEL_ERRORS


def canonical_map(values: Iterable[str], levels: Iterable[str]) -> dict[str, str | None]:
    """Each distinct value -> the level it matches after normalisation, or None if unknown."""
    by_norm = {normalize_text(level): level for level in levels}
    return {v: by_norm.get(normalize_text(v)) for v in values}


# --------------------------------------------------------------------------- numbers


def parse_number_text(text: str) -> tuple[float, str | None]:
    """French or English number text -> (value, problem code or None).

    Accepts ``"1 234,56"`` (any kind of space), ``"1.234,56"``, ``"1,234.56"``,
    ``"12 500 DH"``, ``"-3,5"``, ``"(120)"``. A single separator is read as the decimal
    mark (``"1,5"`` and ``"1.5"`` are both 1.5).
    """
    raw = text.strip()
    if is_excel_error(raw):
        return math.nan, "excel_error"
    t = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).lower()
    if t in _NON_FINITE or t.lstrip("+-") in ("∞",):
        return math.nan, "not_finite"
    sign = 1.0
    if t.startswith("(") and t.endswith(")"):
        sign, t = -1.0, t[1:-1].strip()
    t = _CURRENCY.sub("", t).strip()
    if t[:1] in ("-", "+", "−"):
        sign, t = (-sign if t[0] != "+" else sign), t[1:].strip()
    t = _CURRENCY.sub("", t).strip()
    if not t or not any(ch.isdigit() for ch in t):
        return math.nan, "invalid_number"
    if _PLAIN.match(t) or _SCIENTIFIC.match(t):
        return sign * float(t.replace(",", ".")), None
    if _GROUPED_COMMA.match(t):
        return sign * float(re.sub(r"[ .'’]", "", t).replace(",", ".")), None
    if _GROUPED_POINT.match(t):
        return sign * float(re.sub(r"[ ,'’]", "", t)), None
    return math.nan, "invalid_number"


def parse_numbers(series: pd.Series) -> Parsed:
    """Parse a column of numbers: numeric cells as they are, text cells the French way."""
    arr = series.to_numpy(dtype=object)
    n = len(arr)
    if pd.api.types.infer_dtype(arr, skipna=False) in _NUMERIC_DTYPES:
        values = arr.astype(np.float64)
        problem = np.full(n, None, dtype=object)
        problem[~np.isfinite(values)] = "not_finite"
        return Parsed(values, np.zeros(n, dtype=bool), problem)
    values = np.full(n, np.nan)
    problem = np.full(n, None, dtype=object)
    kinds = cell_kinds(series)
    numeric, text = kinds == NUMBER, kinds == TEXT
    values[numeric] = arr[numeric].astype(np.float64)
    problem[numeric & ~np.isfinite(values)] = "not_finite"
    if text.any():
        values[text], problem[text] = _parse_number_strings(arr[text])
    problem[(kinds == DATE) | (kinds == OTHER)] = "invalid_number"  # dates, booleans, times
    return Parsed(values, kinds == BLANK, problem)


def _parse_number_strings(strings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three tiers: ``pd.to_numeric`` after comma -> point ("1234,56"); the canonical French
    shape "1 234,56 DH" checked by one regex (any kind of space); the exact parser for the
    few distinct values left."""
    s = pd.Series(strings, dtype=object).str.strip()
    values = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    problem = np.full(len(s), None, dtype=object)
    rest = np.flatnonzero(~np.isfinite(values))
    if len(rest):
        spaced = s.iloc[rest].str.replace(_ANY_SPACES, " ", regex=True)
        spaced = spaced.str.replace(_CURRENCY_SUFFIX, "", regex=True)
        french = spaced.str.fullmatch(_FRENCH_GROUPED).to_numpy(dtype=bool)
        digits = spaced[french].str.replace(" ", "", regex=False).str.replace(",", ".")
        values[rest[french]] = pd.to_numeric(digits, errors="coerce")
        rest = rest[~french]
    if len(rest):
        leftovers = s.iloc[rest]
        parsed = {v: parse_number_text(v) for v in pd.unique(leftovers)}
        values[rest] = [parsed[v][0] for v in leftovers]
        problem[rest] = [parsed[v][1] for v in leftovers]
    return values, problem


# ----------------------------------------------------------------------------- dates


def parse_dates(series: pd.Series, date_format: str) -> Parsed:
    """Parse a column of dates: date cells, Excel serial numbers, or text in ``date_format``.

    Text that does not match ``date_format`` is retried with a time of day, with a two-digit
    year and as ISO 8601; what still fails is ``"invalid_date"``. Dates outside
    1950-2100 are ``"date_out_of_range"`` (often a number typed in a date column).
    """
    arr = series.to_numpy(dtype=object)
    n = len(arr)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    problem = np.full(n, None, dtype=object)
    kind = pd.api.types.infer_dtype(arr, skipna=False)
    if kind in ("date", "datetime"):
        values[:] = _to_datetime64(arr)
        blank = np.zeros(n, dtype=bool)
    else:
        kinds = cell_kinds(series)
        blank, is_date, serial, text = (kinds == k for k in (BLANK, DATE, NUMBER, TEXT))
        values[is_date] = _to_datetime64(arr[is_date])
        values[serial], problem[serial] = _from_serials(arr[serial].astype(np.float64))
        if text.any():
            values[text], problem[text] = _parse_date_strings(arr[text], date_format)
        problem[kinds == OTHER] = "invalid_date"  # booleans, times of day
    years = pd.DatetimeIndex(values).year.to_numpy(dtype=float, na_value=np.nan)
    outside = (years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1])
    problem[outside] = "date_out_of_range"
    lost = ~blank & np.isnat(values) & pd.isna(problem)  # e.g. a date pandas cannot hold
    problem[lost] = "date_out_of_range"
    values[outside] = np.datetime64("NaT")
    return Parsed(values, blank, problem)


def _to_datetime64(objects: np.ndarray) -> np.ndarray:
    """Date/datetime objects -> datetime64[ns]; dates outside pandas' range become NaT."""
    result = pd.to_datetime(pd.Series(objects, dtype=object), errors="coerce")
    return result.to_numpy(dtype="datetime64[ns]")


def _from_serials(serials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(serials)
    ok = finite & (serials >= 1) & (serials <= EXCEL_MAX_SERIAL)
    values = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[ns]")
    days = np.where(ok, serials, 0.0)
    stamps = EXCEL_EPOCH.to_datetime64() + (days * 86_400_000).astype("timedelta64[ms]")
    values[ok] = stamps[ok].astype("datetime64[ns]")
    problem = np.where(ok, None, "invalid_date").astype(object)
    problem[finite & (serials > EXCEL_MAX_SERIAL)] = "date_out_of_range"
    return values, problem


def _parse_date_strings(strings: np.ndarray, date_format: str) -> tuple[np.ndarray, np.ndarray]:
    s = pd.Series(strings, dtype=object).str.strip()
    values = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    formats = [date_format, f"{date_format} %H:%M", f"{date_format} %H:%M:%S"]
    if "%Y" in date_format:
        formats.append(date_format.replace("%Y", "%y"))
    todo = np.ones(len(s), dtype=bool)
    for fmt in [*formats, "ISO8601"]:
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce").to_numpy("datetime64[ns]")
        idx = np.flatnonzero(todo)
        values[idx] = parsed
        todo[idx[~np.isnat(parsed)]] = False
        if not todo.any():
            break
    bad = np.where(todo, "invalid_date", None).astype(object)
    failed = np.flatnonzero(todo)
    bad[failed[[is_excel_error(v) for v in s.iloc[failed]]]] = "excel_error"
    return values, bad


# --------------------------------------------------------------------------- headers


def col_letter(position: int) -> str:
    """0 -> "A", 26 -> "AA": the column as Excel names it."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_lookup(schema: SchemaConfig) -> dict[str, str]:
    """Normalised header spelling (name or alias) -> column key; the first column wins."""
    lookup: dict[str, str] = {}
    for col in schema.columns:
        for spelling in (col.name, *col.aliases):
            lookup.setdefault(normalize_text(spelling), col.key)
    return lookup


def header_score(rows: list[list], lookup: dict[str, str]) -> tuple[int, int]:
    """(row index, number of distinct known columns) of the best header candidate."""
    best, best_score = -1, 0
    for i, row in enumerate(rows):
        keys = {lookup.get(normalize_text(t)) for v in row if (t := cell_to_text(v))}
        score = len(keys - {None})
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def find_header_row(rows: list[list], lookup: dict[str, str], search_rows: int) -> int:
    """Index of the header row: best match among the first ``search_rows`` rows, else the
    first non-blank row; -1 when there is nothing at all."""
    best, score = header_score(rows[:search_rows], lookup) if lookup else (-1, 0)
    if score > 0:
        return best
    return next((i for i, row in enumerate(rows) if any(cell_to_text(v) for v in row)), -1)


# ----------------------------------------------------------------------------- CSV


def decode_text(data: bytes) -> str:
    """UTF-16 (with BOM), else UTF-8 (BOM or not), else Windows-1252, else Latin-1.

    Raises UnicodeDecodeError only for a broken UTF-16 file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: cp1252's five undefined bytes


def sniff_separator(text: str) -> str:
    """``;``, ``,``, tab or ``|``: the one that splits the first lines most consistently.

    Decimal commas make ``,`` split data lines unevenly, while ``;`` gives every line (title
    rows aside) the same number of fields; ties go to the widest split.
    """
    lines = text[:65536].splitlines()[:50]
    if len(text) > 65536 and len(lines) > 1:
        lines = lines[:-1]  # possibly cut in the middle
    best, best_score = ";", (0, 0)
    for separator in (";", ",", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=separator) if len(r) > 1]
        except csv.Error:
            continue
        if widths:
            width, count = Counter(widths).most_common(1)[0]
            if (count, width) > best_score:
                best, best_score = separator, (count, width)
    return best
