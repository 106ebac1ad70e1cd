"""The configuration's sections as frozen dataclasses, ranges checked in ``__post_init__``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from core.config.drift import DriftConfig
from core.config.identity import AuthConfig
from core.config.schema import SchemaConfig

LOCALES = ("fr", "en")


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
    # The audit chain's head and the model hashes, kept outside the database file;
    # None: beside the database (``<database stem>.anchor.json``).
    audit_anchor: Path | None = None


@dataclass(frozen=True)
class StoreConfig:
    """How processes share the database file."""

    wait_seconds: float = 60.0  # longest wait for another process's operation to finish

    def __post_init__(self) -> None:
        if not 0 < self.wait_seconds <= 3600:
            raise ValueError("wait_seconds must be in (0, 3600]")


@dataclass(frozen=True)
class Config:
    paths: PathsConfig
    schema: SchemaConfig
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    thresholds: ThresholdsConfig = field(default_factory=ThresholdsConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    locale: str = "fr"
    profile: str = "default"
    source_hash: str = ""  # SHA-256 of the merged YAML, recorded with models

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"locale {self.locale!r} is not one of {', '.join(LOCALES)}")
