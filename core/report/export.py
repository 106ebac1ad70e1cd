"""Write the scored results of a batch to a styled .xlsx, fast and safe against formula injection.

Sheet « Résultats »: the input columns (the file's headers) plus the result columns
(:data:`RESULT_COLUMNS`), a bold filled header row kept frozen, filters over the used range,
number formats (amounts ``#,##0.00``, dates ``dd/mm/yyyy``, probability ``0.0%``) and the
decision cells coloured by conditional formatting on ``Decision_Code``, ``Decision_Finale``
and ``Decision_Modele``: a few rules instead of 100,000 cell formats, and the colours follow
any sort or edit. Sheet « Paramètres » (when given): what produced the decisions (model
version, thresholds and their source, costs, rules, profile, when and by whom).

Names: ``Decision_Finale`` and ``Decision_Code`` are the final decision, after the business
rules (what the interface calls the decision); ``Decision_Modele`` is the model's own
decision from the thresholds, before the rules; ``Controle_Qualite`` is 1 for a claim drawn
in the random quality-control sample.

Every text value becomes a text cell, never a formula, link or number: ``=HYPERLINK(...)``
in an input cell comes out as that very text. Engines (:mod:`core.report.engines`):
``rustpy-xlsxwriter`` (Rust, no formula detection at all; ~0.7 s for 50k x 17) by default,
``xlsxwriter`` (``write_string`` with ``strings_to_formulas/urls/numbers`` off; ~4 s) when
the Rust wheel is missing. Both get the same prepared frame and sheet plan."""

from __future__ import annotations

import dataclasses
import importlib
import io
import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.exceptions import WorkbenchError
from core.report.cells import prepare_frame
from core.report.engines import write_with_rust, write_with_xlsxwriter
from core.report.plan import (
    DECISION_COLOURS,
    DECISION_FONT_COLOURS,
    DECISION_LABELS,
    LABEL_COLUMN,
    PARAMETER_SHEETS,
    QC_COLUMN,
    REASON_COLUMN,
    RESULT_COLUMNS,
    SheetPlan,
    plan_sheet,
)

__all__ = [
    "DECISION_COLOURS",
    "DECISION_FONT_COLOURS",
    "DECISION_LABELS",
    "QC_COLUMN",
    "RESULT_COLUMNS",
    "is_dangerous_text",
    "results_to_bytes",
    "write_results",
]

log = logging.getLogger(__name__)

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_MAX_DATA_ROWS = 1_048_575  # one row is the header
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def is_dangerous_text(value: str) -> bool:
    """True when a spreadsheet would read ``value`` as a formula if typed in a cell."""
    return value.startswith(DANGEROUS_PREFIXES)


def write_results(
    frame: pd.DataFrame,
    target: Path | str | io.BytesIO,
    *,
    locale: str = "fr",
    sheet_name: str = "Résultats",
    date_columns: Sequence[str] = (),
    amount_columns: Sequence[str] = (),
    probability_column: str = "Probabilite_Fondee",
    code_column: str = "Decision_Code",
    engine: str = "auto",
    parameters: Sequence[tuple[str, str]] = (),
) -> None:
    """Write ``frame`` (input columns plus the result columns) as one styled sheet, and
    ``parameters`` ((name, value) text pairs) as a second sheet when given.

    ``Decision_Finale`` is rewritten from ``code_column`` in the labels of ``locale`` so the
    text always matches its colour; a missing or unknown code keeps the frame's label.
    ``Decision_Modele`` and ``Controle_Qualite`` are optional.
    ``engine`` is ``"auto"`` (Rust when installed), ``"rust"`` or ``"xlsxwriter"``.
    Raises ``ValueError`` for a bad argument and ``WorkbenchError`` when the file cannot be
    written or holds too many rows for Excel.
    """
    _check_arguments(frame, locale, sheet_name, (probability_column, code_column))
    numeric = (*amount_columns, probability_column, code_column)
    prepared = prepare_frame(frame, date_columns=date_columns, numeric_columns=numeric)
    labels = DECISION_LABELS[locale]
    prepared[LABEL_COLUMN] = _labels_from_codes(
        prepared[code_column], prepared[LABEL_COLUMN], labels
    )
    plan = plan_sheet(prepared, sheet_name, labels, amount_columns, probability_column, code_column)
    sheet = PARAMETER_SHEETS[locale]
    rows = tuple((str(k), str(v)) for k, v in parameters)
    plan = dataclasses.replace(plan, parameters=rows, parameter_sheet=sheet)
    name, writer = _pick_engine(engine)
    if isinstance(target, io.IOBase):
        writer(prepared, plan, target)
    else:
        _write_atomically(Path(target), lambda handle: writer(prepared, plan, handle))
    log.info("Wrote %d result rows x %d columns with %s", len(prepared), prepared.shape[1], name)


def results_to_bytes(frame: pd.DataFrame, **kwargs: Any) -> bytes:
    """The workbook as bytes, e.g. for a download button (same options as write_results)."""
    buffer = io.BytesIO()
    write_results(frame, buffer, **kwargs)
    return buffer.getvalue()


def _check_arguments(
    frame: pd.DataFrame, locale: str, sheet_name: str, result_names: tuple[str, str]
) -> None:
    if locale not in DECISION_LABELS:
        raise ValueError(f"locale {locale!r} is not one of {', '.join(DECISION_LABELS)}")
    if not sheet_name or len(sheet_name) > 31 or _BAD_SHEET_CHARS.search(sheet_name):
        raise ValueError(f"invalid sheet name {sheet_name!r} (1-31 chars, none of []:*?/\\)")
    required = (result_names[0], LABEL_COLUMN, result_names[1], REASON_COLUMN)
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks the result columns {missing}")
    if len(frame) > EXCEL_MAX_DATA_ROWS:
        raise WorkbenchError(
            f"Trop de lignes pour un fichier Excel ({len(frame):,} > {EXCEL_MAX_DATA_ROWS:,}) : "
            "découpez le lot."
        )


def _pick_engine(engine: str) -> tuple[str, Callable[[pd.DataFrame, SheetPlan, Any], None]]:
    if engine not in ("auto", "rust", "xlsxwriter"):
        raise ValueError(f"engine {engine!r} is not one of auto, rust, xlsxwriter")
    if engine != "xlsxwriter":
        try:
            importlib.import_module("rustpy_xlsxwriter")
            return "rust", write_with_rust
        except ImportError:
            if engine == "rust":
                raise
            log.warning("rustpy-xlsxwriter is not installed: falling back to xlsxwriter")
    return "xlsxwriter", write_with_xlsxwriter


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    tmp = path.with_name(f".~{path.stem}.{os.getpid()}{path.suffix}")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        tmp.replace(path)
    except OSError as exc:
        raise WorkbenchError(
            f"Impossible d'écrire le fichier de résultats {path} : {exc.strerror or exc}."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _labels_from_codes(codes: pd.Series, labels: pd.Series, names: dict[int, str]) -> pd.Series:
    """The label of each known code; the frame's own label where the code is unknown."""
    mapped = pd.Series(codes).map({float(k): v for k, v in names.items()})
    return mapped.where(mapped.notna(), labels).astype(object).where(lambda s: s.notna(), None)
