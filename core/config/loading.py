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
from pathlib import Path
from typing import Any

import yaml

from core.config.settings import Config, PathsConfig
from core.exceptions import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_ROOT / "config"


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
        profile_raw = _read_yaml(prof_path)
        raw = _merge(raw, profile_raw)
        raw = _own_label_lists(raw, base_label_name(_read_yaml(base_path)), profile_raw)
        name = prof_path.stem
    raw["profile"] = name
    return config_from_dict(raw, root=PROJECT_ROOT)


def base_label_name(raw: dict[str, Any]) -> str | None:
    """The header of the label column in a raw configuration mapping (None if unmapped)."""
    columns = (raw.get("schema") or {}).get("columns") or []
    return next(
        (c.get("name") for c in columns if isinstance(c, dict) and c.get("role") == "label"), None
    )


def _own_label_lists(
    merged: dict[str, Any], base_label: str | None, profile: dict[str, Any]
) -> dict[str, Any]:
    """A profile whose label is another column than the default's keeps only its own lists.

    The default lists (``y`` = justified, ``n`` = not) describe the reference « Fondée »
    column; inheriting them for another column silently gave a Y/N file an inverted or
    unchecked polarity. Without lists of its own, the label is marked undeclared: ingest
    reports its values as unmapped and training refuses with what to add.
    """
    label = base_label_name(merged)
    if label is None or label == base_label:
        return merged
    own = (profile.get("schema") or {}).get("label")
    schema = dict(merged["schema"])
    if isinstance(own, dict) and (own.get("positive") or own.get("negative")):
        schema["label"] = dict(own)
    else:
        schema["label"] = {"positive": [], "negative": [], "declared": False}
        if isinstance(own, dict):  # unlabelled / excluded lists given alone are kept
            schema["label"] |= {k: v for k, v in own.items() if k in ("unlabelled", "excluded")}
    return {**merged, "schema": schema}


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
    anchor = os.environ.get("WORKBENCH_AUDIT_ANCHOR") or paths.get("audit_anchor")
    if anchor:
        anchor_path = Path(str(anchor))
        out["audit_anchor"] = anchor_path if anchor_path.is_absolute() else root / anchor_path
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
