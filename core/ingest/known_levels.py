"""The category values a model saw in training, read from its ``features.json``.

Validation warns about a category value the model never saw (« jamais vue par le modèle »)
when it is given the model's known levels. They are read here, from the model folder's
``features.json`` alone (the frozen statistics of
:meth:`core.model.features.FeaturePipeline.to_dict`: ``params.columns``, ``freqs`` by
hierarchy role as paths joined by U+001F, ``levels`` of the coded roles, ``freqs`` of the
extra categories), so that ingest needs neither the model package nor a booster.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.store.database import Store

log = logging.getLogger(__name__)

HIERARCHY = ("family", "category", "subcategory")  # as core.model.features.HIERARCHY
PATH_SEP = "\x1f"  # as core.model.target_encoding.PATH_SEP

KnownLevels = dict[str, tuple[str, ...]]


def known_levels(features: Mapping[str, Any]) -> KnownLevels:
    """Column key -> the non-empty values seen in training, from a features.json payload."""
    params = features.get("params", {})
    columns: Mapping[str, str] = params.get("columns", {})
    freqs: Mapping[str, Mapping[str, float]] = features.get("freqs", {})
    out: dict[str, set[str]] = {}
    depth = 0
    for role in HIERARCHY:
        if role not in columns:
            continue
        parts = (path.split(PATH_SEP) for path in freqs.get(role, {}))
        out[columns[role]] = {p[depth] for p in parts if len(p) > depth}
        depth += 1
    for key, levels in features.get("levels", {}).items():
        out[key] = set(levels)
    for key in params.get("extra_categories", ()):
        out[key] = set(freqs.get(key, {}))
    return {k: tuple(sorted(v for v in vs if v)) for k, vs in out.items() if any(vs)}


def stored_known_levels(
    store: Store, models_dir: Path | str, version: str | None = None
) -> KnownLevels:
    """The known levels of ``version`` (default: the active model); empty when there is no
    model yet or its file cannot be read (then no « never seen » warning, said in the log)."""
    with store.cursor() as cur:
        if version is None:
            row = cur.execute("SELECT version FROM model_versions WHERE active LIMIT 1").fetchone()
        else:
            row = cur.execute(
                "SELECT version FROM model_versions WHERE version = ?", [version]
            ).fetchone()
    if row is None:
        return {}
    path = Path(models_dir) / str(row[0]) / "features.json"
    try:
        return known_levels(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("known levels of model %s not read from %s: %s", row[0], path, exc)
        return {}
