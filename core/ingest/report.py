"""The validation report: every problem of a file at once (row, column, value, reason, in
French and English), and the typed claims that come with it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.exceptions import FileRejectedError
from core.ingest.normalize import cell_to_text
from core.ingest.texts import _FRAME_COLUMNS, _SEVERITY, _summary

MAX_LISTED = 50  # rows listed one by one per (column, problem)


@dataclass(frozen=True)
class Issue:
    """One problem: where it is (file row as Excel shows it, column header), what, why."""

    severity: str  # "error" (blocks the batch) | "warning"
    code: str  # stable machine code, e.g. "missing_required_column", "negative_amount"
    row: int | None  # file row number as Excel shows it (None: whole file or column)
    column: str | None  # header as written in the file (canonical name when missing)
    value: str | None  # offending raw value, stringified, at most 80 characters
    message_fr: str
    message_en: str
    count: int = 1  # problems this line stands for (> 1 for "... and N more rows")

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr

    def located(self, locale: str) -> str:
        """The message prefixed with its row and column, for logs and the CLI."""
        en = locale == "en"
        where = [f"{'row' if en else 'ligne'} {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"{'column' if en else 'colonne'} « {self.column} »")
        prefix = ", ".join(where) + " — " if where else ""
        return prefix[:1].upper() + prefix[1:] + self.message(locale)


@dataclass(frozen=True)
class ValidationReport:
    file_name: str
    sheet: str | None
    n_rows: int  # data rows read (after skipping blank rows)
    issues: tuple[Issue, ...]
    column_mapping: dict[str, str] = field(default_factory=dict)  # file header -> column key

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """No blocking error: the batch can be stored and scored."""
        return not self.errors

    def to_frame(self, locale: str = "fr") -> pd.DataFrame:
        """One line per issue, columns localised (Fichier, Feuille, Gravité, Ligne, ...)."""
        names = _FRAME_COLUMNS["en" if locale == "en" else "fr"]
        severity = _SEVERITY["en" if locale == "en" else "fr"]
        rows = [
            (self.file_name, self.sheet, severity.get(i.severity, i.severity), i.row,
             i.column, i.value, i.message(locale))
            for i in self.issues
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=list(names), dtype=object)
        frame[names[3]] = frame[names[3]].astype("Int64")
        return frame

    def summary(self, locale: str = "fr") -> str:
        """One line, e.g. "3 erreurs, 2 avertissements — lot refusé"."""
        n_err = sum(i.count for i in self.errors)
        n_warn = sum(i.count for i in self.warnings)
        return _summary(n_err, n_warn, self.ok, locale)

    @classmethod
    def from_file_error(cls, exc: FileRejectedError, file_name: str) -> ValidationReport:
        """A report holding the one file-level error that made the file unreadable."""
        issue = Issue("error", exc.code, None, None, None, str(exc), exc.message_en)
        return cls(file_name, None, 0, (issue,), {})


@dataclass(frozen=True)
class ValidatedBatch:
    """Typed claims (one column per present schema column, by key, plus ``row_number``)."""

    frame: pd.DataFrame
    report: ValidationReport
    present: tuple[str, ...]  # keys of the schema columns found in the file


def _show(value: object) -> str | None:
    text = cell_to_text(value)
    if text is None:
        return None
    return text if len(text) <= 80 else text[:79] + "…"
