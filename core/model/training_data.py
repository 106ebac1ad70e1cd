"""Training data: keyed demo frames, labelled rows, and the train / validation / test split.

Used by :func:`core.training.train` (steps 1-2 of its module doc): rows with an unknown
label or ``label_excluded`` are dropped; with a date column the split is time-based (test =
the later period, or the last 20 % of dates; validation = the last ~20 % of the training
period), without one stratified. Rows sharing a date stay on the same side of every cut.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config.schema import SchemaConfig
from core.exceptions import TrainingError

__all__ = [
    "MIN_PER_CLASS",
    "MIN_ROWS",
    "SplitParts",
    "keyed_frame",
    "label_values",
    "labelled_rows",
    "split_frame",
    "split_parts",
]

log = logging.getLogger(__name__)

MIN_ROWS = 50
MIN_PER_CLASS = 10


@dataclass(frozen=True)
class SplitParts:
    """Labelled rows of each part, the history each is transformed with, the split kind."""

    fit: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame
    history: pd.DataFrame  # the whole training frame (all rows)
    kind: str


def keyed_frame(raw: pd.DataFrame, schema: SchemaConfig) -> pd.DataFrame:
    """Rename reference headers to keys and map the label, for *clean* generated data.

    For the demo generator's frames in tests and benchmarks; user files go through
    :func:`core.ingest.pipeline.validate_file`, which does this with full validation.
    """
    names = {c.name: c.key for c in schema.columns if c.name in raw.columns}
    frame = raw.rename(columns=names)[list(names.values())].copy()
    label = schema.by_role("label")
    if label is not None and label.key in frame:
        text = frame[label.key].astype(str).str.strip().str.lower()
        pos, neg = set(schema.label.positive), set(schema.label.negative)
        mapped = np.where(text.isin(pos), 1.0, np.where(text.isin(neg), 0.0, np.nan))
        frame[label.key] = pd.array(pd.Series(mapped).astype("Int8"), dtype="Int8")
        frame["label_excluded"] = False
    frame["row_number"] = np.arange(2, len(frame) + 2)
    return frame


def labelled_rows(frame: pd.DataFrame, schema: SchemaConfig) -> pd.DataFrame:
    """Rows usable for training: label 0/1 and not excluded."""
    label = schema.by_role("label")
    if label is None or label.key not in frame:
        raise TrainingError("Training needs a label column (role 'label') in the file.")
    if not schema.label.declared:
        raise TrainingError(
            f"Le profil ne dit pas quelles valeurs de « {label.name} » sont fondées : ajoutez "
            "schema.label.positive et schema.label.negative au profil (ex. positive: [y], "
            f"negative: [n]). / The profile does not say which values of « {label.name} » "
            "mean justified: add schema.label.positive and schema.label.negative to the "
            "profile (e.g. positive: [y], negative: [n]); the default lists are not inherited "
            "by another label column."
        )
    keep = pd.to_numeric(frame[label.key], errors="coerce").isin([0, 1])
    if "label_excluded" in frame:
        keep &= ~frame["label_excluded"].fillna(False).astype(bool)
    return frame[keep.to_numpy()]


def split_frame(
    frame: pd.DataFrame, schema: SchemaConfig, *, share: float = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(earlier, later, kind): the last ``share`` of rows by date, else stratified.

    Rows sharing a date stay together; rows without a date stay in the earlier part.
    Falls back to stratified when the later part would lack either class.
    """
    date = schema.by_role("date")
    y = label_values(frame, schema)
    if date is not None and date.key in frame and frame[date.key].notna().any():
        dates = pd.to_datetime(frame[date.key], errors="coerce")
        ordered = dates.dropna().sort_values()
        cut = ordered.iloc[min(len(ordered) - 1, int(len(ordered) * (1 - share)))]
        later = (dates >= cut).to_numpy()
        if _enough(y[later]) and _enough(y[~later]):
            return frame[~later], frame[later], "time"
        log.warning("time split leaves a class too rare; splitting stratified instead")
    rng = np.random.default_rng(seed)
    later = np.zeros(len(frame), dtype=bool)
    for cls in (0.0, 1.0):
        idx = np.flatnonzero(y == cls)
        later[rng.choice(idx, size=round(len(idx) * share), replace=False)] = True
    return frame[~later], frame[later], "stratified"


def _enough(y: np.ndarray) -> bool:
    return len(y) >= MIN_ROWS // 2 and min((y == 0).sum(), (y == 1).sum()) >= MIN_PER_CLASS // 2


def label_values(frame: pd.DataFrame, schema: SchemaConfig) -> np.ndarray:
    """The label column as floats (0 / 1, NaN when unknown)."""
    key = schema.by_role("label").key  # type: ignore[union-attr]
    return pd.to_numeric(frame[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def split_parts(
    train_frame: pd.DataFrame, test_frame: pd.DataFrame | None, schema: SchemaConfig, seed: int
) -> SplitParts:
    """Fit / validation / test parts of the labelled rows (``test_frame``: a fixed test)."""
    data = labelled_rows(train_frame, schema)
    if len(data) < MIN_ROWS or not _enough(label_values(data, schema)):
        raise TrainingError(
            f"Not enough labelled claims to train: {len(data)} rows; need at least {MIN_ROWS} "
            f"with {MIN_PER_CLASS} of each class."
        )
    if test_frame is None:
        data, test, kind_test = split_frame(data, schema, seed=seed)
    else:
        test = labelled_rows(test_frame, schema)
        kind_test = "time" if schema.has("date") else "stratified"
        if not len(test):
            raise TrainingError("The test file holds no labelled claims.")
    fit, valid, kind_valid = split_frame(data, schema, seed=seed)
    kind = "time" if kind_test == kind_valid == "time" else "stratified"
    return SplitParts(fit, valid, test, train_frame, kind)
