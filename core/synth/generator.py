"""Deterministic demo data: claims that look like the bank's Excel exports.

``generate_demo(out_dir, seed=42)`` writes three files (each as ``.xlsx`` and as a ``.csv``
copy saved the way a French Excel does: UTF-8, ``;`` separator, decimal comma, dd/mm/yyyy):

* ``claims_2024`` — 33,000 labelled claims of 2024 (training data);
* ``claims_2025`` — 8,000 labelled claims of 2025, drifted (see below);
* ``batch_nouvelles`` — 2,000 unlabelled claims drawn like 2025, IDs following on from
  ``claims_2025`` (a batch to score);

and, beside each labelled file, ``<stem>.truth.csv`` (plain CSV: ``,`` and decimal point)
holding ``ID Réclamation`` and ``p_true``, the true probability each label was drawn from.

The generative model
--------------------
*Clients.* A fixed pool of 100,000 clients is drawn once from the seed. A client has a
7-digit ID (text, leading zeros), a segment (Grand Public, Confort, Premium,
Professionnels), a market consistent with it (Particuliers, Professionnels, Entreprises),
a tenure in years (gamma, longer for Premium) and last year's PNB (lognormal by segment,
so that about 5-10 % of claims ask for more than the client's PNB). The same client keeps
the same attributes in every file; tenure grows by one each year.

*Claims.* A year's claimants are drawn from the pool without replacement; about 40 % of
them file more than one claim that year (1 + Geometric(0.6), at most 10). Dates are spread
over the calendar year, mostly on weekdays. The product family depends on the segment,
the sub-category on the family (4 families, 12 categories, 47 sub-categories, see
:mod:`core.synth.names`). Each sub-category has its own lognormal amount (medians from
100 DH to 50,000 DH, sigma 0.6-1.0) and its own typical delay (4-60 days).

*Label.* ``Fondée`` ~ Bernoulli(p_true), with p_true = sigmoid(logit) and::

    logit = intercept + effect[sub-category] + effect[segment]
            - 0.7 * log(amount / median_2024[sub-category])   # inflated claims fail more
            - 0.5 * min(prior claims of the client this year, 3)
            + 0.03 * (min(tenure, 20) - 8)

"Prior claims" counts the client's claims of the same calendar year that come before
this one (earlier date; same date: lower ID). p_true therefore depends only on what is
known when the claim arrives, so a model can in principle reach it; its AUC against the
labels (about 0.87) is, in expectation, the best any model can do. About 35 % of claims
are justified.

*Drift (2025 on).* Amounts are multiplied by 1.15 (the label still depends on the ratio to
the 2024 medians: the covariate drifts, the concept does not), the Premium share of
claimants doubles, and a new sub-category "Paiement mobile / wallet" appears under
"Opérations par carte" (about 3.5 % of claims; its effect, +0.8, lies between the
weighted (+0.5) and plain (+1.1) means of its category).

Everything comes from ``numpy.random.Generator(PCG64)`` seeded from ``seed`` (one derived
stream per file and per variable): the same seed gives byte-identical CSV and xlsx files.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.synth.names import (
    FAMILIES,
    HIERARCHY,
    NEW_SUBCATEGORY_2025,
    SEGMENTS,
    SUBCATEGORIES,
    SubcategoryProfile,
)
from core.synth.writing import LAYOUT, write_claims_csv, write_claims_xlsx, write_truth

__all__ = ["COLUMNS", "HIERARCHY", "SynthResult", "generate_claims", "generate_demo"]

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = tuple(LAYOUT)

_POOL_SIZE = 100_000
_MAX_ROWS = 150_000  # a year's claimants must fit in the pool
_REPEAT_SHARE = 0.40  # share of a year's claimants with more than one claim
_EXTRA_CLAIMS_P = 0.6  # repeat claimants file 1 + Geometric(p) claims
_MAX_CLAIMS = 10
_WEEKDAY_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.1])  # Monday .. Sunday
_AMOUNT_DRIFT = 1.15
_INTERCEPT = -0.4
_B_AMOUNT = -0.7
_B_PRIOR = -0.5
_MAX_PRIOR = 3
_B_TENURE = 0.03
_DEMO_FILES = (  # stem, rows, year, drift, labelled, id_start
    ("claims_2024", 33_000, 2024, False, True, 1),
    ("claims_2025", 8_000, 2025, True, True, 1),
    ("batch_nouvelles", 2_000, 2025, True, False, 8_001),
)


@dataclass(frozen=True)
class SynthResult:
    """What :func:`generate_demo` wrote."""

    out_dir: Path
    files: tuple[Path, ...]
    rows: dict[str, int]  # data file stem -> row count


@dataclass(frozen=True)
class _ClientPool:
    number: np.ndarray  # int, the client ID before zero-padding
    segment: np.ndarray  # index into SEGMENTS
    market: np.ndarray  # str
    tenure_2024: np.ndarray  # years
    pnb: np.ndarray  # DH


def _build_pool(seed: int) -> _ClientPool:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0])))
    number = rng.choice(999_999, size=_POOL_SIZE, replace=False) + 1
    segment = rng.choice(len(SEGMENTS), size=_POOL_SIZE, p=[s.share_2024 for s in SEGMENTS])
    market = np.empty(_POOL_SIZE, dtype=object)
    tenure = np.empty(_POOL_SIZE)
    pnb = np.empty(_POOL_SIZE)
    for i, seg in enumerate(SEGMENTS):
        idx = np.flatnonzero(segment == i)
        names, probs = zip(*seg.markets, strict=True)
        market[idx] = np.array(names, dtype=object)[rng.choice(len(names), idx.size, p=probs)]
        tenure[idx] = rng.gamma(2.0, seg.tenure_mean / 2.0, idx.size)
        pnb[idx] = rng.lognormal(np.log(seg.pnb_median), seg.pnb_sigma, idx.size)
    return _ClientPool(
        number=number,
        segment=segment,
        market=market,
        tenure_2024=np.clip(np.round(tenure, 1), 0.0, 50.0),
        pnb=np.round(pnb, 2),
    )


def _draw_claim_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Claims per claimant, summing to n: 1, or 1 + Geometric for repeat claimants."""
    repeat = rng.random(n) < _REPEAT_SHARE
    extra = rng.geometric(_EXTRA_CLAIMS_P, size=n)
    counts = np.minimum(np.where(repeat, 1 + extra, 1), _MAX_CLAIMS)
    total = np.cumsum(counts)
    m = int(np.searchsorted(total, n)) + 1
    counts = counts[:m].copy()
    counts[-1] -= total[m - 1] - n
    return counts


def _draw_claimants(
    rng: np.random.Generator, pool: _ClientPool, n_clients: int, drift: bool
) -> np.ndarray:
    """Pool indices of the year's claimants; the drift reweights segments to 2025 shares."""
    pool_share = np.bincount(pool.segment, minlength=len(SEGMENTS)) / _POOL_SIZE
    target = np.array([s.share_2025 if drift else s.share_2024 for s in SEGMENTS])
    weight = (target / pool_share)[pool.segment]
    return rng.choice(_POOL_SIZE, size=n_clients, replace=False, p=weight / weight.sum())


def _draw_dates(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    days = np.arange(f"{year}-01-01", f"{year + 1}-01-01", dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weight = _WEEKDAY_WEIGHTS[weekday]
    return days[rng.choice(days.size, size=n, p=weight / weight.sum())]


def _profiles(drift: bool) -> tuple[SubcategoryProfile, ...]:
    return (*SUBCATEGORIES, NEW_SUBCATEGORY_2025) if drift else SUBCATEGORIES


def _subcategory_probs(profiles: tuple[SubcategoryProfile, ...]) -> np.ndarray:
    """P[segment, sub-category] = P(family | segment) * P(sub-category | family)."""
    family = np.array([FAMILIES.index(p.family) for p in profiles])
    weight = np.array([p.weight for p in profiles])
    within = weight / np.bincount(family, weights=weight)[family]
    fam_w = np.array([s.family_weights for s in SEGMENTS])
    fam_w = fam_w / fam_w.sum(axis=1, keepdims=True)
    return fam_w[:, family] * within


def _draw_subcategories(
    rng: np.random.Generator, segment: np.ndarray, profiles: tuple[SubcategoryProfile, ...]
) -> np.ndarray:
    probs = _subcategory_probs(profiles)
    sub = np.empty(segment.size, dtype=np.int64)
    for s in range(len(SEGMENTS)):
        idx = np.flatnonzero(segment == s)
        sub[idx] = rng.choice(len(profiles), size=idx.size, p=probs[s])
    return sub


def _prior_claims(client: np.ndarray) -> np.ndarray:
    """Claims of the same client earlier in the (already date-then-ID ordered) rows."""
    return pd.Series(client).groupby(client).cumcount().to_numpy()


def _true_probability(
    sub: np.ndarray,
    segment: np.ndarray,
    amount: np.ndarray,
    prior: np.ndarray,
    tenure: np.ndarray,
    profiles: tuple[SubcategoryProfile, ...],
) -> np.ndarray:
    """p_true (see the module docstring); sub and segment index profiles and SEGMENTS."""
    sub_effect = np.array([p.effect for p in profiles])[sub]
    seg_effect = np.array([s.effect for s in SEGMENTS])[segment]
    median = np.array([p.median_amount for p in profiles])[sub]
    logit = (
        _INTERCEPT
        + sub_effect
        + seg_effect
        + _B_AMOUNT * np.log(amount / median)
        + _B_PRIOR * np.minimum(prior, _MAX_PRIOR)
        + _B_TENURE * (np.minimum(tenure, 20.0) - 8.0)
    )
    return 1.0 / (1.0 + np.exp(-logit))


def _draw_clients_and_dates(
    r_clients: np.random.Generator,
    r_dates: np.random.Generator,
    pool: _ClientPool,
    n: int,
    *,
    year: int,
    drift: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Pool index and date of each claim, ordered by date then (random) arrival order."""
    counts = _draw_claim_counts(r_clients, n)
    client = np.repeat(_draw_claimants(r_clients, pool, counts.size, drift), counts)
    dates = _draw_dates(r_dates, n, year)
    order = np.lexsort((r_dates.random(n), dates))
    return client[order], dates[order]


def _draw_amounts_and_delays(
    r_amount: np.random.Generator,
    r_delay: np.random.Generator,
    sub: np.ndarray,
    profiles: tuple[SubcategoryProfile, ...],
    drift: bool,
) -> tuple[np.ndarray, np.ndarray]:
    median = np.array([p.median_amount for p in profiles])[sub]
    sigma = np.array([p.sigma for p in profiles])[sub]
    scale = _AMOUNT_DRIFT if drift else 1.0
    noise = np.exp(sigma * r_amount.standard_normal(sub.size))
    amount = np.round(np.maximum(median * scale * noise, 5.0), 2)
    base_delay = np.array([p.delay_days for p in profiles])[sub]
    delay = np.round(base_delay * np.exp(0.35 * r_delay.standard_normal(sub.size)))
    return amount, np.clip(delay, 1, 180).astype(np.int64)


def generate_claims(
    n: int,
    *,
    seed: int,
    year: int,
    drift: bool = False,
    labelled: bool = True,
    id_start: int = 1,
) -> tuple[pd.DataFrame, np.ndarray]:
    """n claims of the given calendar year.

    Returns (frame with the French reference headers, p_true array aligned with its rows).
    Rows are sorted by date then ID. ``drift=True`` applies the 2025 shift (amounts
    ~ +15 %, segment mix shift, one new sub-category). ``labelled=False`` leaves out the
    ``Fondée`` column. IDs run from ``REC-<year>-<id_start>``; the client pool depends on
    ``seed`` only, the draws of the file on (seed, year, id_start, drift).
    """
    if not 1 <= n <= _MAX_ROWS:
        raise ValueError(f"n must be between 1 and {_MAX_ROWS:,} (got {n})")
    pool = _build_pool(seed)
    r_clients, r_dates, r_sub, r_amount, r_delay, r_label = (
        np.random.Generator(np.random.PCG64(s))
        for s in np.random.SeedSequence([seed, 1, year, id_start, int(drift)]).spawn(6)
    )
    client, dates = _draw_clients_and_dates(r_clients, r_dates, pool, n, year=year, drift=drift)
    profiles = _profiles(drift)
    segment = pool.segment[client]
    sub = _draw_subcategories(r_sub, segment, profiles)
    amount, delay = _draw_amounts_and_delays(r_amount, r_delay, sub, profiles, drift)
    tenure = np.round(np.maximum(pool.tenure_2024[client] + (year - 2024), 0.0), 1)
    p_true = _true_probability(sub, segment, amount, _prior_claims(client), tenure, profiles)
    frame = pd.DataFrame(
        {
            "ID Réclamation": [f"REC-{year}-{i:06d}" for i in range(id_start, id_start + n)],
            "ID Client": [f"{c:07d}" for c in pool.number[client]],
            "Date Réclamation": pd.to_datetime(dates).astype("datetime64[ns]"),
            "Montant demandé": amount,
            "Famille Produit": [profiles[s].family for s in sub],
            "Catégorie": [profiles[s].category for s in sub],
            "Sous-catégorie": [profiles[s].name for s in sub],
            "Délai estimé": delay,
            "Segment": [SEGMENTS[s].name for s in segment],
            "Marché": pool.market[client],
            "anciennete_annees": tenure,
            "PNB analytique (vision commerciale) cumulé": pool.pnb[client],
        }
    )
    if labelled:
        frame["Fondée"] = (r_label.random(n) < p_true).astype(np.int64)
    return frame, p_true


def generate_demo(out_dir: Path, *, seed: int = 42) -> SynthResult:
    """Write the demo files into out_dir (created if needed) and say what was written.

    claims_2024.xlsx (33,000 labelled), claims_2025.xlsx (8,000 labelled, drifted),
    batch_nouvelles.xlsx (2,000 unlabelled, drawn like 2025), each with a CSV copy
    (UTF-8, ';' separator, decimal comma), and beside each labelled file
    <stem>.truth.csv with columns ``ID Réclamation``, ``p_true``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    rows: dict[str, int] = {}
    for stem, n, year, drift, labelled, id_start in _DEMO_FILES:
        started = time.perf_counter()
        frame, p_true = generate_claims(
            n, seed=seed, year=year, drift=drift, labelled=labelled, id_start=id_start
        )
        write_claims_xlsx(frame, out_dir / f"{stem}.xlsx")
        write_claims_csv(frame, out_dir / f"{stem}.csv")
        files += [out_dir / f"{stem}.xlsx", out_dir / f"{stem}.csv"]
        if labelled:
            write_truth(frame, p_true, out_dir / f"{stem}.truth.csv")
            files.append(out_dir / f"{stem}.truth.csv")
        rows[stem] = len(frame)
        log.info("wrote %s (%d rows) in %.1f s", stem, n, time.perf_counter() - started)
    return SynthResult(out_dir=out_dir, files=tuple(files), rows=rows)
