"""Feature pipeline: statistics fitted on training data, frozen, saved as JSON.

Input frames are validated batch frames (columns named by ``ColumnSpec.key``). Every
feature uses only what is known when the claim arrives. Features whose role is absent
from the profile are not built; :meth:`FeaturePipeline.feature_table` documents the rest.

Target encodings (justified rates with smoothing, back-off to the parent level and
out-of-fold values on the training rows) are in :mod:`core.model.target_encoding`; the client-
history features (claims strictly before the current one, and their train/serve caveat)
in :mod:`core.model.history`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from core.config.schema import ROLES, SchemaConfig
from core.model.feature_text import DESCRIPTIONS as _DESC
from core.model.feature_text import INTERACTIONS as _INTERACTIONS
from core.model.feature_text import interactions as _interactions
from core.model.history import (
    HISTORY_FEATURES,
    client_history,
    history_features,
)
from core.model.onehot import (
    auto_onehot_min_count,
    feature_name,
    fit_levels,
    level_text,
    onehot_columns,
)
from core.model.target_encoding import (
    TargetEncoder,
    auto_min_count,
    hier_medians,
    lookup_chain,
    text_col,
)

__all__ = ["HIERARCHY", "FeaturePipeline", "client_history"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: one-hot levels, resolved smoothing / min counts, tenure unit
HIERARCHY = ("family", "category", "subcategory")
_ROLES = tuple(r for r in ROLES if not r.startswith("extra_"))  # the schema's order
_CODED = ("segment", "market")


class FeaturePipeline:
    """Fit frozen statistics on labelled training rows; transform any validated frame."""

    def __init__(
        self,
        columns: Mapping[str, str],
        extra_categories: tuple[str, ...] = (),
        extra_numbers: tuple[str, ...] = (),
        *,
        n_folds: int = 5,
        smoothing: float | None = None,
        min_count: int | None = None,
        onehot_min_count: int | None = None,
        onehot_max_levels: int = 100,
        tenure_years_per_unit: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.columns = dict(columns)  # role -> frame key, present roles only
        self.extra_categories = tuple(extra_categories)
        self.extra_numbers = tuple(extra_numbers)
        self.n_folds = n_folds
        self.smoothing = smoothing  # None: empirical Bayes per column and level
        self.min_count = min_count  # None: scaled to the training rows (auto_min_count)
        self.onehot_min_count = onehot_min_count  # None: auto_onehot_min_count
        self.onehot_max_levels = onehot_max_levels
        self.tenure_years_per_unit = tenure_years_per_unit
        self.seed = seed

    @classmethod
    def from_schema(cls, schema: SchemaConfig, **params: Any) -> FeaturePipeline:
        """A pipeline for the roles the profile maps (extras by their keys)."""
        columns = {r: c.key for r in _ROLES if (c := schema.by_role(r)) is not None}
        extra_cat = tuple(c.key for c in schema.columns if c.role == "extra_category")
        extra_num = tuple(c.key for c in schema.columns if c.role == "extra_number")
        tenure = schema.by_role("tenure")
        if tenure is not None:
            params.setdefault("tenure_years_per_unit", tenure.years_per_unit)
        return cls(columns, extra_cat, extra_num, **params)

    # ------------------------------------------------------------------ roles
    def has(self, *roles: str) -> bool:
        return all(r in self.columns for r in roles)

    def _key(self, role: str) -> str:
        return self.columns[role]

    @property
    def _hier_roles(self) -> tuple[str, ...]:
        return tuple(r for r in HIERARCHY if r in self.columns)

    @property
    def _flat_encoded(self) -> tuple[str, ...]:
        """Frame keys target-encoded flat (backoff to the global rate)."""
        coded = tuple(self._key(r) for r in _CODED if r in self.columns)
        return coded + self.extra_categories

    @property
    def _encoder(self) -> TargetEncoder:
        hier = self._hier_roles
        keys = tuple(self._key(r) for r in hier)
        return TargetEncoder(hier, keys, self._flat_encoded, self.smoothing, self.min_count_)

    def _categories(self, frame: pd.DataFrame, paths: list[pd.Series]) -> dict[str, pd.Series]:
        """Every category as text by name: hierarchy roles as path keys, then the others."""
        out = dict(zip(self._hier_roles, paths, strict=True))
        out.update({r: text_col(frame, self._key(r)) for r in _CODED if r in self.columns})
        out.update({k: text_col(frame, k) for k in self.extra_categories})
        return out

    # -------------------------------------------------------------------- fit
    def fit(self, frame: pd.DataFrame) -> FeaturePipeline:
        """Fit every statistic on labelled rows of ``frame`` (label 0/1); returns self."""
        y = _labels(frame, self.columns.get("label"))
        self.global_rate_ = float(y.mean())
        self.min_count_ = self.min_count or auto_min_count(len(frame))
        self.rates_ = self._encoder.fit(frame, y)
        oh_min = self.onehot_min_count or auto_onehot_min_count(len(frame))
        categories = self._categories(frame, self._encoder.paths(frame))
        self.onehot_levels_ = fit_levels(categories, oh_min, self.onehot_max_levels)
        self.freqs_ = self._fit_freqs(frame)
        self.medians_ = self._fit_medians(frame)
        self.levels_ = {
            self._key(r): sorted(text_col(frame, self._key(r)).unique().tolist())
            for r in _CODED
            if r in self.columns
        }
        self.feature_specs_ = self._build_specs()
        log.info("features fitted on %d rows: %d features", len(frame), len(self.feature_specs_))
        return self

    def fit_transform(
        self, frame: pd.DataFrame, history: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Fit, then transform ``frame`` with out-of-fold target encodings for its rows."""
        self.fit(frame)
        out = self.transform(frame, history)
        y = _labels(frame, self.columns.get("label"))
        for name, values in self._encoder.out_of_fold(frame, y, self.n_folds, self.seed).items():
            out[name] = values
        for name, values in _interactions({c: out[c].to_numpy() for c in out}).items():
            out[name] = values  # recomputed from the out-of-fold rates
        return out

    def _fit_freqs(self, frame: pd.DataFrame) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        if self._hier_roles:
            keys = self._encoder.paths(frame)
            for role, key in zip(self._hier_roles, keys, strict=True):
                out[role] = key.value_counts(normalize=True).astype(float).to_dict()
        for key in self.extra_categories:
            out[key] = text_col(frame, key).value_counts(normalize=True).astype(float).to_dict()
        return out

    def _fit_medians(self, frame: pd.DataFrame) -> dict[str, Any]:
        if not self.has("amount"):
            return {}
        amount = pd.to_numeric(frame[self._key("amount")], errors="coerce").astype(float)
        keys = self._encoder.paths(frame)
        levels = hier_medians(keys, amount, max(self.min_count_, 5))
        return {
            "global": float(amount.median()),
            **dict(zip(self._hier_roles, levels, strict=True)),
        }

    # -------------------------------------------------------------- transform
    def transform(self, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
        """The feature matrix of ``frame`` (index kept), columns in :attr:`feature_names`."""
        self._check_fitted()
        encoder = self._encoder
        paths = encoder.paths(frame)
        cols: dict[str, Any] = {}
        cols.update(encoder.encode(frame, self.rates_, self.global_rate_, paths))
        cols.update(self._frequencies(frame, paths))
        cols.update(self._codes(frame))
        cols.update(onehot_columns(self._categories(frame, paths), self.onehot_levels_))
        cols.update(self._numeric(frame, paths))
        cols.update(history_features(frame, history, self.columns))
        cols.update(_interactions(cols))
        out = pd.DataFrame(cols, index=frame.index)
        return out[self.feature_names].astype(float)

    def _frequencies(self, frame: pd.DataFrame, keys: list[pd.Series]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if self._hier_roles:
            for role, key in zip(self._hier_roles, keys, strict=True):
                out[f"freq_{role}"] = key.map(self.freqs_[role]).fillna(0.0).to_numpy(float)
        for key in self.extra_categories:
            values = text_col(frame, key).map(self.freqs_[key])
            out[f"freq_{key}"] = values.fillna(0.0).to_numpy(float)
        return out

    def _codes(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Integer code per level (0 = unknown / missing, 1.. = training levels)."""
        out: dict[str, np.ndarray] = {}
        for key, levels in self.levels_.items():
            mapping = {level: i + 1 for i, level in enumerate(levels) if level}
            out[f"{key}_code"] = text_col(frame, key).map(mapping).fillna(0).to_numpy(float)
        return out

    def _numeric(self, frame: pd.DataFrame, paths: list[pd.Series]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        num = {
            r: _number(frame, self._key(r))
            for r in ("amount", "delay", "tenure", "pnb")
            if self.has(r)
        }
        if "delay" in num:
            out["log_delay"] = np.log1p(np.clip(num["delay"], 0, None))
        if "tenure" in num:
            out["tenure"] = num["tenure"] * self.tenure_years_per_unit
        if "pnb" in num:
            out["log_pnb"] = np.log1p(np.clip(num["pnb"], 0, None))
        if "amount" in num:
            out.update(self._amount(paths, num))
        for key in self.extra_numbers:
            out[key] = _number(frame, key)
        return out

    def _amount(self, keys: list[pd.Series], num: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        amount = np.clip(num["amount"], 0, None)
        log_amount = np.log1p(amount)
        out = {"log_amount": log_amount}
        if self._hier_roles:
            maps = [self.medians_[r] for r in self._hier_roles]
            fam = lookup_chain(keys[:1], maps[:1], self.medians_["global"])
            out[f"amount_dev_{self._hier_roles[0]}"] = log_amount - np.log1p(fam)
            if len(keys) > 1:
                deepest = lookup_chain(keys, maps, self.medians_["global"])
                out[f"amount_dev_{self._hier_roles[-1]}"] = log_amount - np.log1p(deepest)
        if "delay" in num:
            out["log_amount_per_delay_day"] = np.log1p(amount / np.clip(num["delay"], 1, None))
        if "pnb" in num:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(num["pnb"] > 0, amount / num["pnb"], np.nan)
            out["log_amount_to_pnb"] = np.log1p(ratio)
            out["amount_above_pnb"] = np.where(np.isnan(ratio), np.nan, (ratio > 1).astype(float))
        return out

    # ------------------------------------------------------------ description
    @property
    def feature_names(self) -> list[str]:
        """Feature columns in model order."""
        self._check_fitted()
        return [spec["name"] for spec in self.feature_specs_]

    def feature_table(self) -> pd.DataFrame:
        """One row per feature: name, description, source columns (frame keys)."""
        self._check_fitted()
        rows = [{**s, "sources": ", ".join(s["sources"])} for s in self.feature_specs_]
        return pd.DataFrame(rows, columns=["name", "description", "sources"])

    def _build_specs(self) -> list[dict[str, Any]]:
        """Name, description and sources of every feature built for this profile."""
        specs: list[tuple[str, str, list[str]]] = []
        for i, role in enumerate(self._hier_roles):
            path = [self._key(r) for r in self._hier_roles[: i + 1]]
            specs.append((f"rate_{role}", _DESC["rate_h"].format(role, self.min_count_), path))
        for key in self._flat_encoded:
            specs.append((f"rate_{key}", _DESC["rate"].format(key, self.min_count_), [key]))
        for i, role in enumerate(self._hier_roles):
            path = [self._key(r) for r in self._hier_roles[: i + 1]]
            specs.append((f"freq_{role}", _DESC["freq"].format(role), path))
        specs += [(f"freq_{k}", _DESC["freq"].format(k), [k]) for k in self.extra_categories]
        specs += [(f"{k}_code", _DESC["code"].format(k), [k]) for k in self.levels_]
        specs += self._onehot_specs()
        specs += [(n, _DESC[n], [self._key(r) for r in rs]) for n, rs in self._numeric_specs()]
        specs += [(k, _DESC["extra_number"].format(k), [k]) for k in self.extra_numbers]
        if self.has("client_id", "date"):
            src = [self._key(r) for r in ("client_id", "date", "id", "label") if self.has(r)]
            specs += [(n, _DESC[n], src) for n in HISTORY_FEATURES]
        sources = {n: src for n, _, src in specs}
        for name, needs in _INTERACTIONS.items():
            dev = next(
                (d for d in ("amount_dev_subcategory", "amount_dev_category") if d in sources), None
            )
            if dev and needs in sources:
                merged = list(dict.fromkeys([*sources[needs], *sources[dev]]))
                specs.append((name, _DESC[name], merged))
        return [{"name": n, "description": d, "sources": list(s)} for n, d, s in specs]

    def _onehot_specs(self) -> list[tuple[str, str, list[str]]]:
        hier = self._hier_roles
        out = []
        for name, levels in self.onehot_levels_.items():
            if name in hier:
                sources = [self._key(r) for r in hier[: hier.index(name) + 1]]
            else:
                sources = [self._key(name) if name in self.columns else name]
            for i, level in enumerate(levels):
                desc = _DESC["onehot"].format(name, level_text(level))
                out.append((feature_name(name, i), desc, sources))
        return out

    def _numeric_specs(self) -> list[tuple[str, tuple[str, ...]]]:
        hier = self._hier_roles
        candidates = [
            ("log_delay", ("delay",)),
            ("tenure", ("tenure",)),
            ("log_pnb", ("pnb",)),
            ("log_amount", ("amount",)),
            (f"amount_dev_{hier[0]}" if hier else "", ("amount", *hier[:1])),
            (f"amount_dev_{hier[-1]}" if len(hier) > 1 else "", ("amount", *hier)),
            ("log_amount_per_delay_day", ("amount", "delay")),
            ("log_amount_to_pnb", ("amount", "pnb")),
            ("amount_above_pnb", ("amount", "pnb")),
        ]
        return [(n, rs) for n, rs in candidates if n and self.has(*rs)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_specs_"):
            raise RuntimeError("FeaturePipeline is not fitted: call fit() first")

    # ---------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters and frozen statistics."""
        self._check_fitted()
        return {
            "format_version": FORMAT_VERSION,
            "params": {
                "columns": self.columns,
                "extra_categories": list(self.extra_categories),
                "extra_numbers": list(self.extra_numbers),
                "n_folds": self.n_folds,
                "smoothing": self.smoothing,
                "min_count": self.min_count,
                "onehot_min_count": self.onehot_min_count,
                "onehot_max_levels": self.onehot_max_levels,
                "tenure_years_per_unit": self.tenure_years_per_unit,
                "seed": self.seed,
            },
            "min_count": self.min_count_,
            "onehot_levels": self.onehot_levels_,
            "global_rate": self.global_rate_,
            "rates": self.rates_,
            "freqs": self.freqs_,
            "medians": self.medians_,
            "levels": self.levels_,
            "features": self.feature_specs_,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeaturePipeline:
        """Rebuild a fitted pipeline from :meth:`to_dict` output."""
        version = data.get("format_version")
        if version not in (1, FORMAT_VERSION):
            raise ValueError(f"unsupported features format {version!r}")
        params = dict(data["params"])
        params["extra_categories"] = tuple(params["extra_categories"])
        params["extra_numbers"] = tuple(params["extra_numbers"])
        pipe = cls(**params)
        pipe.global_rate_ = float(data["global_rate"])
        pipe.min_count_ = int(data.get("min_count", params.get("min_count") or 30))
        pipe.onehot_levels_ = {k: list(v) for k, v in data.get("onehot_levels", {}).items()}
        pipe.rates_ = {k: dict(v) for k, v in data["rates"].items()}
        pipe.freqs_ = {k: dict(v) for k, v in data["freqs"].items()}
        pipe.medians_ = dict(data["medians"])
        pipe.levels_ = {k: list(v) for k, v in data["levels"].items()}
        pipe.feature_specs_ = [dict(s, sources=list(s["sources"])) for s in data["features"]]
        return pipe


def _labels(frame: pd.DataFrame, key: str | None) -> np.ndarray:
    if key is None or key not in frame:
        raise ValueError("fitting features needs a label column")
    y = pd.to_numeric(frame[key], errors="coerce")
    if y.isna().any():
        raise ValueError("fitting features needs labelled rows only (label 0/1)")
    return y.to_numpy(float)


def _number(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
