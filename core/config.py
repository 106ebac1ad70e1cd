"""Configuration: YAML (``yaml.safe_load``) -> frozen dataclasses with range checks.

``load_config()`` reads ``config/default.yaml`` and, when a profile is named, merges
``config/profiles/<profile>.yaml`` over it (mappings merged key by key, lists and scalars
replaced). Any unknown key or bad value raises :class:`ConfigError` naming the key, e.g.
``schema.columns[3].type: 'numbr' is not one of ...``.

Paths are resolved against the project root. Two environment variables override them, so
tests and containers can point elsewhere: ``WORKBENCH_DATA_DIR`` (data folder, and the
database inside it) and ``WORKBENCH_MODELS_DIR``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.drift import DriftConfig
from core.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"

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
LOCALES = ("fr", "en")


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


@dataclass(frozen=True)
class LimitsConfig:
    max_file_mb: float = 50
    max_rows: int = 200_000
    max_uncompressed_mb: float = 400
    max_compression_ratio: float = 100
    amount_max: float = 5_000_000
    header_search_rows: int = 20

    def __post_init__(self) -> None:
        for name in ("max_file_mb", "max_rows", "max_uncompressed_mb", "amount_max"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.max_compression_ratio < 1:
            raise ValueError("max_compression_ratio must be >= 1")
        if not 1 <= self.header_search_rows <= 1000:
            raise ValueError("header_search_rows must be between 1 and 1000")


@dataclass(frozen=True)
class CostConfig:
    """Costs in DH (see DESIGN.md, cost model)."""

    currency: str = "DH"
    audit_cost: float = 150.0
    wrongful_validation_factor: float = 1.0
    wrongful_validation_fixed: float = 0.0
    wrongful_rejection_fixed: float = 500.0
    wrongful_rejection_factor: float = 0.0
    auditor_error_rate: float = 0.0
    fallback_amount: float = 2000.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "currency" and value < 0:
                raise ValueError(f"{f.name} must be >= 0 (got {value})")
        if not 0 <= self.auditor_error_rate < 0.5:
            raise ValueError("auditor_error_rate must be in [0, 0.5)")


@dataclass(frozen=True)
class ThresholdsConfig:
    low: float = 0.15
    high: float = 0.85

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.high <= 1.0:
            raise ValueError(f"need 0 <= low <= high <= 1 (got low={self.low}, high={self.high})")


@dataclass(frozen=True)
class MaxAutoValidationsRule:
    enabled: bool = True
    per_client_per_year: int = 1

    def __post_init__(self) -> None:
        if self.per_client_per_year < 0:
            raise ValueError("per_client_per_year must be >= 0")


@dataclass(frozen=True)
class AmountAbovePnbRule:
    enabled: bool = True


@dataclass(frozen=True)
class RulesConfig:
    max_auto_validations: MaxAutoValidationsRule = field(default_factory=MaxAutoValidationsRule)
    amount_above_pnb: AmountAbovePnbRule = field(default_factory=AmountAbovePnbRule)


@dataclass(frozen=True)
class PathsConfig:
    data_dir: Path
    demo_dir: Path
    database: Path
    models_dir: Path


@dataclass(frozen=True)
class Config:
    paths: PathsConfig
    schema: SchemaConfig
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    thresholds: ThresholdsConfig = field(default_factory=ThresholdsConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    locale: str = "fr"
    profile: str = "default"
    source_hash: str = ""  # SHA-256 of the merged YAML, recorded with models

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"locale {self.locale!r} is not one of {', '.join(LOCALES)}")


# --------------------------------------------------------------------------- loading


def available_profiles() -> list[str]:
    """Names accepted by ``load_config(profile=...)``: 'default' plus config/profiles/*.yaml."""
    names = sorted(p.stem for p in (CONFIG_DIR / "profiles").glob("*.yaml"))
    return ["default", *names]


def load_config(profile: str | None = None, *, path: Path | None = None) -> Config:
    """Load the default configuration, with a profile merged over it when named.

    ``profile`` is a name from ``config/profiles/`` or a path to a YAML file.
    """
    base_path = path or CONFIG_DIR / "default.yaml"
    raw = _read_yaml(base_path)
    name = "default"
    if profile and profile != "default":
        prof_path = Path(profile)
        if not prof_path.suffix:
            prof_path = CONFIG_DIR / "profiles" / f"{profile}.yaml"
        if not prof_path.is_file():
            raise ConfigError(
                f"Profile {profile!r} not found ({prof_path}). "
                f"Available: {', '.join(available_profiles())}."
            )
        raw = _merge(raw, _read_yaml(prof_path))
        name = prof_path.stem
    raw["profile"] = name
    return config_from_dict(raw, root=PROJECT_ROOT)


def config_from_dict(raw: dict[str, Any], *, root: Path = PROJECT_ROOT) -> Config:
    """Build a Config from a plain mapping (as parsed from YAML); errors name the key."""
    raw = dict(raw)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    paths = raw.pop("paths", None) or {}
    raw["paths"] = _resolve_paths(paths, root)
    raw["source_hash"] = digest
    return _build(Config, raw, "")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise ConfigError(f"Cannot read configuration file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Configuration file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"Configuration file {path} must hold a mapping at the top level")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_paths(paths: dict[str, Any], root: Path) -> dict[str, Any]:
    if not isinstance(paths, dict):
        raise ConfigError("paths: must be a mapping")
    allowed = {f.name for f in dataclasses.fields(PathsConfig)}
    unknown = set(paths) - allowed
    if unknown:
        raise ConfigError(f"paths.{sorted(unknown)[0]}: unknown key (allowed: {sorted(allowed)})")
    defaults = {
        "data_dir": "data",
        "demo_dir": "data/demo",
        "database": "data/workbench.duckdb",
        "models_dir": "models",
    }
    out = {k: Path(str(paths.get(k, v))) for k, v in defaults.items()}
    out = {k: (v if v.is_absolute() else root / v) for k, v in out.items()}
    env_data = os.environ.get("WORKBENCH_DATA_DIR")
    if env_data:
        data_dir = Path(env_data).resolve()
        out["data_dir"] = data_dir
        out["demo_dir"] = data_dir / "demo"
        out["database"] = data_dir / "workbench.duckdb"
    env_models = os.environ.get("WORKBENCH_MODELS_DIR")
    if env_models:
        out["models_dir"] = Path(env_models).resolve()
    return out


def _build(cls: type, raw: Any, where: str) -> Any:
    """Recursively build dataclass ``cls`` from ``raw``, naming the key on any error."""
    if dataclasses.is_dataclass(raw):
        return raw
    if not isinstance(raw, dict):
        raise ConfigError(f"{where or 'configuration'}: expected a mapping, got {raw!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in raw if k not in fields]
    if unknown:
        raise ConfigError(
            f"{_join(where, unknown[0])}: unknown key (allowed: {', '.join(sorted(fields))})"
        )
    kwargs = {}
    for name, value in raw.items():
        kwargs[name] = _coerce(hints[name], value, _join(where, name))
    try:
        return cls(**kwargs)
    except TypeError as exc:
        missing = [n for n, f in fields.items() if _is_required(f) and n not in raw]
        key = _join(where, missing[0]) if missing else where
        raise ConfigError(f"{key}: missing required key") from exc
    except ValueError as exc:
        raise ConfigError(f"{where or 'configuration'}: {exc}") from exc


def _is_required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _coerce(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, where)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if origin is tuple:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item = args[0]
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        if hint is int and not float(value).is_integer():
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return hint(value)
    if hint is str:
        if isinstance(value, bool) or value is None:
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return str(value)
    if hint is Path:
        return Path(value)
    return value


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)
