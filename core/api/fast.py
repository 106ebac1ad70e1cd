"""One claim's probability without pandas: the model's frozen features, computed row-wise.

:meth:`TrainedModel.predict_proba` is vectorised for batches of thousands of claims; for one
claim its fixed cost (hundreds of small pandas operations, an XGBoost ``DMatrix`` built from
a frame) is most of an API request's time. :class:`RowScorer` computes the same features as
:meth:`FeaturePipeline.transform` for one claim from plain values and the pipeline's frozen
statistics (dictionary look-ups and a few floats), then the same margin, calibration and
clipping.

Equality with the vectorised path is not assumed: :meth:`RowScorer.check` scores sample
claims both ways when the model is loaded, and the API uses the row path only when every
feature and probability agrees (else it logs why and keeps the vectorised path).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.config.settings import Config
from core.decide.rules import AMOUNT_ABOVE_PNB, MAX_AUTO_VALIDATIONS, RULE_INPUTS, rule_message
from core.model.features import FeaturePipeline
from core.model.history import HISTORY_FEATURES
from core.model.onehot import feature_name
from core.model.target_encoding import PATH_SEP
from core.model.trained import TrainedModel
from core.store.api_unit import ClientClaims

_HIER = ("family", "category", "subcategory")
_CODED = ("segment", "market")
NAN = float("nan")


def _text(value: Any) -> str:
    """As :func:`core.model.target_encoding.text_col`: missing -> '', else ``str``."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def _number(value: Any) -> float:
    if value is None or isinstance(value, str):
        try:
            return float(value) if value is not None else NAN
        except ValueError:
            return NAN
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def _log1p_clip(value: float, low: float) -> float:
    return NAN if math.isnan(value) else math.log1p(max(value, low))


class RowScorer:
    """Scores one claim (a mapping of frame key -> typed value) as the model does."""

    def __init__(self, model: TrainedModel) -> None:
        pipe: FeaturePipeline = model.features
        self.model = model
        self.pipe = pipe
        self.names = list(pipe.feature_names)
        self.hier = tuple(r for r in _HIER if r in pipe.columns)
        self.codes = {
            key: {level: i + 1 for i, level in enumerate(levels) if level}
            for key, levels in pipe.levels_.items()
        }
        self.linear_names = list(model.linear.feature_names) if model.linear else []
        index = {name: i for i, name in enumerate(self.names)}
        self.linear_index = [index[n] for n in self.linear_names]
        if model.linear is not None:
            linear = model.linear
            self.linear_median, self.linear_mean, self.linear_scale, self.linear_coef = (
                np.asarray(v) for v in (linear.median, linear.mean, linear.scale, linear.coef)
            )
        # Without a claim ID, same-day claims are told apart by a hash of every column: that
        # case keeps the vectorised path.
        self.supported = pipe.has("id") or not pipe.has("client_id", "date")

    # ------------------------------------------------------------------ features
    def features(
        self, row: Mapping[str, Any], history: pd.DataFrame | ClientClaims | None
    ) -> np.ndarray:
        """The feature vector of the claim, in the model's order."""
        pipe = self.pipe
        cols: dict[str, float] = {}
        paths: list[str] = []
        for role in self.hier:
            part = _text(row.get(pipe.columns[role]))
            paths.append(part if not paths else paths[-1] + PATH_SEP + part)
        for i, role in enumerate(self.hier):
            cols[f"rate_{role}"] = self._chain(
                paths[: i + 1], [pipe.rates_[r] for r in self.hier[: i + 1]], pipe.global_rate_
            )
        for flat in pipe._flat_encoded:
            cols[f"rate_{flat}"] = pipe.rates_[flat].get(_text(row.get(flat)), pipe.global_rate_)
        for role, path in zip(self.hier, paths, strict=True):
            cols[f"freq_{role}"] = float(pipe.freqs_[role].get(path, 0.0))
        for extra in pipe.extra_categories:
            cols[f"freq_{extra}"] = float(pipe.freqs_[extra].get(_text(row.get(extra)), 0.0))
        for col, mapping in self.codes.items():
            cols[f"{col}_code"] = float(mapping.get(_text(row.get(col)), 0))
        categories = dict(zip(self.hier, paths, strict=True))
        categories |= {r: _text(row.get(pipe.columns[r])) for r in _CODED if r in pipe.columns}
        categories |= {k: _text(row.get(k)) for k in pipe.extra_categories}
        for name, levels in pipe.onehot_levels_.items():
            value = categories[name]
            for i, level in enumerate(levels):
                cols[feature_name(name, i)] = 1.0 if value == level else 0.0
        cols.update(self._numeric(row, paths))
        if pipe.has("client_id", "date"):
            cols.update(self._history(row, history))
        dev = next(
            (cols[k] for k in ("amount_dev_subcategory", "amount_dev_category") if k in cols), None
        )
        if dev is not None:
            if "rate_segment" in cols:
                cols["segment_rate_x_amount_dev"] = cols["rate_segment"] * dev
            if "prior_claims_year" in cols:
                cols["prior_year_x_amount_dev"] = cols["prior_claims_year"] * dev
        return np.array([cols[name] for name in self.names], dtype=float)

    @staticmethod
    def _chain(paths: list[str], maps: list[Mapping[str, float]], default: float) -> float:
        out = default
        for path, mapping in zip(paths, maps, strict=True):
            found = mapping.get(path)
            if found is not None and not math.isnan(found):
                out = float(found)
        return out

    def _numeric(self, row: Mapping[str, Any], paths: list[str]) -> dict[str, float]:
        pipe = self.pipe
        num = {
            r: _number(row.get(pipe.columns[r]))
            for r in ("amount", "delay", "tenure", "pnb")
            if pipe.has(r)
        }
        out: dict[str, float] = {}
        if "delay" in num:
            out["log_delay"] = _log1p_clip(num["delay"], 0.0)
        if "tenure" in num:
            out["tenure"] = num["tenure"] * pipe.tenure_years_per_unit
        if "pnb" in num:
            out["log_pnb"] = _log1p_clip(num["pnb"], 0.0)
        if "amount" in num:
            amount = num["amount"] if math.isnan(num["amount"]) else max(num["amount"], 0.0)
            log_amount = NAN if math.isnan(amount) else math.log1p(amount)
            out["log_amount"] = log_amount
            if self.hier:
                medians = pipe.medians_
                maps = [medians[r] for r in self.hier]
                fam = self._chain(paths[:1], maps[:1], medians["global"])
                out[f"amount_dev_{self.hier[0]}"] = log_amount - math.log1p(fam)
                if len(paths) > 1:
                    deepest = self._chain(paths, maps, medians["global"])
                    out[f"amount_dev_{self.hier[-1]}"] = log_amount - math.log1p(deepest)
            if "delay" in num:
                delay = num["delay"]
                per_day = amount / max(delay, 1.0) if not math.isnan(delay) else NAN
                out["log_amount_per_delay_day"] = (
                    NAN if math.isnan(per_day) else math.log1p(per_day)
                )
            if "pnb" in num:
                pnb = num["pnb"]
                ratio = amount / pnb if pnb > 0 else NAN  # NaN pnb: comparison is False
                out["log_amount_to_pnb"] = NAN if math.isnan(ratio) else math.log1p(ratio)
                out["amount_above_pnb"] = NAN if math.isnan(ratio) else float(ratio > 1)
        for extra in pipe.extra_numbers:
            out[extra] = _number(row.get(extra))
        return out

    def _history(
        self, row: Mapping[str, Any], history: pd.DataFrame | ClientClaims | None
    ) -> dict[str, float]:
        """Claims of the same client strictly before this one (see core.model.history): an
        earlier date, or the same date and a lower claim ID; the claim's own ID never."""
        pipe = self.pipe
        id_key, client_key, date_key = (pipe.columns.get(r) for r in ("id", "client_id", "date"))
        out = {name: 0.0 for name in HISTORY_FEATURES[:3]} | {HISTORY_FEATURES[3]: NAN}
        client = _text(row.get(client_key))
        raw_date = row.get(date_key)
        date = pd.NaT if raw_date is None else pd.Timestamp(raw_date)
        if client == "" or pd.isna(date) or history is None or not len(history):
            return out
        if isinstance(history, ClientClaims):  # the client's claims, as the store reads them
            clients = None
            ids: Any = history.ids
            dates = history.dates
            labels = np.array(
                [_label(v, x) for v, x in zip(history.labels, history.excluded, strict=True)]
                if pipe.columns.get("label")
                else np.zeros(len(history)),
                dtype=float,
            )
        else:
            if client_key not in history or date_key not in history:
                return out
            clients = history[client_key].to_numpy(dtype=object)
            dates = pd.to_datetime(history[date_key], errors="coerce").to_numpy("datetime64[ns]")
            ids = history[id_key].to_numpy(dtype=object) if id_key in history else None
            labels = _labels(history, pipe.columns.get("label"))
        ident = _text(row.get(id_key)) if id_key else ""
        day = np.datetime64(date.to_datetime64(), "ns")
        total = year = justified = 0.0
        previous: tuple[np.datetime64, str] | None = None
        for k in range(len(history)):
            when = dates[k]
            if np.isnat(when) or (clients is not None and _text(clients[k]) != client):
                continue
            other = "" if ids is None else _text(ids[k])
            if other == ident or not (when < day or (when == day and other < ident)):
                continue
            total += 1
            if when.astype("datetime64[Y]") == day.astype("datetime64[Y]"):
                year += 1
                justified += labels[k]
            if previous is None or (when, other) > previous:
                previous = (when, other)
        if previous is None:
            return out
        days = (day - previous[0]) // np.timedelta64(1, "D")
        return {
            "prior_claims_year": year,
            "prior_claims_total": total,
            "prior_justified_year": justified,
            "days_since_prior_claim": float(days),
        }

    # ------------------------------------------------------------------ probability
    def probability(
        self, row: Mapping[str, Any], history: pd.DataFrame | ClientClaims | None
    ) -> float:
        """The calibrated probability of the claim (clipped to [0, 1] as scoring does)."""
        x = self.features(row, history)
        return float(np.clip(self._calibrated(x[None, :])[0], 0.0, 1.0))

    def _calibrated(self, x: np.ndarray) -> np.ndarray:
        model = self.model
        margin = np.zeros(len(x))
        if model.booster is not None:
            margin += model.weight * model.booster.inplace_predict(x, predict_type="margin")
        if model.linear is not None:  # LinearModel.margin, on the array
            linear = model.linear
            raw = x[:, self.linear_index]
            filled = np.where(np.isnan(raw), self.linear_median, raw)
            z = (filled - self.linear_mean) / self.linear_scale
            margin += (1.0 - model.weight) * (linear.intercept + z @ self.linear_coef)
        return model.calibrator.predict(margin)

    def check(self, frame: pd.DataFrame, history: pd.DataFrame | None) -> str | None:
        """Why the row path differs from the vectorised one on ``frame``'s claims (each scored
        alone with ``history``), or None when every feature and probability agrees."""
        if not self.supported:
            return "the profile has client history but no claim ID"
        model = self.model
        for i in range(len(frame)):
            one = frame.iloc[[i]]
            alone = model.transform(one, history)
            want = alone.to_numpy(float)[0]
            row = one.iloc[0].to_dict()
            try:
                got = self.features(row, history)
            except (KeyError, TypeError, ValueError) as exc:
                return f"claim {i}: {type(exc).__name__} {exc}"
            if not np.allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True):
                pairs = zip(self.names, got, want, strict=True)
                bad = [n for n, a, b in pairs if not np.isclose(a, b, equal_nan=True)]
                return f"claim {i}: features {bad[:5]} differ"
            p = self.probability(row, history)
            q = float(np.clip(model.calibrator.predict(model.margin_of_features(alone))[0], 0, 1))
            if not math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-12):
                return f"claim {i}: probability {p} instead of {q}"
        return None


def _labels(history: pd.DataFrame, label_key: str | None) -> np.ndarray:
    """Known labels of the history rows (0 when unknown or excluded from training)."""
    if not label_key or label_key not in history:
        return np.zeros(len(history))
    labels = history[label_key].to_numpy(dtype=object)
    excluded = (
        history["label_excluded"].to_numpy(dtype=object)
        if "label_excluded" in history
        else np.zeros(len(history), dtype=object)
    )
    return np.array([_label(v, x) for v, x in zip(labels, excluded, strict=True)], dtype=float)


def _label(value: Any, excluded: Any) -> float:
    """A history row's known label, as the vectorised path reads it (0 when unknown,
    unreadable or excluded from training)."""
    if _is_missing(value) or (not _is_missing(excluded) and bool(excluded)):
        return 0.0
    number = _number(value)
    return 0.0 if math.isnan(number) else number


@dataclass(frozen=True)
class OneRuling:
    """The business rules' outcome for one claim (as one row of :class:`RuleOutcome`)."""

    decision: int
    code: str  # "" when no rule moved the claim
    reason_fr: str
    reason_en: str


def rules_for_one(
    row: Mapping[str, Any],
    decision: int,
    cfg: Config,
    prior: pd.DataFrame | ClientClaims | None,
) -> OneRuling:
    """:func:`core.decide.rules.apply_rules` for a one-claim frame, without pandas: the PNB
    rule, then the yearly cap against ``prior``: the automatic validations already stored,
    counted per client and year (:meth:`Store.auto_validation_counts`), or the claim's
    client's stored claims (:class:`ClientClaims`, which count them)."""
    mapped = {c.key for c in cfg.schema.columns}

    def active(rule: str, enabled: bool) -> bool:
        keys = RULE_INPUTS[rule]
        return enabled and all(k in mapped and not _is_missing(row.get(k)) for k in keys)

    if active(AMOUNT_ABOVE_PNB, cfg.rules.amount_above_pnb.enabled) and decision != 0:
        amount, pnb = _number(row.get("amount")), _number(row.get("pnb"))
        if amount > pnb:  # False when either is NaN
            fr, en = (rule_message(AMOUNT_ABOVE_PNB, loc) for loc in ("fr", "en"))
            return OneRuling(0, AMOUNT_ABOVE_PNB, fr, en)
    cap = cfg.rules.max_auto_validations
    if active(MAX_AUTO_VALIDATIONS, cap.enabled) and decision == 1:
        date = pd.to_datetime(row.get("date"), errors="coerce")
        if not pd.isna(date):
            client, year = str(row.get("client_id")), int(date.year)
            already = 0
            if isinstance(prior, ClientClaims):
                already = prior.validations_in(year)
            elif prior is not None and len(prior):
                same = (prior["client_id"].astype(str) == client) & (prior["year"] == year)
                already = int(prior.loc[same, "n"].sum())
            if already >= cap.per_client_per_year:
                fr, en = (
                    rule_message(
                        MAX_AUTO_VALIDATIONS, loc, limit=cap.per_client_per_year,
                        count=already, year=year,
                    )
                    for loc in ("fr", "en")
                )  # fmt: skip
                return OneRuling(0, MAX_AUTO_VALIDATIONS, fr, en)
    return OneRuling(int(decision), "", "", "")


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
