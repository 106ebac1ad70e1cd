"""Client-history features of the feature pipeline (:mod:`core.model.features`).

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

from collections.abc import Mapping

import numpy as np
import pandas as pd

from core.model.target_encoding import text_col

__all__ = ["HISTORY_DESCRIPTIONS", "HISTORY_FEATURES", "client_history", "history_features"]

HISTORY_FEATURES = (
    "prior_claims_year",
    "prior_claims_total",
    "prior_justified_year",
    "days_since_prior_claim",
)
HISTORY_DESCRIPTIONS = {  # the feature table's descriptions (FeaturePipeline.feature_table)
    "prior_claims_year": "Claims of the same client earlier in the same calendar year "
    "(earlier date, or same date and lower ID)",
    "prior_claims_total": "Claims of the same client earlier in the available history",
    "prior_justified_year": "Earlier claims of the client this calendar year known to be "
    "justified (labels known at the time; see the train/serve caveat)",
    "days_since_prior_claim": "Days since the client's previous claim (missing if none)",
}


def history_features(
    frame: pd.DataFrame, history: pd.DataFrame | None, columns: Mapping[str, str]
) -> dict[str, np.ndarray]:
    """The history features of ``frame`` (``columns``: role -> frame key, present roles);
    none without a client and a date column."""
    if not all(r in columns for r in ("client_id", "date")):
        return {}
    roles = {r: columns.get(r) for r in ("id", "client_id", "date", "label")}
    table = client_history(frame, history, roles)
    return {name: table[name].to_numpy(float) for name in HISTORY_FEATURES}


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
        {name: np.zeros(len(frame)) for name in HISTORY_FEATURES[:3]}
        | {HISTORY_FEATURES[3]: np.nan}
    )
    mine = counts[counts["_row"] >= 0]
    out.iloc[mine["_row"].to_numpy()] = mine[list(HISTORY_FEATURES)].to_numpy(float)
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
