"""Pydantic's errors on a request body, as the API's field problems (fr / en).

A required field that is missing gets the batch report's reason for a missing required
column; a value of the wrong kind, a body that is not a JSON object or list, a duplicate
field, a batch too large, each its own sentence of :mod:`core.api.texts`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from core.api.claims import FieldProblem, _missing_text
from core.api.texts import text
from core.config.settings import Config


def problems_of(
    errors: Sequence[Any], cfg: Config, names: Collection[str], locale: str
) -> list[FieldProblem]:
    """One problem per (claim, field) in the order Pydantic found them."""
    out: dict[tuple[int | None, str], FieldProblem] = {}
    by_name = {c.name: c for c in cfg.schema.columns}
    for error in errors:
        loc = [p for p in error.get("loc", ()) if p not in ("body", "claims")]
        kind = error.get("type", "")
        claim = next((p for p in loc if isinstance(p, int)), None)
        if kind == "json_invalid":
            claim = None  # its position is a character of the body, not a claim
        field = next((p for p in loc if isinstance(p, str)), None)
        ctx = error.get("ctx") or {}
        if "field" in ctx:
            field = str(ctx["field"])
        if field is not None and field not in names and kind != "missing":
            field = None if kind in ("model_attributes_type", "dict_type") else field
        key = (claim, field or "body")
        if key in out:
            continue
        reason = _reason(kind, error, ctx, by_name.get(field or ""), locale)
        out[key] = FieldProblem(field or "body", reason, claim)
    return list(out.values())


def _reason(kind: str, error: dict[str, Any], ctx: dict[str, Any], column: Any, locale: str) -> str:
    if "fr" in ctx and "en" in ctx:  # our own errors carry both languages
        return str(ctx["en"] if locale == "en" else ctx["fr"])
    if kind == "missing":
        if column is None:
            return text("missing_field", locale)
        return _missing_text(column, locale)
    if kind == "json_invalid":
        return text("not_json", locale, detail=ctx.get("error", ""))
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return text("not_object", locale)
    if kind == "list_type":
        return text("not_list", locale)
    if kind == "too_long":
        n = ctx.get("actual_length", "?")
        return text("too_many", locale, n=n, limit=ctx.get("max_length", "?"))
    if kind == "too_short":
        return text("no_claims", locale)
    value = _shown(error.get("input"))
    if column is not None and column.type == "date":
        return text(
            "not_text",
            locale,
            value=value,
            example=column.date_format.replace("%d", "14")
            .replace("%m", "03")
            .replace("%Y", "2025"),
        )
    return text("not_scalar", locale, value=value)


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:79] + "…"
