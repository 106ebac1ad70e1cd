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


FAMILIES = ("xgboost", "linear", "blend")


@dataclass(frozen=True)
class ModelConfig:
    """Training choices (``model:`` in the YAML). ``None`` means "scaled to the data".

    * ``encoding_min_count``: levels seen fewer times share their parent's justified rate
      (auto: ``clip(n / 2000, 1, 20)`` training claims);
    * ``encoding_smoothing``: weight of the parent's rate, in claims (auto: estimated per
      column from the spread of its levels' rates, empirical Bayes);
    * ``onehot_min_count``: a level of a category seen at least this often also gets its own
      0/1 feature (auto: ``clip(n / 1000, 3, 30)``), at most ``onehot_max_levels`` per column;
    * ``families``: the registrable model families compared (XGBoost, L2 logistic regression,
      and their blend); ``selection_tolerance``: the registered model is the one with the
      lowest log-loss among those whose validation net gain is within this share of the
      audit-everything cost of the best one;
    * ``cv_max_rows``: up to this many labelled training claims, selection, tuning and the
      threshold choice use ``cv_folds`` time-ordered folds instead of one validation slice;
    * ``gain_confidence`` / ``bootstrap``: the published pair maximises the lower
      ``gain_confidence`` bound of the net gain over ``bootstrap`` resamples of the claims.
    """

    encoding_min_count: int | None = None
    encoding_smoothing: float | None = None
    onehot_min_count: int | None = None
    onehot_max_levels: int = 100
    families: tuple[str, ...] = FAMILIES
    selection_tolerance: float = 0.01
    cv_max_rows: int = 5000
    cv_folds: int = 4
    gain_confidence: float = 0.9
    bootstrap: int = 300

    def __post_init__(self) -> None:
        for name in ("encoding_min_count", "onehot_min_count"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1 (or null: scaled to the data)")
        if self.encoding_smoothing is not None and self.encoding_smoothing < 0:
            raise ValueError("encoding_smoothing must be >= 0 (or null: estimated)")
        if self.onehot_max_levels < 0:
            raise ValueError("onehot_max_levels must be >= 0")
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown or not self.families:
            raise ValueError(f"families must be among {', '.join(FAMILIES)} (got {unknown})")
        if not 0 <= self.selection_tolerance < 1:
            raise ValueError("selection_tolerance must be in [0, 1)")
        if self.cv_folds < 2 or self.cv_max_rows < 0:
            raise ValueError("cv_folds must be >= 2 and cv_max_rows >= 0")
        if not 0.5 <= self.gain_confidence < 1 or self.bootstrap < 20:
            raise ValueError("gain_confidence must be in [0.5, 1) and bootstrap >= 20")


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
class MonitorConfig:
    """Production monitoring: the quality-control sample and the confidence of the bands."""

    qc_share: float = 0.02  # share of each zone of automatic decisions sent to a QC review
    confidence: float = 0.9  # of the estimated bands and the realised intervals

    def __post_init__(self) -> None:
        if not 0 <= self.qc_share <= 1:
            raise ValueError("qc_share must be in [0, 1]")
        if not 0.5 <= self.confidence < 1:
            raise ValueError("confidence must be in [0.5, 1)")


@dataclass(frozen=True)
class StoreConfig:
    """How processes share the database file."""

    wait_seconds: float = 60.0  # longest wait for another process's operation to finish

    def __post_init__(self) -> None:
        if not 0 < self.wait_seconds <= 3600:
            raise ValueError("wait_seconds must be in (0, 3600]")


@dataclass(frozen=True)
class ApiConfig:
    """The real-time scoring API (``python -m core serve``): its limits and defaults."""

    host: str = "127.0.0.1"  # 0.0.0.0 opens it to the network (tokens are always required)
    port: int = 8000
    max_batch: int = 500  # claims in one POST /predict/batch
    max_body_kb: int = 1024  # a larger request body is refused with 413 before it is read

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError("port must be in [1, 65535]")
        if self.max_batch < 1 or self.max_body_kb < 1:
            raise ValueError("max_batch and max_body_kb must be >= 1")


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
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    locale: str = "fr"
    profile: str = "default"
    source_hash: str = ""  # SHA-256 of the merged YAML, recorded with models

    def __post_init__(self) -> None:
        if self.locale not in LOCALES:
            raise ValueError(f"locale {self.locale!r} is not one of {', '.join(LOCALES)}")
