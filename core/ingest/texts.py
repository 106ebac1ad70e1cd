"""French and English texts of the validation report (see :mod:`core.ingest.validate`).

Message templates by issue code (cell, column and file problems), the few messages built
from several parts (missing column, "… and N more rows" line, report summary), the localised
column names and severities of the report table, and the French/English count formatting.
Pure text: nothing here looks at data.
"""

from __future__ import annotations

from core.config.schema import ColumnSpec

_FRAME_COLUMNS = {
    "fr": ("Fichier", "Feuille", "Gravité", "Ligne", "Colonne", "Valeur", "Motif"),
    "en": ("File", "Sheet", "Severity", "Row", "Column", "Value", "Reason"),
}
_SEVERITY = {"fr": {"error": "erreur", "warning": "avertissement", "info": "information"}, "en": {}}
_FIX_FR = "Corrigez la cellule puis déposez le fichier à nouveau."
_FIX_EN = "Fix the cell and upload the file again."


def _count(n: int, word: str, locale: str = "fr") -> str:
    """ "1 234 erreurs", "0 erreur" (French singular up to 1), "1,234 errors", "1 error"."""
    if locale == "en":
        return f"{n:,} {word}{'' if n == 1 else 's'}"
    return f"{n:,}".replace(",", "\u00a0") + f" {word}{'s' if n > 1 else ''}"


# code -> (French, English) message templates; {value} is the offending cell.
_TEXTS = {
    "invalid_number": (
        f"« {{value}} » n'est pas un nombre lisible (ex. attendu : 1 234,56). {_FIX_FR}",
        f"« {{value}} » is not a readable number (e.g. 1 234,56 or 1234.56). {_FIX_EN}",
    ),
    "not_finite": (
        f"valeur non numérique « {{value}} » (NaN ou infini). {_FIX_FR}",
        f"non-numeric value « {{value}} » (NaN or infinity). {_FIX_EN}",
    ),
    "excel_error": (
        "la cellule contient l'erreur Excel {value} (formule en échec). Corrigez la formule "
        "ou saisissez la valeur, puis déposez le fichier à nouveau.",
        "the cell holds the Excel error {value} (a failing formula). Fix the formula or type "
        "the value, then upload the file again.",
    ),
    "invalid_date": (
        f"« {{value}} » n'est pas une date lisible (format attendu : {{fmt}}). {_FIX_FR}",
        f"« {{value}} » is not a readable date (expected format: {{fmt}}). {_FIX_EN}",
    ),
    "date_out_of_range": (
        f"date invraisemblable « {{value}} » (avant 1950 ou après 2100). {_FIX_FR}",
        f"implausible date « {{value}} » (before 1950 or after 2100). {_FIX_EN}",
    ),
    "missing_value": (
        f"cellule vide dans une colonne obligatoire. {_FIX_FR}",
        f"empty cell in a required column. {_FIX_EN}",
    ),
    "negative_amount": (
        f"montant négatif ({{value}}) : un montant demandé est positif. {_FIX_FR}",
        f"negative amount ({{value}}): a requested amount is positive. {_FIX_EN}",
    ),
    "zero_amount": (
        "montant nul : vérifiez que le montant demandé a bien été saisi.",
        "zero amount: check that the requested amount was filled in.",
    ),
    "absurd_amount": (
        f"montant {{value}} supérieur au plafond de {{limit}} (erreur de saisie ?). {_FIX_FR}",
        f"amount {{value}} above the ceiling of {{limit}} (typing error?). {_FIX_EN}",
    ),
    "out_of_range": (
        f"valeur {{value}} hors de l'intervalle attendu [{{lo}} ; {{hi}}]. {_FIX_FR}",
        f"value {{value}} outside the expected range [{{lo}}; {{hi}}]. {_FIX_EN}",
    ),
    "duplicate_id": (
        "identifiant « {value} » en double (aussi ligne {others}) : chaque réclamation doit "
        "avoir un identifiant unique. Supprimez le doublon ou corrigez l'identifiant.",
        "duplicate ID « {value} » (also row {others}): each claim needs a unique ID. Remove "
        "the duplicate or fix the ID.",
    ),
    "undeclared_label": (
        "le profil ne liste aucune valeur pour sa colonne libellé « {header} » (valeurs lues : "
        "{values}) : aucune n'est interprétée. Ajoutez au profil schema.label.positive (les "
        "valeurs « fondée ») et schema.label.negative (les « non fondée ») avant d'entraîner.",
        "the profile lists no values for its label column « {header} » (values read: {values}): "
        "none is interpreted. Add schema.label.positive (the justified values) and "
        "schema.label.negative (the not-justified ones) to the profile before training.",
    ),
    "unknown_label": (
        "valeur « {value} » non reconnue pour le libellé (valeurs admises : {expected}). "
        "Corrigez la cellule ou ajoutez la valeur à schema.label dans la configuration.",
        "label value « {value} » not recognised (accepted: {expected}). Fix the cell or add "
        "the value to schema.label in the configuration.",
    ),
    "unknown_category": (
        "valeur « {value} » absente de la liste connue ({n} ligne(s), première ici). Vérifiez "
        "l'orthographe ; si la valeur est nouvelle, ajoutez-la à la configuration.",
        "value « {value} » is not in the known list ({n} row(s), first one here). Check the "
        "spelling; if the value is new, add it to the configuration.",
    ),
    "unseen_category": (
        "valeur « {value} » jamais vue par le modèle à l'entraînement ({n} ligne(s), première "
        "ici) : elle sera traitée comme une valeur inconnue.",
        "value « {value} » never seen by the model in training ({n} row(s), first one here): "
        "it will be treated as an unknown value.",
    ),
    "formula_not_calculated": (
        "formule jamais calculée (fichier produit par un programme) : la cellule est lue vide. "
        "Ouvrez le fichier dans Excel, enregistrez-le puis déposez-le à nouveau.",
        "formula never calculated (file written by a program): the cell reads as empty. Open "
        "the file in Excel, save it and upload it again.",
    ),
    # File- and column-level problems (no {value}: the whole file or the header line).
    "empty_file": (
        "{where} ne contient aucune donnée. Vérifiez que vous avez déposé le bon fichier "
        "(ou choisissez la bonne feuille).",
        "{where} holds no data. Check that you uploaded the right file (or choose the "
        "right sheet).",
    ),
    "no_data_rows": (
        "{where} : la ligne d'en-tête n'est suivie d'aucune ligne de données. "
        "Déposez le fichier complet.",
        "{where}: the header line is followed by no data rows. Upload the full file.",
    ),
    "extra_column": (
        "colonne « {header} » (colonne {letter}) non reconnue : elle est "
        "ignorée. Si elle doit être lue, renommez-la ou ajoutez un alias au profil.",
        "column « {header} » (column {letter}) not recognised: it is ignored. "
        "If it should be read, rename it or add an alias to the profile.",
    ),
    "unnamed_column": (
        "la colonne {letter} contient des données mais pas d'en-tête : elle "
        "est ignorée. Donnez-lui un en-tête si elle doit être lue.",
        "column {letter} holds data but no header: it is ignored. Give it a "
        "header if it should be read.",
    ),
    "no_known_column": (
        "aucune colonne reconnue dans l'en-tête lu ligne {row} ({read}…). Le "
        "fichier doit au moins contenir {expected} ; vérifiez qu'il s'agit bien d'un export "
        "de réclamations et que l'en-tête figure dans ses premières lignes.",
        "no known column in the header read on row {row} ({read}…). The file "
        "must hold at least {expected}; check that it is a claims export and that the header "
        "is within its first rows.",
    ),
    "duplicate_column": (
        "plusieurs colonnes désignent la même donnée : {listed}. Supprimez ou renommez "
        "les colonnes en trop.",
        "several columns hold the same field: {listed}. Delete or rename the extra ones.",
    ),
    "total_rows": (
        "{n} ligne(s) de total ou de sous-total exclue(s) des réclamations (ligne {shown}) : "
        "libellé de total et pas d'identifiant de réclamation. Si l'une est une vraie "
        "réclamation, donnez-lui un identifiant puis déposez le fichier à nouveau.",
        "{n} total or subtotal row(s) excluded from the claims (row {shown}): a total label "
        "and no claim ID. If one of them is a real claim, give it an ID and upload the file "
        "again.",
    ),
    "merged_cells": (
        "cellules fusionnées {ref} (feuille « {sheet} ») : la valeur « {value} » de la "
        "première cellule est reprise sur les {n} ligne(s) de la plage. Vérifiez que c'est "
        "la valeur de chaque ligne ; sinon défusionnez les cellules et saisissez chaque valeur.",
        "merged cells {ref} (sheet « {sheet} »): the first cell's value « {value} » is used on "
        "the range's {n} row(s). Check that it is each row's value; if not, unmerge the cells "
        "and type each value.",
    ),
    "merged_header_cells": (
        "cellules fusionnées avec l'en-tête jusqu'à la ligne de données {ref} (feuille "
        "« {sheet} ») : ces {n} cellule(s) de données sont lues vides. Défusionnez-les et "
        "saisissez la valeur de chaque ligne, puis déposez le fichier à nouveau.",
        "cells merged with the header down to the data range {ref} (sheet « {sheet} »): these "
        "{n} data cell(s) read as empty. Unmerge them and type each row's value, then upload "
        "the file again.",
    ),
    "invisible_characters": (
        "{n} cellule(s) contenaient des caractères invisibles (largeur nulle, espace "
        "insécable) : ils ont été retirés (ligne {shown}).",
        "{n} cell(s) held invisible characters (zero-width, non-breaking space): they were "
        "removed (row {shown}).",
    ),
    "blank_rows": (
        "{n} ligne(s) vide(s) ignorée(s) (ligne {shown}).",
        "{n} blank row(s) skipped (row {shown}).",
    ),
}


def _text(code: str, **values: object) -> tuple[str, str]:
    fr, en = _TEXTS[code]
    return fr.format(**values), en.format(**values)


def _where_text(code: str, file_name: str, sheet: str | None) -> tuple[str, str]:
    """A file-level message of :data:`_TEXTS` whose ``{where}`` names the sheet and file."""
    if sheet is None:
        fr_where, en_where = f"Le fichier « {file_name} »", f"The file « {file_name} »"
    else:
        fr_where = f"La feuille « {sheet} » du fichier « {file_name} »"
        en_where = f"Sheet « {sheet} » of file « {file_name} »"
    fr, en = _TEXTS[code]
    return fr.format(where=fr_where), en.format(where=en_where)


def _missing_column_text(col: ColumnSpec, header_row: int) -> tuple[str, str]:
    """Required column missing (an error), or expected one missing (what it disables)."""
    names = ", ".join(f"« {a} »" for a in col.aliases[:6])
    also_fr = f" (ni aucun de ses autres noms : {names})" if names else ""
    also_en = f" (nor any of its other names: {names})" if names else ""
    if col.required:
        return (
            f"colonne obligatoire « {col.name} » absente{also_fr}. Ajoutez-la ou renommez "
            f"l'en-tête (en-tête lu ligne {header_row}).",
            f"required column « {col.name} » is missing{also_en}. Add it or rename the header "
            f"(header read on row {header_row}).",
        )
    if col.role == "label":
        fr = "pas de libellé : le lot sera noté mais ne servira pas à l'entraînement."
        en = "no label: the batch will be scored but not used for training."
    else:
        fr = "les contrôles et variables qui l'utilisent seront inactifs."
        en = "the checks and features that use it will be inactive."
    return (
        f"colonne attendue « {col.name} » absente{also_fr} : {fr}",
        f"expected column « {col.name} » is missing{also_en}: {en}",
    )


def _more_text(rest: int, unit: tuple[str, str]) -> tuple[str, str]:
    """The summary line standing for ``rest`` more cells with the same problem."""
    fr_unit, en_unit = (u if rest > 1 else u[:-1] for u in unit)
    return (
        f"… et {_count(rest, 'autre')} {fr_unit} avec le même problème dans cette "
        "colonne : corrigez-les de la même façon.",
        f"… and {rest:,} more {en_unit} with the same problem in this column: fix them "
        "the same way.",
    )


def _summary(n_err: int, n_warn: int, ok: bool, locale: str) -> str:
    """ "3 erreurs, 2 avertissements — lot refusé" (see ValidationReport.summary)."""
    if locale == "en":
        verdict = "batch accepted" if ok else "batch refused"
        return f"{_count(n_err, 'error', 'en')}, {_count(n_warn, 'warning', 'en')} — {verdict}"
    verdict = "lot accepté" if ok else "lot refusé"
    return f"{_count(n_err, 'erreur')}, {_count(n_warn, 'avertissement')} — {verdict}"
