"""Validate a :class:`~core.excel.RawTable` against the schema profile, honestly.

:func:`validate` collects every problem at once (like pandera ``lazy=True``) into a
:class:`ValidationReport` (row, column, value, reason, in French and English) and returns
the typed frame alongside. Errors block the batch; warnings do not. When one problem hits
many rows of a column, the first :data:`MAX_LISTED` rows are listed one by one and a single
summary line counts the rest, so the report stays readable at 50,000 rows.

Column checks are vectorised (see :mod:`core.ingest.normalize`); per-value Python work is limited to
the distinct values of categories and labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config.schema import ColumnSpec, SchemaConfig
from core.config.settings import LimitsConfig
from core.ingest.invisible import clean_keys
from core.ingest.issues import Issues
from core.ingest.labels import check_label
from core.ingest.normalize import (
    blank_mask,
    canonical_map,
    col_letter,
    excel_error_mask,
    header_lookup,
    normalize_text,
    parse_dates,
    parse_numbers,
    to_text,
)
from core.ingest.notices import report_merged, report_sheet_choice, report_uncalculated
from core.ingest.reader import RawTable
from core.ingest.report import ValidatedBatch, ValidationReport
from core.ingest.rows import drop_blank_rows, drop_total_rows
from core.ingest.texts import (
    _missing_column_text,
    _text,
    _where_text,
)


def normalize_header(text: str) -> str:
    """Lowercase, accents stripped, ``_``/``-``/repeated spaces -> one space, trimmed."""
    return normalize_text(text)


@dataclass(frozen=True)
class _Context:
    rows: np.ndarray  # file row numbers of the data rows kept
    issues: Issues
    schema: SchemaConfig
    limits: LimitsConfig
    known_levels: Mapping[str, Collection[str]]


# ---------------------------------------------------------------------------- validate


def validate(
    raw: RawTable,
    schema: SchemaConfig,
    limits: LimitsConfig,
    *,
    known_levels: Mapping[str, Collection[str]] | None = None,
) -> ValidatedBatch:
    """Check ``raw`` against ``schema``: typed frame plus a report listing every problem.

    ``known_levels`` (column key -> values seen in training) adds a warning for each value a
    model never saw. Never raises for bad data: every problem is an issue in the report.
    """
    issues = Issues()
    if not raw.headers:
        issues.add("error", "empty_file", *_where_text("empty_file", raw.file_name, raw.sheet))
        return _batch(raw, {}, pd.DataFrame(), raw.row_numbers[:0], issues)
    report_sheet_choice(raw, issues)
    mapping, positions, shared = _map_columns(raw, schema, issues)
    frame, rows = drop_blank_rows(raw.frame, raw.row_numbers, issues)
    id_col = schema.by_role("id")
    id_position = positions.get(id_col.key) if id_col is not None else None
    frame, rows = drop_total_rows(frame, rows, id_position, issues)
    if frame.empty:
        fr, en = _where_text("no_data_rows", raw.file_name, raw.sheet)
        issues.add("error", "no_data_rows", fr, en, row=raw.header_row)
    ctx = _Context(rows, issues, schema, limits, known_levels or {})
    typed: dict[str, object] = {}
    for col in schema.columns:
        if col.key in positions:
            pos = positions[col.key]
            series = frame[pos] if pos in frame.columns else pd.Series([], dtype=object)
            typed.update(_check_column(col, series, raw.headers[pos], ctx))
    report_merged(raw, positions, issues)
    report_uncalculated(raw, positions, issues)
    summary = typed.pop("_label_summary", None)
    batch = _batch(raw, mapping, pd.DataFrame(typed), rows, issues)
    return dataclasses.replace(
        batch,
        report=dataclasses.replace(batch.report, shared_columns=shared, label_summary=summary),
    )


def _batch(
    raw: RawTable, mapping: dict[str, str], typed: pd.DataFrame, rows: np.ndarray, issues: Issues
) -> ValidatedBatch:
    typed = typed.reset_index(drop=True)
    typed["row_number"] = np.asarray(rows, dtype=np.int64)
    present = tuple(k for k in typed.columns if k not in ("row_number", "label_excluded"))
    report = ValidationReport(raw.file_name, raw.sheet, len(typed), issues.sorted(), mapping)
    return ValidatedBatch(typed, report, present)


# ---------------------------------------------------------------------------- columns


def _map_columns(
    raw: RawTable, schema: SchemaConfig, issues: Issues
) -> tuple[dict[str, str], dict[str, int], dict[str, tuple[str, ...]]]:
    """(file header -> key, key -> position of its first column, header -> every key it
    fills when it serves several roles); header issues reported."""
    lookup = header_lookup(schema)
    found: dict[str, list[int]] = {}
    for pos, header in enumerate(raw.headers):
        key = lookup.get(normalize_header(header)) if header else None
        if key is not None:
            found.setdefault(key, []).append(pos)
        elif header:
            fr, en = _text("extra_column", header=header, letter=col_letter(pos))
            issues.add("warning", "extra_column", fr, en, column=header)
        elif pos in raw.frame.columns and not blank_mask(raw.frame[pos]).all():
            fr, en = _text("unnamed_column", letter=col_letter(pos))
            issues.add("warning", "unnamed_column", fr, en, column=col_letter(pos))
    for positions in found.values():
        if len(positions) > 1:
            _report_duplicate_column(raw, positions, issues)
    if not found:
        _report_no_known_column(raw, schema, issues)
    shared: dict[str, list[str]] = {}
    for col in schema.columns if found else ():
        if col.key in found:
            continue
        pos = _shared_position(col, raw, found)
        if pos is None:
            _report_missing_column(col, issues, raw)
            continue
        owner = next(k for k, ps in found.items() if ps[0] == pos)
        shared.setdefault(raw.headers[pos], [owner]).append(col.key)
        found[col.key] = [pos]
    mapping: dict[str, str] = {}
    for k, ps in found.items():
        for p in ps:
            mapping.setdefault(raw.headers[p], k)
    return mapping, {k: ps[0] for k, ps in found.items()}, {h: tuple(k) for h, k in shared.items()}


def _shared_position(col: ColumnSpec, raw: RawTable, found: dict[str, list[int]]) -> int | None:
    """The position of a header already read for another role that this column also names
    (a profile may map one column to several roles, e.g. the claim and the client ID)."""
    spellings = {normalize_header(s) for s in (col.name, *col.aliases)}
    taken = {ps[0] for ps in found.values()}
    for pos, header in enumerate(raw.headers):
        if header and pos in taken and normalize_header(header) in spellings:
            return pos
    return None


def _report_no_known_column(raw: RawTable, schema: SchemaConfig, issues: Issues) -> None:
    read = ", ".join(f"« {h} »" for h in raw.headers[:5] if h)
    expected = ", ".join(f"« {c.name} »" for c in schema.columns if c.required)
    fr, en = _text("no_known_column", row=raw.header_row, read=read, expected=expected)
    issues.add("error", "no_known_column", fr, en)


def _report_duplicate_column(raw: RawTable, positions: list[int], issues: Issues) -> None:
    listed = ", ".join(f"« {raw.headers[p]} » ({col_letter(p)})" for p in positions)
    fr, en = _text("duplicate_column", listed=listed)
    issues.add("error", "duplicate_column", fr, en, column=raw.headers[positions[0]])


def _report_missing_column(col: ColumnSpec, issues: Issues, raw: RawTable) -> None:
    if col.role == "label" and not col.required:
        return  # a batch to score has no label yet: that is the normal case, not a problem
    fr, en = _missing_column_text(col, raw.header_row)
    if col.required:
        issues.add("error", "missing_required_column", fr, en, column=col.name)
    else:
        issues.add("warning", "missing_expected_column", fr, en, column=col.name)


def _check_column(col: ColumnSpec, series: pd.Series, header: str, ctx: _Context) -> dict:
    """Typed values of one column (by key); its problems go to ``ctx.issues``."""
    raw = series.to_numpy(dtype=object)
    if col.type in ("number", "amount"):
        return {col.key: _check_number(col, series, raw, header, ctx)}
    if col.type == "date":
        parsed = parse_dates(series, col.date_format)
        example = pd.Timestamp("2024-03-31 00:00").strftime(col.date_format)
        _report_problems(parsed.problem, raw, header, ctx, fmt=example)
        _report_missing(col, parsed.blank, raw, header, ctx)
        return {col.key: pd.Series(parsed.values, dtype="datetime64[ns]")}
    text = _check_text(col, series, raw, header, ctx)
    if col.type == "label":
        return check_label(text, raw, header, ctx.schema.label, ctx.issues, ctx.rows)
    if col.type == "category":
        text = _check_category(col, text, header, ctx)
    if col.role == "id":
        _check_duplicate_ids(text, header, ctx)
    return {col.key: text}


def _report_problems(
    problem: np.ndarray, raw: np.ndarray, header: str, ctx: _Context, **detail: object
) -> None:
    flagged = ~pd.isna(problem)
    for code in pd.unique(problem[flagged]):
        where = np.flatnonzero(problem == code)
        ctx.issues.cells("error", code, header, where, ctx.rows, raw, lambda _i: detail)


def _report_missing(
    col: ColumnSpec, blank: np.ndarray, raw: np.ndarray, header: str, ctx: _Context
) -> None:
    if col.required and blank.any():
        ctx.issues.cells("error", "missing_value", header, np.flatnonzero(blank), ctx.rows, raw)


def _check_number(
    col: ColumnSpec, series: pd.Series, raw: np.ndarray, header: str, ctx: _Context
) -> pd.Series:
    parsed = parse_numbers(series)
    _report_problems(parsed.problem, raw, header, ctx)
    _report_missing(col, parsed.blank, raw, header, ctx)
    v, cells = parsed.values, ctx.issues.cells
    if col.type == "amount":
        limit = f"{ctx.limits.amount_max:,.0f}".replace(",", " ")
        cells("error", "negative_amount", header, np.flatnonzero(v < 0), ctx.rows, raw)
        cells("warning", "zero_amount", header, np.flatnonzero(v == 0), ctx.rows, raw)
        over = np.flatnonzero(v > ctx.limits.amount_max)
        cells("error", "absurd_amount", header, over, ctx.rows, raw, lambda _i: {"limit": limit})
    if col.min is not None or col.max is not None:
        lo = -np.inf if col.min is None else col.min
        hi = np.inf if col.max is None else col.max
        outside = np.flatnonzero((v < lo) | (v > hi))
        bounds = {"lo": f"{lo:g}", "hi": f"{hi:g}"}
        cells("error", "out_of_range", header, outside, ctx.rows, raw, lambda _i: bounds)
    return pd.Series(v, dtype="float64")


def _check_text(
    col: ColumnSpec, series: pd.Series, raw: np.ndarray, header: str, ctx: _Context
) -> pd.Series:
    """Trimmed text (None for blanks); Excel error values (#N/A...) are errors."""
    text = to_text(series).reset_index(drop=True)
    if col.type in ("id", "category"):
        text = _clean_keys(text, header, ctx)
    errors = excel_error_mask(text)
    if errors.any():
        ctx.issues.cells("error", "excel_error", header, np.flatnonzero(errors), ctx.rows, raw)
        text[errors] = None
    _report_missing(col, text.isna().to_numpy(), raw, header, ctx)
    return text


def _clean_keys(text: pd.Series, header: str, ctx: _Context) -> pd.Series:
    """IDs and category keys without invisible characters (one warning with the count)."""
    text, changed = clean_keys(text)
    n = int(changed.sum())
    if n:
        rows = ctx.rows[changed]
        shown = ", ".join(map(str, rows[:10])) + ("…" if n > 10 else "")
        fr, en = _text("invisible_characters", n=n, shown=shown)
        ctx.issues.add("warning", "invisible_characters", fr, en, row=int(rows[0]),
                       column=header, count=n)  # fmt: skip
    return text


def _check_category(col: ColumnSpec, text: pd.Series, header: str, ctx: _Context) -> pd.Series:
    """Values spelt like a known level (case, accents) take its spelling; unknown ones warn."""
    values = pd.unique(text.dropna())
    if col.levels:
        canon = canonical_map(values, col.levels)
        renames = {v: c for v, c in canon.items() if c is not None and c != v}
        if renames:
            text = text.map(lambda v: renames.get(v, v))
        unknown = [v for v, c in canon.items() if c is None]
        _report_distinct(text, unknown, "unknown_category", header, ctx)
    known = ctx.known_levels.get(col.key)
    if known is not None:
        seen = {normalize_text(k) for k in known}
        unseen = [v for v in pd.unique(text.dropna()) if normalize_text(v) not in seen]
        _report_distinct(text, unseen, "unseen_category", header, ctx)
    return text


def _report_distinct(
    text: pd.Series, values: list[str], code: str, header: str, ctx: _Context
) -> None:
    """One warning per distinct value, on the first row holding it, with its row count."""
    if not values:
        return
    hits = text.isin(values).to_numpy()
    first = np.flatnonzero(hits & ~text.duplicated().to_numpy())
    counts = text[hits].value_counts()
    arr = text.to_numpy(dtype=object)
    ctx.issues.cells(
        "warning", code, header, first, ctx.rows, arr,
        lambda i: {"n": int(counts[arr[i]])}, unit=("valeurs", "values"),
    )  # fmt: skip


def _check_duplicate_ids(ids: pd.Series, header: str, ctx: _Context) -> None:
    """Every row whose claim ID appears more than once, with the other rows named."""
    dup = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
    if not dup.any():
        return
    where = np.flatnonzero(dup)
    arr = ids.to_numpy(dtype=object)
    rows_of = pd.Series(ctx.rows[where]).groupby(arr[where]).agg(list).to_dict()

    def others(i: int) -> dict[str, object]:
        rest = [r for r in rows_of[arr[i]] if r != ctx.rows[i]]
        return {"others": ", ".join(map(str, rest[:5])) + ("…" if len(rest) > 5 else "")}

    ctx.issues.cells("error", "duplicate_id", header, where, ctx.rows, arr, others)
