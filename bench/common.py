"""Shared helpers for the benchmarks: timing and a cached 50k-row claims workbook."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def claims_workbook(n: int = 50_000, seed: int = 7) -> Path:
    """A realistic n-row claims .xlsx (demo generator, 2025 drift), written once and reused."""
    from core.synth.generator import generate_claims
    from core.synth.writing import write_claims_xlsx

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"claims_{n}_{seed}.xlsx"
    if not path.exists():
        frame, _ = generate_claims(n, seed=seed, year=2025, drift=True)
        write_claims_xlsx(frame, path)
    return path


def row(bench: str, seconds: float, naive: float | None = None, **extra: object) -> dict:
    out: dict = {"bench": bench, "seconds": round(seconds, 4)}
    if naive is not None:
        out["naive_seconds"] = round(naive, 4)
        out["ratio"] = round(naive / seconds, 2) if seconds > 0 else None
    out.update(extra)
    return out
