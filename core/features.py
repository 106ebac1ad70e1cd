"""Feature pipeline: statistics fitted on training data, frozen, saved as JSON.

Input frames are validated batch frames (columns named by ``ColumnSpec.key``). Every
feature uses only what is known when the claim arrives. Features whose role is absent
from the profile are not built; :meth:`FeaturePipeline.feature_table` documents the rest.

Target encodings (justified rate per family / category / sub-category, per segment and
market, per extra category) are smoothed towards the parent level
(``(sum_y + m * parent) / (n + m)``); a level seen fewer than ``min_count`` times is not
stored, so it — like a category unknown at scoring time — backs off to its parent:
sub-category -> category -> family -> global rate. Levels are keyed by their full path,
so two sub-categories with the same name under different categories stay apart. On the
training rows themselves the encodings are computed out-of-fold (K-fold), so a row's own
label never enters its own feature.

Client history (needs a client and a date column) counts claims *strictly before* the
current one: an earlier date, or the same date and a lower claim ID (without an ID
column, same-day claims are not counted). ``history`` holds earlier stored claims; the
frame's own rows always count as history too, and history rows with the same ID as a
frame row are dropped (without IDs, exact duplicates are dropped).

Train/serve caveat: ``prior_justified_year`` counts earlier claims *whose label is known*.
In training every earlier label is known; at scoring time recent claims may still be
awaiting their audit, so the count is lower than the model saw in training. Its weight
in the model should be read with that in mind (the training report measures the test
metrics with the test labels hidden as well).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from core.config import SchemaConfig

__all__ = ["HIERARCHY", "FeaturePipeline", "client_history"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
HIERARCHY = ("family", "category", "subcategory")
_SEP = "\x1f"  # joins hierarchy levels into one path key
_ROLES = (
    "id",
    "client_id",
    "date",
    "amount",
    *HIERARCHY,
    "delay",
    "segment",
    "market",
    "tenure",
    "pnb",
    "label",
)
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
        smoothing: float = 20.0,
        min_count: int = 30,
        seed: int = 0,
    ) -> None:
        self.columns = dict(columns)  # role -> frame key, present roles only
        self.extra_categories = tuple(extra_categories)
        self.extra_numbers = tuple(extra_numbers)
        self.n_folds = n_folds
        self.smoothing = smoothing
        self.min_count = min_count
        self.seed = seed

    @classmethod
    def from_schema(cls, schema: SchemaConfig, **params: Any) -> FeaturePipeline:
        """A pipeline for the roles the profile maps (extras by their keys)."""
        columns = {r: c.key for r in _ROLES if (c := schema.by_role(r)) is not None}
        extra_cat = tuple(c.key for c in schema.columns if c.role == "extra_category")
        extra_num = tuple(c.key for c in schema.columns if c.role == "extra_number")
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

    # -------------------------------------------------------------------- fit
    def fit(self, frame: pd.DataFrame) -> FeaturePipeline:
        """Fit every statistic on labelled rows of ``frame`` (label 0/1); returns self."""
        y = _labels(frame, self.columns.get("label"))
        self.global_rate_ = float(y.mean())
        self.rates_ = self._fit_rates(frame, y)
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
        folds = fold_ids(len(frame), self.n_folds, self.seed)
        for k in range(self.n_folds):
            held = folds == k
            rates = self._fit_rates(frame.loc[~held], y[~held])
            encoded = self._encode(frame.loc[held], rates, float(y[~held].mean()))
            for name, values in encoded.items():
                out.loc[held, name] = values
        for name, values in _interactions({c: out[c].to_numpy() for c in out}).items():
            out[name] = values  # recomputed from the out-of-fold rates
        return out

    def _fit_rates(self, frame: pd.DataFrame, y: np.ndarray) -> dict[str, dict[str, float]]:
        prior = float(y.mean())
        rates: dict[str, dict[str, float]] = {}
        if self._hier_roles:
            keys = hier_keys(frame, [self._key(r) for r in self._hier_roles])
            found = hier_rates(keys, y, prior, self.smoothing, self.min_count)
            rates.update(zip(self._hier_roles, found, strict=True))
        for key in self._flat_encoded:
            (rates[key],) = hier_rates(
                [text_col(frame, key)], y, prior, self.smoothing, self.min_count
            )
        return rates

    def _fit_freqs(self, frame: pd.DataFrame) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        if self._hier_roles:
            keys = hier_keys(frame, [self._key(r) for r in self._hier_roles])
            for role, key in zip(self._hier_roles, keys, strict=True):
                out[role] = key.value_counts(normalize=True).astype(float).to_dict()
        for key in self.extra_categories:
            out[key] = text_col(frame, key).value_counts(normalize=True).astype(float).to_dict()
        return out

    def _fit_medians(self, frame: pd.DataFrame) -> dict[str, Any]:
        if not self.has("amount"):
            return {}
        amount = pd.to_numeric(frame[self._key("amount")], errors="coerce").astype(float)
        keys = hier_keys(frame, [self._key(r) for r in self._hier_roles])
        levels = hier_medians(keys, amount, self.min_count)
        return {
            "global": float(amount.median()),
            **dict(zip(self._hier_roles, levels, strict=True)),
        }

    # -------------------------------------------------------------- transform
    def transform(self, frame: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
        """The feature matrix of ``frame`` (index kept), columns in :attr:`feature_names`."""
        self._check_fitted()
        paths = self._paths(frame)
        cols: dict[str, Any] = {}
        cols.update(self._encode(frame, self.rates_, self.global_rate_, paths))
        cols.update(self._frequencies(frame, paths))
        cols.update(self._codes(frame))
        cols.update(self._numeric(frame, paths))
        cols.update(self._history(frame, history))
        cols.update(_interactions(cols))
        out = pd.DataFrame(cols, index=frame.index)
        return out[self.feature_names].astype(float)

    def _paths(self, frame: pd.DataFrame) -> list[pd.Series]:
        """Path keys of the hierarchy levels the profile maps (empty list if none)."""
        return hier_keys(frame, [self._key(r) for r in self._hier_roles])

    def _encode(
        self, frame: pd.DataFrame, rates: dict, prior: float, paths: list[pd.Series] | None = None
    ) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = self._paths(frame) if paths is None else paths
        if self._hier_roles:
            maps = [rates[r] for r in self._hier_roles]
            for i, role in enumerate(self._hier_roles):
                out[f"rate_{role}"] = lookup_chain(keys[: i + 1], maps[: i + 1], prior)
        for key in self._flat_encoded:
            out[f"rate_{key}"] = lookup_chain([text_col(frame, key)], [rates[key]], prior)
        return out

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
            out["tenure"] = num["tenure"]
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

    def _history(self, frame: pd.DataFrame, history: pd.DataFrame | None) -> dict[str, np.ndarray]:
        if not self.has("client_id", "date"):
            return {}
        roles = {r: self.columns.get(r) for r in ("id", "client_id", "date", "label")}
        table = client_history(frame, history, roles)
        return {name: table[name].to_numpy(float) for name in _HISTORY}

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
            specs.append((f"rate_{role}", _DESC["rate_h"].format(role, self.min_count), path))
        for key in self._flat_encoded:
            specs.append((f"rate_{key}", _DESC["rate"].format(key, self.min_count), [key]))
        for i, role in enumerate(self._hier_roles):
            path = [self._key(r) for r in self._hier_roles[: i + 1]]
            specs.append((f"freq_{role}", _DESC["freq"].format(role), path))
        specs += [(f"freq_{k}", _DESC["freq"].format(k), [k]) for k in self.extra_categories]
        specs += [(f"{k}_code", _DESC["code"].format(k), [k]) for k in self.levels_]
        specs += [(n, _DESC[n], [self._key(r) for r in rs]) for n, rs in self._numeric_specs()]
        specs += [(k, _DESC["extra_number"].format(k), [k]) for k in self.extra_numbers]
        if self.has("client_id", "date"):
            src = [self._key(r) for r in ("client_id", "date", "id", "label") if self.has(r)]
            specs += [(n, _DESC[n], src) for n in _HISTORY]
        sources = {n: src for n, _, src in specs}
        for name, needs in _INTERACTIONS.items():
            dev = next(
                (d for d in ("amount_dev_subcategory", "amount_dev_category") if d in sources), None
            )
            if dev and needs in sources:
                merged = list(dict.fromkeys([*sources[needs], *sources[dev]]))
                specs.append((name, _DESC[name], merged))
        return [{"name": n, "description": d, "sources": list(s)} for n, d, s in specs]

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
                "seed": self.seed,
            },
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
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported features format {data.get('format_version')!r}")
        params = dict(data["params"])
        params["extra_categories"] = tuple(params["extra_categories"])
        params["extra_numbers"] = tuple(params["extra_numbers"])
        pipe = cls(**params)
        pipe.global_rate_ = float(data["global_rate"])
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


def _interactions(cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    dev = next(
        (cols[k] for k in ("amount_dev_subcategory", "amount_dev_category") if k in cols), None
    )
    out: dict[str, np.ndarray] = {}
    if dev is None:
        return out
    if "rate_segment" in cols:
        out["segment_rate_x_amount_dev"] = cols["rate_segment"] * dev
    if "prior_claims_year" in cols:
        out["prior_year_x_amount_dev"] = cols["prior_claims_year"] * dev
    return out


_HISTORY = (
    "prior_claims_year",
    "prior_claims_total",
    "prior_justified_year",
    "days_since_prior_claim",
)
_INTERACTIONS = {
    "segment_rate_x_amount_dev": "rate_segment",
    "prior_year_x_amount_dev": "prior_claims_year",
}
_DESC = {
    "rate_h": "Justified rate of the {0} in training (out-of-fold on training rows; smoothed "
    "towards its parent level; fewer than {1} cases or unknown: the parent's rate)",
    "rate": "Justified rate of {0} in training (out-of-fold on training rows; fewer than {1} "
    "cases or unknown: the global rate)",
    "freq": "Share of training claims with this {0} (0 when unknown)",
    "code": "Code of {0} (1.. = training levels in alphabetical order, 0 = unknown or missing)",
    "extra_number": "Extra numeric column {0}, as is",
    "log_delay": "log(1 + estimated delay in days)",
    "tenure": "Client tenure in years, as is",
    "log_pnb": "log(1 + client PNB of last year)",
    "log_amount": "log(1 + requested amount)",
    "amount_dev_family": "log ratio of the amount to the training median of its family",
    "amount_dev_category": "log ratio of the amount to the training median of its category "
    "(backs off to the family median)",
    "amount_dev_subcategory": "log ratio of the amount to the training median of its "
    "sub-category (fewer than 30 cases: category, then family median)",
    "log_amount_per_delay_day": "log(1 + amount / max(delay, 1))",
    "log_amount_to_pnb": "log(1 + amount / PNB) (missing when PNB <= 0)",
    "amount_above_pnb": "1 when the amount exceeds the client's PNB of last year",
    "prior_claims_year": "Claims of the same client earlier in the same calendar year "
    "(earlier date, or same date and lower ID)",
    "prior_claims_total": "Claims of the same client earlier in the available history",
    "prior_justified_year": "Earlier claims of the client this calendar year known to be "
    "justified (labels known at the time; see the train/serve caveat)",
    "days_since_prior_claim": "Days since the client's previous claim (missing if none)",
    "segment_rate_x_amount_dev": "Segment justified rate x amount deviation (interaction)",
    "prior_year_x_amount_dev": "Prior claims this year x amount deviation (interaction)",
}


# ------------------------------------------------------------------ statistics helpers


def text_col(frame: pd.DataFrame, key: str) -> pd.Series:
    """Column as text, missing values (and a missing column) as ''."""
    if key not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[key]
    return col.where(col.notna(), "").astype(str)


def hier_keys(frame: pd.DataFrame, keys: list[str]) -> list[pd.Series]:
    """Path keys of each hierarchy level: family, family/category, ..."""
    out: list[pd.Series] = []
    for key in keys:
        col = text_col(frame, key)
        out.append(col if not out else out[-1] + _SEP + col)
    return out


def hier_rates(
    keys: list[pd.Series], y: np.ndarray, prior: float, m: float, min_count: int
) -> list[dict[str, float]]:
    """Smoothed rate of each level, towards its parent; only levels with >= min_count."""
    out: list[dict[str, float]] = []
    effective: dict[str, float] = {}
    for i, key in enumerate(keys):
        stats = pd.DataFrame({"k": key.to_numpy(), "y": y}).groupby("k")["y"].agg(["sum", "count"])
        if i == 0:
            parent = np.full(len(stats), prior)
        else:
            parents = stats.index.to_series().str.rsplit(_SEP, n=1).str[0]
            parent = parents.map(effective).fillna(prior).to_numpy(float)
        n = stats["count"].to_numpy(float)
        smoothed = (stats["sum"].to_numpy(float) + m * parent) / (n + m)
        value = np.where(n >= min_count, smoothed, parent)
        effective = dict(zip(stats.index, value.tolist(), strict=True))
        out.append(
            {k: v for k, v, c in zip(stats.index, value.tolist(), n, strict=True) if c >= min_count}
        )
    return out


def hier_medians(
    keys: list[pd.Series], values: pd.Series, min_count: int
) -> list[dict[str, float]]:
    """Median of ``values`` per level with at least min_count non-missing values."""
    out = []
    for key in keys:
        stats = values.groupby(key.to_numpy()).agg(["median", "count"])
        kept = stats[stats["count"] >= min_count]["median"]
        out.append({str(k): float(v) for k, v in kept.items()})
    return out


def lookup_chain(keys: list[pd.Series], maps: list[dict[str, float]], default: float) -> np.ndarray:
    """Value of the deepest level found in its map, else its parents', else ``default``."""
    out = np.full(len(keys[0]) if keys else 0, default, dtype=float)
    for key, mapping in zip(keys, maps, strict=True):
        found = key.map(mapping).to_numpy(dtype=float, na_value=np.nan)
        out = np.where(np.isnan(found), out, found)
    return out


def fold_ids(n: int, n_folds: int, seed: int) -> np.ndarray:
    """A random fold number 0..n_folds-1 per row (balanced)."""
    return np.random.default_rng(seed).permutation(n) % n_folds


def client_history(
    frame: pd.DataFrame, history: pd.DataFrame | None, roles: Mapping[str, str | None]
) -> pd.DataFrame:
    """Per row of ``frame``: prior claims this year / in total, prior justified this year,
    days since the previous claim — over ``history`` plus ``frame``, strictly earlier claims.
    """
    id_key, client, date, label = (roles.get(r) for r in ("id", "client_id", "date", "label"))
    shared = [c for c in frame.columns if c not in ("row_number", "label_excluded", label)]
    if history is not None and len(history):
        shared = [c for c in shared if c in history.columns]
    cur = _history_rows(frame, _identity(frame, id_key, shared), client, date, label)
    cur["_row"] = np.arange(len(frame))
    parts = [cur]
    if history is not None and len(history):
        hist = _history_rows(history, _identity(history, id_key, shared), client, date, label)
        hist = hist[~hist["_id"].isin(set(cur["_id"]))]
        hist["_row"] = -1
        parts.append(hist)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[(rows["_client"] != "") & rows["_date"].notna()]
    client = pd.factorize(rows["_client"])[0]  # grouping only: any code order will do
    ident = pd.factorize(rows["_id"], sort=True)[0]  # same day: lower ID first
    order = np.lexsort((ident, rows["_date"].to_numpy().astype("int64"), client))
    rows = rows.iloc[order].assign(_client=client[order])
    counts = _history_counts(rows, same_day_counts=bool(id_key))
    out = pd.DataFrame(
        {name: np.zeros(len(frame)) for name in _HISTORY[:3]} | {_HISTORY[3]: np.nan}
    )
    mine = counts[counts["_row"] >= 0]
    out.iloc[mine["_row"].to_numpy()] = mine[list(_HISTORY)].to_numpy(float)
    return out


def _identity(frame: pd.DataFrame, id_key: str | None, shared: list[str]) -> np.ndarray:
    """Claim ID as text; without an ID column, a hash of the shared columns."""
    if id_key:
        return text_col(frame, id_key).to_numpy()
    hashed = pd.util.hash_pandas_object(frame[shared], index=False)
    return hashed.to_numpy().astype(str)


def _history_rows(
    frame: pd.DataFrame, ident: np.ndarray, client: str | None, date: str | None, label: str | None
) -> pd.DataFrame:
    lab = pd.to_numeric(frame[label], errors="coerce") if label and label in frame else None
    if lab is not None and "label_excluded" in frame:
        lab = lab.where(~frame["label_excluded"].fillna(False).astype(bool))
    return pd.DataFrame(
        {
            "_id": ident,
            "_client": text_col(frame, client).to_numpy(),
            "_date": pd.to_datetime(
                frame[date] if date in frame else pd.Series(pd.NaT, index=frame.index),
                errors="coerce",
            ).to_numpy(),
            "_y": np.zeros(len(frame)) if lab is None else lab.fillna(0).to_numpy(float),
        }
    )


def _history_counts(rows: pd.DataFrame, *, same_day_counts: bool) -> pd.DataFrame:
    """Cumulative counts over rows sorted by client, date, ID (strictly earlier rows)."""
    year = rows["_date"].dt.year
    by_client = rows.groupby("_client", sort=False)
    by_year = rows.groupby([rows["_client"], year], sort=False)
    out = pd.DataFrame({"_row": rows["_row"]})
    out["prior_claims_total"] = by_client.cumcount()
    out["prior_claims_year"] = by_year.cumcount()
    out["prior_justified_year"] = by_year["_y"].cumsum() - rows["_y"]
    days = by_client["_date"].diff().dt.days
    if not same_day_counts:  # no ID: a same-day claim is not "before"
        by_day = rows.groupby(["_client", "_date"], sort=False)
        earlier_today = by_day.cumcount()
        out["prior_claims_total"] -= earlier_today
        out["prior_claims_year"] -= earlier_today
        out["prior_justified_year"] -= by_day["_y"].cumsum() - rows["_y"]
        days = (
            days.where(earlier_today == 0)
            .groupby([rows["_client"], rows["_date"]])
            .transform("first")
        )
    out["days_since_prior_claim"] = days
    return out
