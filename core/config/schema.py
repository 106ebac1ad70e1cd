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

    def __post_init__(self) -> None:
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


@dataclass(frozen=True)
class LabelSpec:
    """How raw label values map to 1 / 0 / unlabelled / excluded (compared normalised)."""

    positive: tuple[str, ...] = ("1",)
    negative: tuple[str, ...] = ("0",)
    unlabelled: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    other_is_negative: bool = False  # any value not listed counts as 0

    def __post_init__(self) -> None:
        if not self.positive:
            raise ValueError("positive must list at least one value")


@dataclass(frozen=True)
class SchemaConfig:
    columns: tuple[ColumnSpec, ...]
    label: LabelSpec = field(default_factory=LabelSpec)
    sheet: str | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
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
