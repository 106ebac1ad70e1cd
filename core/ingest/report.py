"""The validation report: every problem of a file at once (row, column, value, reason, in
French and English), and the typed claims that come with it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.exceptions import FileRejectedError
from core.ingest.normalize import cell_to_text
from core.ingest.texts import _FRAME_COLUMNS, _SEVERITY, _summary

MAX_LISTED = 50  # rows listed one by one per (column, problem)
MEANINGS = ("positive", "negative", "unlabelled", "excluded", "unmapped")
_MEANING_TEXT = {
    "fr": {"positive": "fondée (1)", "negative": "non fondée (0)", "unlabelled": "sans libellé",
           "excluded": "exclue de l'entraînement", "unmapped": "NON RECONNUE"},
    "en": {"positive": "justified (1)", "negative": "not justified (0)",
           "unlabelled": "unlabelled", "excluded": "excluded from training",
           "unmapped": "NOT MAPPED"},
}  # fmt: skip


@dataclass(frozen=True)
class LabelValue:
    """One distinct raw value of the label column, how often it occurs and what it means."""

    value: str
    count: int
    meaning: str  # one of MEANINGS
    listed: bool  # False: not in the profile's lists (other_is_negative, or unmapped)


@dataclass(frozen=True)
class LabelSummary:
    """What the label column holds and how the profile reads it (shown by ingest and train)."""

    header: str
    values: tuple[LabelValue, ...]  # most frequent first
    declared: bool  # False: the profile lists no values of its own for this column

    def count(self, meaning: str) -> int:
        return sum(v.count for v in self.values if v.meaning == meaning)

    @property
    def positive_rate(self) -> float | None:
        """Share of justified claims among the labelled ones (None when none is labelled)."""
        pos, neg = self.count("positive"), self.count("negative")
        return pos / (pos + neg) if pos + neg else None

    def lines(self, locale: str = "fr") -> list[str]:
        """Human-readable lines: one per value, then the resulting counts and rate."""
        text = _MEANING_TEXT["en" if locale == "en" else "fr"]
        en = locale == "en"
        head = f"Label column « {self.header} »:" if en else f"Colonne libellé « {self.header} » :"
        out = [head]
        for v in self.values:
            why = (
                ""
                if v.listed or v.meaning == "unmapped"
                else (
                    " (not listed: other_is_negative)"
                    if en
                    else " (non listée : other_is_negative)"
                )
            )
            out.append(f"  « {v.value} » x {v.count:,} -> {text[v.meaning]}{why}")
        rate = self.positive_rate
        rate_text = "—" if rate is None else f"{rate:.1%}"
        out.append(
            (f"  justified {self.count('positive'):,}, not justified {self.count('negative'):,}, "
             f"unlabelled {self.count('unlabelled'):,}, excluded {self.count('excluded'):,}, "
             f"unmapped {self.count('unmapped'):,}; justified rate {rate_text}")
            if en else
            (f"  fondées {self.count('positive'):,}, non fondées {self.count('negative'):,}, "
             f"sans libellé {self.count('unlabelled'):,}, exclues {self.count('excluded'):,}, "
             f"non reconnues {self.count('unmapped'):,} ; taux de fondées {rate_text}")
        )  # fmt: skip
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "header": self.header,
            "declared": self.declared,
            "values": [v.__dict__ for v in self.values],
            "positive_rate": self.positive_rate,
        }


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
    # file header -> every key it fills, when one column serves several roles (id, client_id)
    shared_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    label_summary: LabelSummary | None = None

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

    def notes(self, locale: str = "fr") -> list[str]:
        """What is not a problem but must be seen: columns serving several roles, and the
        label's values with their meaning and the resulting rates."""
        en = locale == "en"
        out = [
            (f"Column « {h} » serves several roles: {', '.join(keys)}." if en else
             f"La colonne « {h} » sert plusieurs rôles : {', '.join(keys)}.")
            for h, keys in self.shared_columns.items()
        ]  # fmt: skip
        if self.label_summary is not None:
            out += self.label_summary.lines(locale)
        return out

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
