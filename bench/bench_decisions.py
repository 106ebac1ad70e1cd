"""Benchmark of the decision/cost layer at 1M claims.

Run with ``python -m bench.bench_decisions`` from the project root; prints one JSON line per
measurement: ``{"bench", "n", "seconds", "naive_seconds", "ratio", ...}``, ``ratio`` being
naive / fast. Targets: 101x101 surface <= 0.5 s, one evaluation <= 1 ms (fit excluded and
reported on its own line).

Naive references: ``core.decisions.evaluate`` (one full per-claim numpy pass per threshold
pair). For the surface it is timed on a random sample of the valid grid pairs and
extrapolated to all of them (running all 5,151 would take minutes).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from core.decide.costs import CostModel
from core.decide.decisions import CostSurface, evaluate
from core.decide.thresholds import choose_capacity, choose_cost_minimum, choose_guarantee

N = 1_000_000
GRID = 101
SAMPLED_PAIRS = 20
EVALUATE_CALLS = 2_000
NAIVE_CALLS = 7


def _claims(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(0.7, 0.7, n)
    y = (rng.random(n) < p).astype(np.int8)
    amount = rng.lognormal(7.5, 1.0, n)
    return p, amount, y


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(bench: str, n: int, seconds: float, naive: float | None, **extra: Any) -> dict[str, Any]:
    ratio = None if naive is None else round(naive / seconds, 1)
    return {
        "bench": bench,
        "n": n,
        "seconds": seconds,
        "naive_seconds": naive,
        "ratio": ratio,
        **extra,
    }


def _bench_surface(surface: CostSurface, p, amount, y, costs: CostModel) -> dict[str, Any]:
    grid = np.linspace(0.0, 1.0, GRID)
    fast = _median_time(lambda: surface.surface(grid, grid), 5)
    lows, highs = np.meshgrid(grid, grid, indexing="ij")
    valid = np.flatnonzero(lows.ravel() <= highs.ravel())
    rng = np.random.default_rng(1)
    sample = rng.choice(valid, SAMPLED_PAIRS, replace=False)
    start = time.perf_counter()
    for k in sample:
        evaluate(p, lows.flat[k], highs.flat[k], costs=costs, amount=amount, y=y)
    per_pair = (time.perf_counter() - start) / SAMPLED_PAIRS
    return _row(
        f"cost_surface_{GRID}x{GRID}",
        surface.n,
        fast,
        per_pair * valid.size,
        target_seconds=0.5,
        naive_method=(
            f"evaluate() full per-claim numpy pass, timed on {SAMPLED_PAIRS} random pairs, "
            f"extrapolated to the {valid.size} pairs with low <= high"
        ),
    )


def _bench_evaluate(surface: CostSurface, p, amount, y, costs: CostModel) -> dict[str, Any]:
    rng = np.random.default_rng(2)
    pairs = np.sort(rng.random((EVALUATE_CALLS, 2)), axis=1)
    times = []
    for low, high in pairs:
        start = time.perf_counter()
        surface.evaluate(low, high)
        times.append(time.perf_counter() - start)
    naive = _median_time(
        lambda: evaluate(p, 0.2, 0.8, costs=costs, amount=amount, y=y), NAIVE_CALLS
    )
    return _row(
        "evaluate_one_pair",
        surface.n,
        statistics.median(times),
        naive,
        target_seconds=0.001,
        naive_method=f"evaluate() full per-claim numpy pass, median of {NAIVE_CALLS} calls",
        calls=EVALUATE_CALLS,
    )


def run() -> list[dict[str, Any]]:
    """All measurements at N claims (labels and amounts present, auditor error rate set)."""
    p, amount, y = _claims(N)
    costs = CostModel(auditor_error_rate=0.02, wrongful_rejection_factor=0.05)
    start = time.perf_counter()
    surface = CostSurface(p, amount, y, costs=costs)
    rows = [_row("cost_surface_fit", N, time.perf_counter() - start, None)]
    rows.append(_bench_surface(surface, p, amount, y, costs))
    rows.append(_bench_evaluate(surface, p, amount, y, costs))
    choosers = {
        "choose_cost_minimum_grid": lambda: choose_cost_minimum(surface),
        "choose_cost_minimum_exact": lambda: choose_cost_minimum(surface, grid=None),
        "choose_capacity_exact": lambda: choose_capacity(surface, max_share=0.05),
        "choose_guarantee": lambda: choose_guarantee(p, y, epsilon=0.05, delta=0.1),
    }
    for name, fn in choosers.items():
        rows.append(_row(name, N, _median_time(fn, 3), None))
    return rows


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
