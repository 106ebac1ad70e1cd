"""Configuration: the YAML profile as frozen dataclasses.

The claims schema (each column's role, header, aliases, type), limits, costs, thresholds,
business rules, drift settings and paths, loaded from ``config/default.yaml`` with a profile
merged over it. Every wrong key or value raises ``ConfigError`` naming the key. The bottom
layer: it imports nothing from the feature packages.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
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

_EXPORTS = {
    "CATEGORICAL": "core.config.drift",
    "DECISION_MIX": "core.config.drift",
    "FEATURE_KINDS": "core.config.drift",
    "NUMERIC": "core.config.drift",
    "PROBABILITY": "core.config.drift",
    "ColumnOverride": "core.config.drift",
    "DriftConfig": "core.config.drift",
    "is_drifted": "core.config.drift",
    "CONFIG_DIR": "core.config.loading",
    "PROJECT_ROOT": "core.config.loading",
    "available_profiles": "core.config.loading",
    "config_from_dict": "core.config.loading",
    "load_config": "core.config.loading",
    "ROLES": "core.config.schema",
    "ColumnSpec": "core.config.schema",
    "LabelSpec": "core.config.schema",
    "SchemaConfig": "core.config.schema",
    "AmountAbovePnbRule": "core.config.settings",
    "Config": "core.config.settings",
    "CostConfig": "core.config.settings",
    "LimitsConfig": "core.config.settings",
    "MaxAutoValidationsRule": "core.config.settings",
    "ModelConfig": "core.config.settings",
    "PathsConfig": "core.config.settings",
    "RulesConfig": "core.config.settings",
    "ThresholdsConfig": "core.config.settings",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

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
