"""Drift distances in numpy, and the noise they show at a batch's size.

Two distances, as Evidently defines them (so configured thresholds keep their meaning):

- numbers: Wasserstein distance between the batch and the reference, divided by the
  reference's standard deviation (``wasserstein_distance_norm``);
- categories: Jensen-Shannon distance (natural log) between the two frequency tables over
  the union of categories (Evidently's ``jensenshannon`` stattest).

A distance is never exactly zero, even for a batch drawn like the reference, and the smaller
the batch the larger its noise: a fixed threshold alerts on small ordinary batches.
:func:`noise_quantile` measures that noise: it draws many pairs (a batch of ``n`` rows and a
reference of the reference's size) from the reference distribution — multinomial counts over
its values or categories, so the cost does not grow with ``n`` — computes their distances
and returns a high quantile. A batch's threshold is then the larger of that quantile and the
configured threshold, which stays the smallest shift worth an alert.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

NATIVE_METHODS = frozenset({"wasserstein", "jensenshannon"})
MAX_SUPPORT = 200  # numeric reference compressed to this many quantiles for the noise
MIN_STD = 0.001  # Evidently's floor for the reference's standard deviation


def wasserstein_norm(reference: np.ndarray, current: np.ndarray) -> float:
    """Wasserstein distance / std of the reference (exact, on the finite values)."""
    ref = np.sort(reference[np.isfinite(reference)])
    cur = np.sort(current[np.isfinite(current)])
    if not ref.size or not cur.size:
        return float("nan")
    std = max(float(ref.std()), MIN_STD)
    grid = np.unique(np.concatenate([ref, cur]))
    cdf_ref = np.searchsorted(ref, grid[:-1], side="right") / ref.size
    cdf_cur = np.searchsorted(cur, grid[:-1], side="right") / cur.size
    return float(np.abs(cdf_ref - cdf_cur) @ np.diff(grid)) / std


def jensen_shannon(reference: np.ndarray, current: np.ndarray) -> float:
    """Jensen-Shannon distance between the category frequencies (missing values ignored)."""
    ref = _labels(reference)
    cur = _labels(current)
    if not ref.size or not cur.size:
        return float("nan")
    codes, categories = pd.factorize(np.concatenate([ref, cur]))
    k = categories.size
    p = np.bincount(codes[: ref.size], minlength=k)[None, :] / ref.size
    q = np.bincount(codes[ref.size :], minlength=k)[None, :] / cur.size
    return float(_js_rows(p, q)[0])


def distance(method: str, kind_numeric: bool, reference: np.ndarray, current: np.ndarray) -> float:
    if method == "wasserstein" and kind_numeric:
        return wasserstein_norm(reference, current)
    if method == "jensenshannon" and not kind_numeric:
        return jensen_shannon(reference, current)
    raise ValueError(f"{method!r} has no numpy implementation for this kind of column")


def noise_quantiles(
    columns: dict[str, tuple[bool, np.ndarray]],
    clients: np.ndarray | None,
    n: int,
    *,
    quantile: float = 0.999,
    samples: int = 400,
    seed: int = 0,
) -> dict[str, float]:
    """Per column (name -> (numeric?, reference values)), the ``quantile`` of the distances
    between a batch of ``n`` rows and a reference of the reference's size, both drawn like
    the reference.

    Draws are by client when ``clients`` (the reference rows' client ids) is given: a client's
    claims share the segment, the market, the PNB..., so a batch of ``n`` claims carries
    fewer independent values than ``n``, and row-by-row draws would understate the noise.
    The same client draws serve every column. The tail is read from a log-normal fit of the
    ``samples`` distances, steadier at 0.999 than an empirical quantile of a few hundred.
    """
    size = len(next(iter(columns.values()))[1]) if columns else 0
    if not size or n < 1:
        return {name: 0.0 for name in columns}
    codes, n_groups = _groups(clients, size)
    rng = np.random.default_rng(seed)
    share = np.full(n_groups, 1.0 / n_groups)
    draws = max(1, round(n * n_groups / size))
    batch_w = rng.multinomial(draws, share, size=samples).astype(np.float32)
    ref_w = rng.multinomial(n_groups, share, size=samples).astype(np.float32)
    z = _normal_quantile(quantile)
    out = {}
    for name, (numeric, values) in columns.items():
        counts, support, std = _group_counts(numeric, values, codes, n_groups)
        if counts is None:
            out[name] = 0.0
            continue
        batch, ref = (counts.T @ batch_w.T).T, (counts.T @ ref_w.T).T  # sparse x dense
        keep = (batch.sum(axis=1) > 0) & (ref.sum(axis=1) > 0)
        batch, ref = batch[keep], ref[keep]
        batch /= batch.sum(axis=1, keepdims=True)
        ref /= ref.sum(axis=1, keepdims=True)
        if numeric:
            gaps = np.diff(support)
            cdf_gap = np.abs(np.cumsum(batch, axis=1) - np.cumsum(ref, axis=1))[:, :-1]
            dist = (cdf_gap @ gaps) / std
        else:
            dist = _js_rows(ref.astype(float), batch.astype(float))
        logs = np.log(dist[dist > 0])
        out[name] = float(np.exp(logs.mean() + z * logs.std())) if logs.size > 10 else 0.0
    return out


def _groups(clients: np.ndarray | None, size: int) -> tuple[np.ndarray, int]:
    """Group code of each reference row: its client, or the row itself."""
    if clients is None:
        return np.arange(size), size
    keys = np.asarray([str(c) if c is not None and c == c else f"\x00{i}" for i, c in
                       enumerate(clients)], dtype=object)  # fmt: skip
    _, codes = np.unique(keys, return_inverse=True)
    return codes, int(codes.max()) + 1


def _group_counts(
    numeric: bool, values: np.ndarray, codes: np.ndarray, n_groups: int
) -> tuple[sparse.csr_matrix | None, np.ndarray, float]:
    """(groups x support counts as float32, support, std) of one column's reference."""
    if numeric:
        values = np.asarray(values, dtype=float)
        ok = np.isfinite(values)
        if ok.sum() < 2:
            return None, np.empty(0), 1.0
        finite = values[ok]
        support, _ = _compressed(finite)
        value_codes = np.clip(np.searchsorted(support, finite), 0, support.size - 1)
        std = max(float(finite.std()), MIN_STD)
    else:
        labels = np.asarray([None if v is None or (isinstance(v, float) and v != v) else str(v)
                             for v in values], dtype=object)  # fmt: skip
        ok = labels != None  # noqa: E711 (element-wise on an object array)
        if ok.sum() < 2:
            return None, np.empty(0), 1.0
        value_codes, support = pd.factorize(labels[ok].astype(str), sort=True)
        std = 1.0
    k = support.size
    ones = np.ones(int(ok.sum()), dtype=np.float32)
    counts = sparse.csr_matrix((ones, (codes[ok], value_codes)), shape=(n_groups, k))
    return counts, support, std


def _normal_quantile(q: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(q)


def _compressed(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and their shares, or MAX_SUPPORT quantiles of equal share."""
    support, counts = np.unique(values, return_counts=True)
    if support.size <= MAX_SUPPORT:
        return support, counts / values.size
    points = np.quantile(values, (np.arange(MAX_SUPPORT) + 0.5) / MAX_SUPPORT)
    support, counts = np.unique(points, return_counts=True)
    return support, counts / MAX_SUPPORT


def _labels(values: np.ndarray) -> np.ndarray:
    """Non-missing values as text (categories compare by their text)."""
    return pd.Series(values, dtype=object).dropna().astype(str).to_numpy(dtype=object)


def _js_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise Jensen-Shannon distance (natural log), as scipy computes it: 0 log 0 = 0."""
    p = p / p.sum(axis=1, keepdims=True)
    q = q / q.sum(axis=1, keepdims=True)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum(axis=1)
        kl_q = np.where(q > 0, q * np.log(q / m), 0.0).sum(axis=1)
    return np.sqrt(np.clip((kl_p + kl_q) / 2, 0.0, None))
