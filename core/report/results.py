"""The results sheet of a scored batch: claim rows plus the four result columns.

Two sources, one format (the CLI and the app's download share it):
- ``results_from_file``: every row of the uploaded file as read (original headers, order and
  values), for when the file is at hand;
- ``results_from_store``: the stored claims under the profile's canonical headers, for a
  batch reopened later (columns the profile does not map were not stored).
``to_xlsx`` writes either with the styled, formula-safe exporter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config.settings import Config
from core.decide.decisions import DECISION_CODES
from core.decide.rules import localized_reasons
from core.ingest.normalize import header_lookup, normalize_text
from core.ingest.reader import RawTable
from core.report.export import RESULT_COLUMNS, results_to_bytes

_SCORED_COLUMNS = ("row_number", "probability", "decision")


@dataclass(frozen=True, eq=False)
class ResultsTable:
    """The results sheet: claim rows and headers plus the four result columns."""

    frame: pd.DataFrame
    date_columns: tuple[str, ...]
    amount_columns: tuple[str, ...]


def results_from_file(
    raw: RawTable, scored: pd.DataFrame, cfg: Config, locale: str = "fr"
) -> ResultsTable:
    """Every row of the file as read, followed by ``Probabilite_Fondee``, ``Decision_Modele``,
    ``Decision_Code`` and ``Motif_Regle``.

    ``scored`` holds row_number, probability, decision and rule_reason / rule_flags. Rows the
    validation skipped (blank rows) keep empty result cells. A column whose cells are all
    dates becomes a date column; amounts (type ``amount`` and the PNB) get the money format.
    """
    lookup = header_lookup(cfg.schema)
    money = _money_keys(cfg)
    columns: dict[str, pd.Series] = {}
    dates, amounts = [], []
    for position, header in enumerate(_unique(raw.headers)):
        series = raw.frame.iloc[:, position].infer_objects()
        if pd.api.types.infer_dtype(series, skipna=True) in ("date", "datetime"):
            series = pd.to_datetime(series, errors="coerce")
            dates.append(header)
        elif lookup.get(normalize_text(raw.headers[position])) in money:
            amounts.append(header)
        columns[header] = series.reset_index(drop=True)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw.frame)))
    for name, values in _result_columns(raw.row_numbers, scored, locale).items():
        frame[name] = values
    return ResultsTable(frame, tuple(dates), tuple(amounts))


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


def to_xlsx(table: ResultsTable, locale: str = "fr") -> bytes:
    return results_to_bytes(
        table.frame,
        locale=locale,
        date_columns=list(table.date_columns),
        amount_columns=list(table.amount_columns),
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
    """The four result columns aligned with ``row_numbers`` (empty where not scored)."""
    missing = [c for c in _SCORED_COLUMNS if c not in scored.columns]
    if missing:
        raise ValueError(f"scored frame lacks {missing}")
    position = pd.Index(scored["row_number"]).get_indexer(row_numbers)
    found = position >= 0
    reasons = reason_texts(scored, locale)
    probability = np.full(len(position), np.nan)
    probability[found] = scored["probability"].to_numpy(dtype=float)[position[found]]
    code = np.full(len(position), np.nan)
    code[found] = scored["decision"].to_numpy(dtype=float)[position[found]]
    reason = np.full(len(position), None, dtype=object)
    reason[found] = reasons[position[found]]
    label = pd.Series(code).map({float(k): v for k, v in DECISION_CODES.items()})
    values = (probability, label.to_numpy(dtype=object), code, reason)
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
