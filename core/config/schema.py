"""The claims schema: each column's role, header, aliases and type, and the label's values.

A profile maps the columns of one kind of claims file to roles (id, client_id, date, amount,
family, ...); features and rules whose role is absent are simply not built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = (
    "id",
    "client_id",
    "date",
    "amount",
    "family",
    "category",
    "subcategory",
    "delay",
    "segment",
    "market",
    "tenure",
    "pnb",
    "label",
    "extra_category",
    "extra_number",
)
COLUMN_TYPES = ("id", "category", "number", "amount", "date", "label", "text")
# A duration column (tenure) may be given in another unit: converted to years for features.
UNITS_PER_YEAR = {"years": 1.0, "months": 12.0, "weeks": 52.1775, "days": 365.25}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the schema: its role, canonical header, aliases and type."""

    role: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    key: str = ""  # identifier used in frames and the store; defaults to the role
    levels: tuple[str, ...] = ()  # known values of a category (unknown ones warn)
    date_format: str = "%d/%m/%Y"
    min: float | None = None
    max: float | None = None
    unit: str | None = None  # tenure only: years (default) | months | weeks | days

    def __post_init__(self) -> None:
        if self.unit is not None and self.unit not in UNITS_PER_YEAR:
            raise ValueError(f"unit {self.unit!r} is not one of {', '.join(UNITS_PER_YEAR)}")
        if self.unit is not None and self.role != "tenure":
            raise ValueError(f"column {self.name!r}: a unit is only read for the tenure role")
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is not one of {', '.join(ROLES)}")
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"type {self.type!r} is not one of {', '.join(COLUMN_TYPES)}")
        if not self.name.strip():
            raise ValueError("name must not be empty")
        if self.role.startswith("extra_") and not self.key:
            raise ValueError(f"column {self.name!r}: an extra column needs a 'key'")
        if not self.key:
            object.__setattr__(self, "key", self.role)
        if not self.key.isidentifier():
            raise ValueError(f"key {self.key!r} must be a Python identifier")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")

    @property
    def years_per_unit(self) -> float:
        """Factor turning this column's values into years (1 unless a unit is declared)."""
        return 1.0 / UNITS_PER_YEAR[self.unit or "years"]


@dataclass(frozen=True)
class LabelSpec:
    """How raw label values map to 1 / 0 / unlabelled / excluded (compared normalised).

    ``declared`` is False when a profile maps its own label column without listing its own
    values: the default lists (made for the reference « Fondée » column, where "y" means
    justified) are then not inherited, and training refuses until the profile lists them.
    """

    positive: tuple[str, ...] = ("1",)
    negative: tuple[str, ...] = ("0",)
    unlabelled: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    other_is_negative: bool = False  # any value not listed counts as 0
    declared: bool = True

    def __post_init__(self) -> None:
        if self.declared and not self.positive:
            raise ValueError("positive must list at least one value")

    def meaning(self) -> dict[str, str]:
        """Listed value -> "positive" | "negative" | "unlabelled" | "excluded" (first wins)."""
        out: dict[str, str] = {}
        for kind in ("positive", "negative", "unlabelled", "excluded"):
            for value in getattr(self, kind):
                out.setdefault(value, kind)
        return out


@dataclass(frozen=True)
class SchemaConfig:
    columns: tuple[ColumnSpec, ...]
    label: LabelSpec = field(default_factory=LabelSpec)
    sheet: str | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for name, roles in self.shared_headers().items():
            if "label" in roles:
                raise ValueError(
                    f"column {name!r} is mapped to the label and to {', '.join(roles)}: the "
                    "label can never also be a feature"
                )
        for col in self.columns:
            if col.key in seen:
                raise ValueError(f"two columns share the key {col.key!r}")
            seen.add(col.key)
        if not any(c.required for c in self.columns):
            raise ValueError("at least one column must be required")

    def by_role(self, role: str) -> ColumnSpec | None:
        """The column with this role, or None when the profile does not map it."""
        return next((c for c in self.columns if c.role == role), None)

    def has(self, role: str) -> bool:
        return self.by_role(role) is not None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def shared_headers(self) -> dict[str, tuple[str, ...]]:
        """Header name -> the roles of every column that reads it, when more than one does."""
        by_name: dict[str, list[str]] = {}
        for col in self.columns:
            by_name.setdefault(col.name, []).append(col.role)
        return {n: tuple(r) for n, r in by_name.items() if len(r) > 1}
