"""Plain-language texts of an explanation: column labels, claim values and reasons (fr / en).

A *column* here is what the auditor knows: a schema role's frame key (``amount``,
``subcategory``, ...), an extra column's key, or the pseudo-column :data:`HISTORY` (the
client's earlier claims, derived from the client ID and the date). Texts are built from
``facts``: the claim's raw values by column and its feature values by feature name.

A reason reads ``<description> : <signed contribution>`` in French and
``<description>: <signed contribution>`` in English, the contribution being on the
probability scale, formatted by :func:`core.formatting.fmt_signed` (``+0,21`` / ``-0.08``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.config.schema import ROLES, SchemaConfig
from core.formatting import fmt_date, fmt_money, fmt_number, fmt_pct, fmt_signed

__all__ = [
    "HISTORY",
    "Facts",
    "claim_values",
    "column_label",
    "describe",
    "sentence",
    "value_text",
]

HISTORY = "history"
ROLE_ORDER = tuple(r for r in ROLES if not r.startswith("extra_"))  # the schema's order
HIERARCHY_ROLES = ("family", "category", "subcategory")
CODED_ROLES = ("segment", "market")

_LABELS: dict[str, tuple[str, str]] = {
    "id": ("ID Réclamation", "Claim ID"),
    "client_id": ("ID Client", "Client ID"),
    "date": ("Date Réclamation", "Claim date"),
    "amount": ("Montant demandé", "Requested amount"),
    "family": ("Famille produit", "Product family"),
    "category": ("Catégorie", "Category"),
    "subcategory": ("Sous-catégorie", "Sub-category"),
    "delay": ("Délai estimé", "Estimated delay"),
    "segment": ("Segment", "Segment"),
    "market": ("Marché", "Market"),
    "tenure": ("Ancienneté", "Tenure"),
    "pnb": ("PNB", "PNB"),
    HISTORY: ("Historique du client", "Client history"),
}
_LEVEL_OF: dict[str, tuple[str, str]] = {  # whose median an amount deviation compares to
    "subcategory": ("de la sous-catégorie", "sub-category"),
    "category": ("de la catégorie", "category"),
    "family": ("de la famille", "family"),
}


@dataclass(frozen=True)
class Facts:
    """What the texts may quote: raw values by column key, features by name, key -> role."""

    raw: Mapping[str, Any]
    features: Mapping[str, float]
    roles: Mapping[str, str]  # frame key -> role ("extra" for profile extras)
    currency: str  # the profile's (costs.currency), for amounts and PNB

    def role(self, column: str) -> str:
        return HISTORY if column == HISTORY else self.roles.get(column, "extra")

    def number(self, column: str) -> float | None:
        value = self.raw.get(column)
        try:
            out = float(value)
        except (TypeError, ValueError):
            return None
        return out if math.isfinite(out) else None

    def text(self, column: str) -> str | None:
        value = self.raw.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        text = str(value).strip()
        return text or None

    def feature(self, name: str) -> float | None:
        value = self.features.get(name)
        return None if value is None or not math.isfinite(value) else float(value)


def _en(locale: str) -> bool:
    return locale == "en"


def column_label(column: str, roles: Mapping[str, str], locale: str = "fr") -> str:
    """'Montant demandé' / 'Requested amount'; an extra column keeps its key."""
    role = HISTORY if column == HISTORY else roles.get(column)
    if role in _LABELS:
        return _LABELS[role][1 if _en(locale) else 0]
    return column


def group_label(columns: Sequence[str], roles: Mapping[str, str], locale: str = "fr") -> str:
    """'Montant demandé × PNB' for a group of several columns."""
    return " × ".join(column_label(c, roles, locale) for c in columns)


def value_text(column: str, facts: Facts, locale: str = "fr") -> str:
    """The claim's value of one column as shown next to its bar ('12 500 DH', 'Premium')."""
    role = facts.role(column)
    if role == HISTORY:
        year = facts.feature("prior_claims_year")
        total = facts.feature("prior_claims_total")
        if year is None:
            return "—"
        parts = [fmt_number(year, locale) + (" this year" if _en(locale) else " cette année")]
        if total is not None:
            parts.append(fmt_number(total, locale) + (" in total" if _en(locale) else " au total"))
        return ", ".join(parts)
    if role in ("amount", "pnb"):
        return fmt_money(facts.number(column), locale, facts.currency)
    if role == "delay":
        return _unit(facts.number(column), 0, ("jours", "days"), locale)
    if role == "tenure":
        return _unit(facts.number(column), 1, ("ans", "years"), locale)
    if role in HIERARCHY_ROLES or role in CODED_ROLES:
        return facts.text(column) or "—"
    number = facts.number(column)
    if number is not None:
        return fmt_number(number, locale, 0 if float(number).is_integer() else 2)
    return facts.text(column) or "—"


def _unit(value: float | None, decimals: int, unit: tuple[str, str], locale: str) -> str:
    if value is None:
        return "—"
    return f"{fmt_number(value, locale, decimals)} {unit[1 if _en(locale) else 0]}"


def describe(columns: Sequence[str], facts: Facts, locale: str = "fr") -> str:
    """The reason of a group without its number, e.g. 'Montant demandé 12 500 DH, 3,2 fois
    la médiane de la sous-catégorie'. Hierarchy columns grouped with the amount are told by
    the amount's comparison with their median."""
    with_amount = any(facts.role(c) == "amount" for c in columns)
    levels = [facts.role(c) for c in columns if facts.role(c) in HIERARCHY_ROLES]
    shown = [c for c in columns if not (with_amount and facts.role(c) in HIERARCHY_ROLES)]
    joiner = " and " if _en(locale) else " et "
    level = levels[-1] if with_amount and levels else None
    return joiner.join(_describe_one(c, facts, locale, level) for c in shown or columns)


def _describe_one(column: str, facts: Facts, locale: str, level: str | None = None) -> str:
    role = facts.role(column)
    label = column_label(column, facts.roles, locale)
    if role == HISTORY:
        return _history_text(facts, locale)
    if role == "amount":
        return _amount_text(column, facts, locale, level)
    if role == "pnb":
        return _pnb_text(column, facts, locale)
    if role in HIERARCHY_ROLES or role in CODED_ROLES:
        return _level_text(column, label, role, facts, locale)
    value = value_text(column, facts, locale)
    if value == "—":
        return f"{label} not given" if _en(locale) else f"{label} non renseigné(e)"
    if role == "tenure":
        return f"Client tenure {value}" if _en(locale) else f"Ancienneté du client {value}"
    return f"{label} {value}"


def _history_text(facts: Facts, locale: str) -> str:
    n = facts.feature("prior_claims_year")
    if n is None:
        return "Client history unknown" if _en(locale) else "Historique du client inconnu"
    count = round(n)
    if _en(locale):
        if count == 0:
            return "No earlier claim by the client this year"
        plural = "s" if count > 1 else ""
        return f"{fmt_number(count, locale)} earlier claim{plural} by the client this year"
    if count == 0:
        return "Aucune réclamation antérieure du client cette année"
    plural = "s" if count > 1 else ""
    return (
        f"{fmt_number(count, locale)} réclamation{plural} antérieure{plural} du client cette année"
    )


def _amount_text(column: str, facts: Facts, locale: str, level: str | None = None) -> str:
    """The amount and how it compares with the median of its product level (``level``, or
    the deepest level the model compares it to)."""
    amount = facts.number(column)
    label = column_label(column, facts.roles, locale)
    if amount is None:
        return f"{label} not given" if _en(locale) else f"{label} non renseigné"
    text = f"{label} {fmt_money(amount, locale, facts.currency)}"
    candidates = ("subcategory", "category", "family")
    if level is not None and facts.feature(f"amount_dev_{level}") is not None:
        candidates = (level,)
    for level in candidates:
        deviation = facts.feature(f"amount_dev_{level}")
        if deviation is None:
            continue
        median = (1.0 + max(amount, 0.0)) / math.exp(deviation) - 1.0
        if median <= 0:
            break
        ratio = fmt_number(amount / median, locale, 1)
        fr_level, en_level = _LEVEL_OF[level]
        if _en(locale):
            return f"{text}, {ratio} times the {en_level} median"
        return f"{text}, {ratio} fois la médiane {fr_level}"
    return text


def _pnb_text(column: str, facts: Facts, locale: str) -> str:
    pnb = facts.number(column)
    if pnb is None:
        return "Client PNB not given" if _en(locale) else "PNB du client non renseigné"
    text = ("Client PNB " if _en(locale) else "PNB du client ") + fmt_money(
        pnb, locale, facts.currency
    )
    amount_key = next((k for k, r in facts.roles.items() if r == "amount"), None)
    amount = facts.number(amount_key) if amount_key else None
    if amount is not None and pnb > 0:
        share = fmt_pct(amount / pnb, locale, 0)
        text += f" (amount = {share} of PNB)" if _en(locale) else f" (montant = {share} du PNB)"
    return text


def _level_text(column: str, label: str, role: str, facts: Facts, locale: str) -> str:
    level = facts.text(column)
    rate = facts.feature(f"rate_{role}" if role in HIERARCHY_ROLES else f"rate_{column}")
    if level is None:
        shown = f"{label} not given" if _en(locale) else f"{label} non renseigné(e)"
    else:
        shown = f'{label} "{level}"' if _en(locale) else f"{label} « {level} »"
    if rate is None:
        return shown
    pct = fmt_pct(rate, locale, 0)
    if _en(locale):
        return f"{shown} (historical justified rate {pct})"
    return f"{shown} (taux fondé historique {pct})"


def sentence(description: str, probability: float, locale: str = "fr") -> str:
    """'<description> : +0,21' (fr) / '<description>: +0.21' (en)."""
    number = fmt_signed(probability, "en" if _en(locale) else "fr")
    return f"{description}: {number}" if _en(locale) else f"{description} : {number}"


def claim_values(
    row: Mapping[str, Any], schema: SchemaConfig, locale: str, currency: str
) -> list[tuple]:
    """(header, value) of each schema column of the claim, headers as in the bank's files,
    amounts in the profile's ``currency``."""
    out = []
    for spec in schema.columns:
        if spec.key not in row:
            continue
        value = row[spec.key]
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            text = "—"
        elif spec.type == "date":
            text = fmt_date(pd.Timestamp(value))
        elif spec.type == "amount" or spec.role == "pnb":
            text = fmt_money(float(value), locale, currency)
        elif spec.role == "label":
            text = ("yes" if int(value) == 1 else "no") if _en(locale) else _oui_non(int(value))
        elif spec.type == "number":
            number = float(value)
            text = fmt_number(number, locale, 0 if number.is_integer() else 2)
        else:
            text = str(value)
        out.append((spec.name, text))
    return out


def _oui_non(value: int) -> str:
    return "oui" if value == 1 else "non"
