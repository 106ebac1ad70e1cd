"""A claim as the API receives it: a Pydantic model generated from the active profile, then
the batch validation of :mod:`core.ingest.validate` on the claims of the request.

:func:`claim_model` builds the model from the profile's columns: one field per column, named
as the profile names it (« Montant demandé ») and accepted under any of its aliases (French
or English: « montant », « amount », « requested amount »...), matched as headers are in a
file — case, accents, spaces, ``_`` and ``-`` ignored. Required columns are required fields.
The model checks the shape (an object of numbers and texts); the values themselves are then
checked by the very validation a batch file goes through (:func:`check_claims`), so a bad
amount gets the same reason in the API as in the batch report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.api.texts import both, text
from core.api.typing_fast import clean_frame
from core.config.schema import ColumnSpec, SchemaConfig
from core.config.settings import Config
from core.ingest.normalize import header_lookup, normalize_text
from core.ingest.reader import RawTable
from core.ingest.report import Issue
from core.ingest.texts import _missing_column_text
from core.ingest.validate import validate

# The batch report's reason names the file's header row; a request has none.
_HEADER_ROW = re.compile(r" \((?:en-tête lu ligne|header read on row) \d+\)")

Number = StrictFloat | StrictInt | StrictStr | None
Text = StrictStr | StrictInt | None
_DESCRIPTION = {
    "amount": "Montant (nombre, ou texte « 1 234,56 ») / amount (number, or text)",
    "number": "Nombre (ou texte « 12,5 ») / number (or text)",
    "date": "Date « {fmt} » ou ISO 8601 « 2025-03-14 » / date",
    "id": "Identifiant (texte ; les zéros en tête sont gardés) / identifier (text)",
    "category": "Catégorie (texte) / category (text)",
    "text": "Texte / text",
}


@dataclass(frozen=True)
class FieldProblem:
    """One reason a claim is refused (or, as a warning, one thing ignored)."""

    field: str  # the profile's name of the field ("body" for the request as a whole)
    reason: str  # in the request's language
    claim: int | None = None  # 0-based place of the claim in the request (None: whole request)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "reason": self.reason}
        if self.claim is not None:
            out["claim"] = self.claim
        return out


class ClaimsRefusedError(Exception):
    """The request's claims do not pass validation: every problem, for a 422."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class CheckedClaims:
    """The validated claims (columns by key, ``row_number`` 1..n) and what was ignored."""

    frame: pd.DataFrame
    warnings: tuple[FieldProblem, ...]


def _missing_text(col: ColumnSpec, locale: str) -> str:
    """The batch report's reason for a missing required column, without its header row."""
    fr, en = _missing_column_text(col, 0)
    message = _HEADER_ROW.sub("", en if locale == "en" else fr)
    return message[:1].upper() + message[1:]


def _absent(claims: Sequence[BaseModel], issue: Issue) -> bool:
    """True when an empty required cell is a field the claim did not send at all (reported
    once, as missing)."""
    if issue.row is None or not 0 <= issue.row < len(claims):
        return False
    claim = claims[issue.row]
    return not any(
        f.alias == issue.column and key in claim.model_fields_set
        for key, f in type(claim).model_fields.items()
    )


def _scored_columns(schema: SchemaConfig) -> tuple[ColumnSpec, ...]:
    """The columns a claim may carry: every column but the label."""
    return tuple(c for c in schema.columns if c.role != "label")


def claim_model(schema: SchemaConfig) -> type[BaseModel]:
    """The Pydantic model of one claim for this profile (see the module docstring)."""
    columns = _scored_columns(schema)
    lookup = header_lookup(schema)
    names = {c.key: c.name for c in schema.columns}
    label = schema.by_role("label")
    fields: dict[str, Any] = {}
    for col in columns:
        if any(f[1].alias == col.name for f in _field_infos(fields)):
            continue  # a header read for several roles (shared): one field, as in a file
        kind = Number if col.type in ("amount", "number") else Text
        if col.type == "date":
            kind = StrictStr | None
        aliases = ", ".join(dict.fromkeys(a for a in (col.key, *col.aliases)))
        described = _DESCRIPTION.get(col.type, "").format(fmt=col.date_format)
        # Every field is optional for Pydantic: a missing required one is reported with the
        # others by check_claims (every problem at once); the schema still says required.
        fields[col.key] = (
            Annotated[kind, Field(alias=col.name, description=f"{described}. Alias : {aliases}")],
            None,
        )
    required = list(dict.fromkeys(c.name for c in columns if c.required))

    def canonical(cls: type, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise PydanticCustomError(
                "claim_object", "{fr}", dict(zip(("fr", "en"), both("not_object"), strict=True))
            )
        out: dict[str, Any] = {}
        seen: dict[str, list[str]] = {}
        for raw_key, value in data.items():
            key = lookup.get(normalize_text(str(raw_key)))
            if label is not None and key == label.key:
                out[f"\0label:{raw_key}"] = value  # reported as ignored, never read
                continue
            if key is None:
                out[str(raw_key)] = value
                continue
            seen.setdefault(key, []).append(str(raw_key))
            out[names[key]] = value
        for key, spelt in seen.items():
            if len(spelt) > 1:
                listed = ", ".join(f"« {s} »" for s in spelt)
                fr, en = both("duplicate_field", fields=listed)
                raise PydanticCustomError(
                    "duplicate_field", "{fr}", {"fr": fr, "en": en, "field": names[key]}
                )
        return out

    return create_model(  # type: ignore[call-overload]
        "Claim",
        __config__=ConfigDict(
            extra="allow",
            title="Claim / Réclamation",
            json_schema_extra={"required": required},
        ),
        __validators__={"canonical": model_validator(mode="before")(classmethod(canonical))},
        **fields,
    )


def _field_infos(fields: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key, FieldInfo) of the fields declared so far."""
    return [(key, spec[0].__metadata__[0]) for key, spec in fields.items()]


def batch_model(claim: type[BaseModel], max_batch: int) -> type[BaseModel]:
    """``{"claims": [claim, ...]}`` with at most ``max_batch`` claims."""
    return create_model(
        "ClaimBatch",
        claims=(list[claim], Field(min_length=1, max_length=max_batch)),  # type: ignore[valid-type]
    )


def check_claims(claims: Sequence[BaseModel], cfg: Config, locale: str) -> CheckedClaims:
    """Validate the request's claims as one batch file; raise :class:`ClaimsRefusedError` with
    every error (the batch report's reasons), else return the typed frame and warnings."""
    columns = _scored_columns(cfg.schema)
    names = list(dict.fromkeys(c.name for c in columns))  # a shared header once, as in a file
    warnings: list[FieldProblem] = []
    rows: list[list[Any]] = []
    for i, claim in enumerate(claims):
        values = claim.model_dump(by_alias=True)
        rows.append([values.get(name) for name in names])
        for extra in claim.model_extra or {}:
            if extra.startswith("\0label:"):
                field = extra.removeprefix("\0label:")
                warnings.append(FieldProblem(field, text("label_ignored", locale, field=field), i))
            else:
                warnings.append(FieldProblem(extra, text("unknown_field", locale, field=extra), i))
    if len(rows) == 1 and not cfg.schema.shared_headers():
        values = dict(zip(names, rows[0], strict=True))
        frame = clean_frame(values, columns, cfg.limits)
        if frame is not None:  # a clean claim: typed as the validation would type it
            return CheckedClaims(frame.assign(row_number=frame["row_number"] + 1), tuple(warnings))
    raw = RawTable(
        file_name="api",
        file_format="json",
        sha256="",
        size_bytes=0,
        sheet=None,
        sheets=(),
        header_row=0,
        headers=tuple(names),
        frame=pd.DataFrame(rows, columns=range(len(names)), dtype=object),
        row_numbers=np.arange(len(rows), dtype=np.int64),
    )
    checked = validate(raw, cfg.schema, cfg.limits)
    errors = [
        FieldProblem(col.name, _missing_text(col, locale), i)
        for i, claim in enumerate(claims)
        for col in columns
        if col.required and col.key not in claim.model_fields_set
    ]
    errors += [
        FieldProblem(i.column or "body", i.message(locale), i.row)
        for i in checked.report.issues
        if i.severity == "error" and (i.code != "missing_value" or not _absent(claims, i))
    ]
    kept = set(checked.frame["row_number"].tolist())
    errors += [
        FieldProblem("body", text("blank_claim", locale), i)
        for i in range(len(rows))
        if i not in kept
    ]
    if errors:
        raise ClaimsRefusedError(errors)
    warnings += [
        FieldProblem(i.column or "body", i.message(locale), i.row)
        for i in checked.report.issues
        if i.severity == "warning" and i.code not in ("missing_expected_column", "blank_rows")
    ]
    frame = checked.frame.assign(row_number=checked.frame["row_number"] + 1)
    return CheckedClaims(frame, tuple(warnings))
