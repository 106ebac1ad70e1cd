"""`python -m bench [name ...]`: run the benchmarks and print one JSON line per measurement.

Each benchmark module exposes ``run() -> list[dict]``; every line names the bench and, where
it makes sense, the naive way measured in the same run and the ratio between the two
(these machines are noisy: compare ratios, not absolute seconds across runs).
"""

from __future__ import annotations

import importlib
import json
import sys
import time

MODULES = [
    "bench.bench_ingest",
    "bench.bench_decisions",
    "bench.bench_export",
    "bench.bench_scoring",
    "bench.bench_slider",
    "bench.bench_explain",
    "bench.bench_drift",
    "bench.bench_training",
    "bench.bench_pages",
    "bench.bench_api",
]


def main(argv: list[str]) -> int:
    chosen = [m for m in MODULES if not argv or any(a in m for a in argv)]
    failed = 0
    for name in chosen:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(json.dumps({"bench": name, "skipped": f"not available: {exc.name}"}), flush=True)
            continue
        start = time.perf_counter()
        try:
            for row in module.run():
                print(json.dumps(row, ensure_ascii=False), flush=True)
        except Exception as exc:  # a broken bench must not hide the others
            failed += 1
            print(json.dumps({"bench": name, "error": repr(exc)}), flush=True)
        print(
            json.dumps({"bench": name, "total_seconds": round(time.perf_counter() - start, 2)}),
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
