"""The results sheet of a scored batch: claim rows plus the result columns.

Two sources, one format (the CLI and the app's download share it):
- ``results_from_file``: every row of the uploaded file as read (original headers and order;
  the profile's number, amount and date columns as the validation read them, so « 10699,69 »,
  « 12,500.00 » or « 03/04/2025 » come out as real numbers and dates), for when the file
  is at hand;
- ``results_from_store``: the stored claims under the profile's canonical headers, for a
  batch reopened later (columns the profile does not map were not stored).
``to_xlsx`` writes either with the styled, formula-safe exporter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config.schema import ColumnSpec
from core.config.settings import Config
from core.decide.rules import localized_reasons
from core.ingest.normalize import header_lookup, normalize_text, parse_dates, parse_numbers
from core.ingest.reader import RawTable
from core.report.export import DECISION_LABELS, RESULT_COLUMNS, results_to_bytes

_SCORED_COLUMNS = ("row_number", "probability", "decision")


@dataclass(frozen=True, eq=False)
class ResultsTable:
    """The results sheet: claim rows and headers plus the result columns."""

    frame: pd.DataFrame
    date_columns: tuple[str, ...]
    amount_columns: tuple[str, ...]


def results_from_file(
    raw: RawTable, scored: pd.DataFrame, cfg: Config, locale: str = "fr"
) -> ResultsTable:
    """Every row of the file as read, followed by the result columns (``RESULT_COLUMNS``).

    ``scored`` holds row_number, probability, decision (and decision_model, rule_reason /
    rule_flags, qc_sample). Rows the validation skipped (blank rows, total lines) keep empty
    result cells. The profile's number, amount and date columns are written as the
    validation parsed them (typed cells), unless a cell would be lost (then the column stays
    as it was); other columns whose cells are all dates become date columns; amounts (type
    ``amount`` and the PNB) get the money format. Text stays text.
    """
    lookup = header_lookup(cfg.schema)
    specs = {c.key: c for c in cfg.schema.columns}
    money = _money_keys(cfg)
    columns: dict[str, pd.Series] = {}
    dates, amounts = [], []
    for position, header in enumerate(_unique(raw.headers)):
        series = raw.frame.iloc[:, position].reset_index(drop=True)
        key = lookup.get(normalize_text(raw.headers[position]))
        typed = _typed(series, specs[key]) if key in specs else None
        if typed is not None:
            series = typed
            if typed.dtype.kind == "M":
                dates.append(header)
        elif pd.api.types.infer_dtype(series, skipna=True) in ("date", "datetime"):
            series = pd.to_datetime(series.infer_objects(), errors="coerce")
            dates.append(header)
        else:
            series = series.infer_objects()
        if key in money:
            amounts.append(header)
        columns[header] = series
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw.frame)))
    for name, values in _result_columns(raw.row_numbers, scored, locale).items():
        frame[name] = values
    return ResultsTable(frame, tuple(dates), tuple(amounts))


def _typed(series: pd.Series, spec: ColumnSpec) -> pd.Series | None:
    """The column as validation reads it (float64 or datetime64), or None when it is not a
    number or date column or when some non-empty cell would not convert."""
    if spec.type in ("number", "amount"):
        parsed = parse_numbers(series)
    elif spec.type == "date":
        parsed = parse_dates(series, spec.date_format)
    else:
        return None
    if pd.notna(parsed.problem).any():
        return None
    return pd.Series(parsed.values, name=series.name)


def results_from_store(scored: pd.DataFrame, cfg: Config, locale: str = "fr") -> ResultsTable:
    """The stored claims (keyed columns) under the profile's headers, plus the result columns."""
    present = [c for c in cfg.schema.columns if c.key in scored.columns]
    frame = pd.DataFrame({c.name: scored[c.key].to_numpy() for c in present})
    if "label" in scored.columns and cfg.schema.has("label"):
        frame[cfg.schema.by_role("label").name] = scored["label"].astype("Float64").to_numpy()
    rows = scored["row_number"].to_numpy()
    for name, values in _result_columns(rows, scored, locale).items():
        frame[name] = values
    dates = tuple(c.name for c in present if c.type == "date")
    money = _money_keys(cfg)
    amounts = tuple(c.name for c in present if c.key in money)
    return ResultsTable(frame, dates, amounts)


def to_xlsx(
    table: ResultsTable, locale: str = "fr", parameters: Sequence[tuple[str, str]] = ()
) -> bytes:
    """The workbook; ``parameters`` ((name, value) pairs, see
    :func:`core.report.parameters.scoring_parameters`) fill its « Paramètres » sheet."""
    return results_to_bytes(
        table.frame,
        locale=locale,
        date_columns=list(table.date_columns),
        amount_columns=list(table.amount_columns),
        parameters=parameters,
    )


def reason_texts(scored: pd.DataFrame, locale: str) -> np.ndarray:
    """The rule reason per claim in ``locale``, from its rule code and stored sentence."""
    reasons = scored.get("rule_reason", pd.Series("", index=scored.index)).fillna("")
    if "rule_flags" not in scored.columns:
        return reasons.to_numpy(dtype=object)
    return localized_reasons(scored["rule_flags"], reasons, locale)


def _money_keys(cfg: Config) -> set[str]:
    return {c.key for c in cfg.schema.columns if c.type == "amount" or c.role == "pnb"}


def _result_columns(
    row_numbers: np.ndarray, scored: pd.DataFrame, locale: str
) -> dict[str, np.ndarray]:
    """The result columns aligned with ``row_numbers`` (empty where not scored)."""
    missing = [c for c in _SCORED_COLUMNS if c not in scored.columns]
    if missing:
        raise ValueError(f"scored frame lacks {missing}")
    position = pd.Index(scored["row_number"]).get_indexer(row_numbers)
    found = position >= 0

    def aligned(values: np.ndarray, empty: object = np.nan) -> np.ndarray:
        out = np.full(len(position), empty, dtype=values.dtype if empty is not None else object)
        out[found] = values[position[found]]
        return out

    def numbers(column: str) -> np.ndarray:
        if column not in scored.columns:
            return np.full(len(position), np.nan)
        return aligned(pd.to_numeric(scored[column], errors="coerce").to_numpy(dtype=float))

    labels = {float(k): v for k, v in DECISION_LABELS[locale].items()}
    code, model_code = numbers("decision"), numbers("decision_model")
    values = (
        numbers("probability"),
        pd.Series(model_code).map(labels).to_numpy(dtype=object),
        pd.Series(code).map(labels).to_numpy(dtype=object),
        code,
        aligned(reason_texts(scored, locale).astype(object), None),
        numbers("qc_sample"),
    )
    return dict(zip(RESULT_COLUMNS, values, strict=True))


def _unique(headers: tuple[str, ...]) -> list[str]:
    """Headers made unique the way the export does ("Montant", "Montant (2)")."""
    out: list[str] = []
    for header in headers:
        name, n = str(header), 1
        while name in out:
            n += 1
            name = f"{header} ({n})"
        out.append(name)
    return out
