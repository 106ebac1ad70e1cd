"""Which sheet of a workbook holds the claims: every sheet scored for the profile.

A workbook sent by a branch often carries a notes or summary sheet before the claims. Each
sheet is scored on what makes a claims table (:func:`score_sheet`): how many of the
profile's columns its header names (aliases included), whether its ID column holds unique,
non-empty IDs, and whether it has data rows (their count is shown). The best one is read;
the choice, with each sheet's reasons, goes to the validation report, so the other sheets
are always named. The command line and the upload page's sheet picker both use
:func:`core.ingest.reader.choose_sheet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.config.schema import SchemaConfig
from core.ingest.normalize import cell_to_text, find_header_row, normalize_text


@dataclass(frozen=True)
class SheetScore:
    """What one sheet looks like, for the profile."""

    name: str
    position: int  # order in the workbook (0 = first)
    visible: bool
    known_columns: int  # distinct profile columns its header names
    required_columns: int  # of which required
    ids_unique: bool  # an ID column with non-empty, unique IDs
    rows: int  # non-blank rows below the header

    @property
    def rank(self) -> tuple[int, bool, bool, bool, int]:
        """Higher is more like a claims table: more profile columns named, then unique IDs,
        then visible, then holding data rows; between sheets alike (two weeks' claims), the
        one that comes first."""
        known, ids, visible = self.known_columns, self.ids_unique, self.visible
        return (known, ids, visible, self.rows > 0, -self.position)

    def reason(self, locale: str, n_required: int) -> str:
        """e.g. « Réclamations » (13 colonnes reconnues dont 2/2 obligatoires, ...)."""
        en = locale == "en"
        if en:
            parts = [
                f"{self.known_columns} known column{'s' * (self.known_columns != 1)}"
                f" of which {self.required_columns}/{n_required} required",
                "unique IDs" if self.ids_unique else "no unique IDs",
                f"{self.rows:,} row{'s' * (self.rows != 1)}",
            ]
            if not self.visible:
                parts.append("hidden")
        else:
            plural = "s" if self.known_columns > 1 else ""
            parts = [
                f"{self.known_columns} colonne{plural} reconnue{plural}"
                f" dont {self.required_columns}/{n_required} obligatoires",
                "identifiants uniques" if self.ids_unique else "pas d'identifiants uniques",
                f"{self.rows:,}".replace(",", "\u00a0") + f" ligne{'s' * (self.rows > 1)}",
            ]
            if not self.visible:
                parts.append("masquée")
        return f"« {self.name} » ({', '.join(parts)})"


@dataclass(frozen=True)
class SheetChoice:
    """The sheet read, how it was chosen, and every sheet's score (workbook order)."""

    sheet: str | None
    by_user: bool  # named by the user or the profile (else chosen as the best match)
    scores: tuple[SheetScore, ...]
    n_required: int

    @property
    def others(self) -> tuple[str, ...]:
        """The sheets not read, in workbook order."""
        return tuple(s.name for s in self.scores if s.name != self.sheet)

    def message(self, locale: str) -> str:
        """One sentence naming the sheet read, why, and every other sheet with its reasons."""
        chosen = next((s for s in self.scores if s.name == self.sheet), None)
        n = self.n_required
        others = "; ".join(s.reason(locale, n) for s in self.scores if s is not chosen)
        read = chosen.reason(locale, self.n_required) if chosen else f"« {self.sheet} »"
        if locale == "en":
            why = "as asked" if self.by_user else "the one most like a claims table"
            return f"Sheet read: {read}, {why}. Other sheets, not read: {others}."
        why = "comme demandé" if self.by_user else "la plus proche d'un tableau de réclamations"
        return f"Feuille lue : {read}, {why}. Autres feuilles, non lues : {others}."


def score_sheet(
    name: str,
    rows: Sequence[Sequence[object]],
    schema: SchemaConfig | None,
    lookup: dict[str, str],
    *,
    position: int,
    visible: bool,
    search_rows: int,
) -> SheetScore:
    """Score one sheet's cells (from A1) for the profile."""
    header = find_header_row(list(rows), lookup, search_rows)
    if header < 0:
        return SheetScore(name, position, visible, 0, 0, False, 0)
    keys = [lookup.get(normalize_text(t)) if (t := cell_to_text(v)) else None for v in rows[header]]
    known = {k for k in keys if k is not None}
    required = {c.key for c in schema.columns if c.required} if schema is not None else set()
    body = rows[header + 1 :]
    n_rows = sum(1 for row in body if any(cell_to_text(v) for v in row))
    id_col = schema.by_role("id") if schema is not None else None
    ids_unique = False
    if id_col is not None and id_col.key in keys:
        pos = keys.index(id_col.key)
        ids = [t for row in body if pos < len(row) and (t := cell_to_text(row[pos]))]
        ids_unique = bool(ids) and len(set(ids)) == len(ids)
    return SheetScore(
        name, position, visible, len(known), len(known & required), ids_unique, n_rows
    )


def best_sheet(scores: Sequence[SheetScore]) -> SheetScore | None:
    """The sheet most like a claims table (None when there is no sheet)."""
    return max(scores, key=lambda s: s.rank, default=None)
