"""Configuration: the YAML profile as frozen dataclasses.

The claims schema (each column's role, header, aliases, type), limits, costs, thresholds,
business rules, drift settings and paths, loaded from ``config/default.yaml`` with a profile
merged over it. Every wrong key or value raises ``ConfigError`` naming the key. The bottom
layer: it imports nothing from the feature packages.
"""

from core.config.drift import (
    CATEGORICAL,
    DECISION_MIX,
    FEATURE_KINDS,
    NUMERIC,
    PROBABILITY,
    ColumnOverride,
    DriftConfig,
    is_drifted,
)
from core.config.loading import (
    CONFIG_DIR,
    PROJECT_ROOT,
    available_profiles,
    config_from_dict,
    load_config,
)
from core.config.schema import ROLES, ColumnSpec, LabelSpec, SchemaConfig
from core.config.settings import (
    AmountAbovePnbRule,
    Config,
    CostConfig,
    LimitsConfig,
    MaxAutoValidationsRule,
    ModelConfig,
    PathsConfig,
    RulesConfig,
    ThresholdsConfig,
)

__all__ = [
    "CATEGORICAL",
    "CONFIG_DIR",
    "DECISION_MIX",
    "FEATURE_KINDS",
    "NUMERIC",
    "PROBABILITY",
    "PROJECT_ROOT",
    "ROLES",
    "AmountAbovePnbRule",
    "ColumnOverride",
    "ColumnSpec",
    "Config",
    "CostConfig",
    "DriftConfig",
    "LabelSpec",
    "LimitsConfig",
    "MaxAutoValidationsRule",
    "ModelConfig",
    "PathsConfig",
    "RulesConfig",
    "SchemaConfig",
    "ThresholdsConfig",
    "available_profiles",
    "config_from_dict",
    "is_drifted",
    "load_config",
]
