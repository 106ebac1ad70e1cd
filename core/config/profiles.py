"""Which profile data belongs to: a batch and a model serve the profile of their schema.

A profile is named after its YAML file. Two profiles share their data (batches, models)
exactly when their schemas build the same claims frame — same column keys, roles and types:
a profile that only changes sign-in, costs or the language (an overlay of ``default``) serves
the default's batches and models, while ``cfpb`` (another schema) never mixes with them.
"""

from __future__ import annotations

import functools
import hashlib
import json

from core.config.loading import load_config
from core.config.schema import SchemaConfig
from core.config.settings import Config
from core.exceptions import ConfigError

__all__ = ["same_profile", "schema_fingerprint"]


def schema_fingerprint(schema: SchemaConfig) -> str:
    """SHA-256 of what a schema stores and a model reads: each column's key, role and type,
    and the label's values."""
    columns = sorted((c.key, c.role, c.type) for c in schema.columns)
    label = (sorted(schema.label.positive), sorted(schema.label.negative))
    text = json.dumps({"columns": columns, "label": label}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=32)
def _named_fingerprint(profile: str) -> str | None:
    """The schema fingerprint of a profile of ``config/profiles`` (None if it is unknown)."""
    try:
        return schema_fingerprint(load_config(profile).schema)
    except ConfigError:
        return None


def same_profile(profile: str | None, cfg: Config, fingerprint: str | None = None) -> bool:
    """Whether data stored under ``profile`` (with the schema ``fingerprint``, when known)
    belongs to the profile ``cfg`` serves."""
    own = schema_fingerprint(cfg.schema)
    if fingerprint:
        return fingerprint == own
    if not profile:
        return False
    if profile == cfg.profile:
        return True
    return _named_fingerprint(profile) == own
