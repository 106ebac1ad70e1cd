"""Benchmark of one threshold-slider move on 100,000 claims (target: <= 150 ms of server time).

Run with ``python -m bench.bench_slider`` from the project root; prints one JSON line per
measurement (``bench``, ``n``, ``seconds`` = median per move, ``naive_seconds``, ``ratio``).

What a move costs in the app: the thresholds page runs the slider and what it drives in an
``@st.fragment`` whose computation is :func:`app.components.threshold_view.build_view`
(one O(log n) evaluation of the cached cost surface + four plotly figures + the metric
cards), plus Streamlit's own serialisation of each figure (``fig.to_dict()`` then
``plotly.io.to_json``, as ``st.plotly_chart`` does). The cost surface and its 101 x 101
grid come from ``st.cache_resource``.

Naive references, measured in the same run:

* ``naive_refit``: no cache — the surface is fitted and the grid recomputed on every move
  (arrays already in memory), then the same view;
* ``naive_page``: no cache and no fragment — every move reloads the scored batch from
  DuckDB, refits, recomputes the grid and the suggestions, then the view.

Finally an AppTest run (optional, ``APPTEST_MOVES``) times ``at.run()`` after moving the
slider on a stored 100k-claim batch. AppTest reruns the WHOLE page script (no fragment-only
reruns), queries the store and processes every element, so it is an upper bound on the
server time of a move, not the fragment's time.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio

from app.components.threshold_logic import (
    CapacityLimit,
    ClaimsArrays,
    GuaranteeTarget,
    arrays_from_frame,
    fit_surface,
    net_gain_grid,
    suggest,
)
from app.components.threshold_view import build_view
from core.config.loading import load_config
from core.decide.costs import CostModel
from tests.helpers import ADMIN

N = 100_000
MOVES = 30
NAIVE_PAGE_MOVES = 5
APPTEST_MOVES = 10
TARGET_SECONDS = 0.150
PUBLISHED = (0.15, 0.85)


def _claims(n: int, seed: int = 0) -> pd.DataFrame:
    """Scored claims like a stored batch: probability, amount, label (1 = justified)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(0.7, 1.6, n)
    return pd.DataFrame(
        {
            "probability": p,
            "amount": np.round(rng.lognormal(7.3, 1.0, n), 2),
            "label": pd.array((rng.random(n) < p).astype(np.int8), dtype="Int8"),
        }
    )


def _moves(count: int) -> list[tuple[float, float]]:
    """Keyboard-like moves: the low handle steps right by 0.01, then the high handle."""
    half = count // 2
    lows = [(round(0.10 + 0.01 * k, 2), 0.85) for k in range(half)]
    highs = [(round(0.10 + 0.01 * half, 2), round(0.85 - 0.01 * k, 2)) for k in range(count - half)]
    return lows + highs


def _serialise(view) -> None:
    """What st.plotly_chart does to each figure before sending it."""
    for fig in view.figures.values():
        pio.to_json(fig.to_dict(), validate=False)


def _median(fn: Callable[[tuple[float, float]], object], moves: list) -> float:
    times = []
    for pair in moves:
        start = time.perf_counter()
        fn(pair)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _suggestions(surface, arrays: ClaimsArrays) -> dict[str, tuple[float, float]]:
    choices = suggest(surface, arrays, CapacityLimit(max_share=0.3), GuaranteeTarget())
    return {c.source: (c.low, c.high) for c in choices}


def _row(bench: str, seconds: float, naive: float | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"bench": bench, "n": N, "seconds": round(seconds, 5)}
    if naive is not None:
        out["naive_seconds"] = round(naive, 5)
        out["ratio"] = round(naive / seconds, 1) if seconds > 0 else None
    return {**out, **extra}


def _bench_in_memory(frame: pd.DataFrame, costs: CostModel) -> list[dict]:
    arrays = arrays_from_frame(frame, "bench")
    start = time.perf_counter()
    surface = fit_surface(arrays, costs)
    grid = net_gain_grid(surface)
    fit_seconds = time.perf_counter() - start
    markers = _suggestions(surface, arrays)
    moves = _moves(MOVES)
    build_view(surface, grid, moves[0], markers, PUBLISHED, "fr")  # plotly's first-use import

    def cached(pair: tuple[float, float]) -> None:
        build_view(surface, grid, pair, markers, PUBLISHED, "fr")

    def cached_sent(pair: tuple[float, float]) -> None:
        _serialise(build_view(surface, grid, pair, markers, PUBLISHED, "fr"))

    def refit(pair: tuple[float, float]) -> None:
        fresh = fit_surface(arrays, costs)
        _serialise(build_view(fresh, net_gain_grid(fresh), pair, markers, PUBLISHED, "fr"))

    compute, sent = _median(cached, moves), _median(cached_sent, moves)
    naive = _median(refit, moves)
    return [
        _row("surface_fit_and_grid_once", fit_seconds, note="paid once per (claims, costs)"),
        _row(
            "slider_move_compute",
            compute,
            moves=MOVES,
            target_seconds=TARGET_SECONDS,
            method="build_view: evaluate + 4 figures + metric cards (cached surface and grid)",
        ),
        _row(
            "slider_move_with_serialisation",
            sent,
            naive,
            moves=MOVES,
            target_seconds=TARGET_SECONDS,
            method="build_view + fig.to_dict() + plotly.io.to_json per figure",
            naive_method="same, refitting the surface and recomputing the grid on every move",
        ),
    ]


def _stored_batch(root: Path, frame: pd.DataFrame):
    """A store holding ``frame`` as one stored batch: (store, batch id, its scores to save)."""
    from core.store.database import Store

    store = Store(root / "data" / "workbench.duckdb")
    claims = pd.DataFrame(
        {
            "id": [f"B-{i}" for i in range(len(frame))],
            "amount": frame["amount"],
            "label": frame["label"],
            "row_number": np.arange(2, len(frame) + 2, dtype=np.int32),
        }
    )
    batch_id = store.save_batch(
        claims,
        file_name="bench.xlsx",
        sha256="b" * 64,
        sheet=None,
        profile="default",
        actor=ADMIN,
        report_json="{}",
    ).batch_id
    codes = np.where(frame["probability"] < 0.15, -1, np.where(frame["probability"] >= 0.85, 1, 0))
    scores = pd.DataFrame(
        {
            "row_number": claims["row_number"],
            "probability": frame["probability"],
            "decision": codes,
            "decision_model": codes,
            "rule_flags": "",
            "rule_reason": "",
        }
    )
    return store, batch_id, scores


def _bench_naive_page(store, batch_id: int, costs: CostModel, sent_seconds: float) -> dict:
    from core.scoring.stored import load_scores

    def whole_page(pair: tuple[float, float]) -> None:
        arrays = arrays_from_frame(load_scores(batch_id, store), "bench")
        surface = fit_surface(arrays, costs)
        markers = _suggestions(surface, arrays)
        _serialise(build_view(surface, net_gain_grid(surface), pair, markers, PUBLISHED, "fr"))

    naive = _median(whole_page, _moves(NAIVE_PAGE_MOVES))
    return _row(
        "slider_move_vs_uncached_page",
        sent_seconds,
        naive,
        moves=NAIVE_PAGE_MOVES,
        naive_method="no cache, no fragment: reload 100k scores from DuckDB, refit, grid, "
        "suggestions, view and serialisation on every move",
    )


def _bench_apptest(root: Path, moves: int) -> dict:
    """Median at.run() after a slider move (whole-script rerun: an upper bound)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["WORKBENCH_DATA_DIR"] = str(root / "data")
    os.environ["WORKBENCH_MODELS_DIR"] = str(root / "models")
    st.cache_resource.clear()
    st.cache_data.clear()
    main = str(Path(__file__).resolve().parents[1] / "app" / "main.py")
    at = AppTest.from_file(main, default_timeout=300)
    at.run()
    at.switch_page("views/thresholds.py")
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        error = at.exception[0]
        return {
            "bench": "slider_move_apptest",
            "error": error.message,
            "trace": error.stack_trace[-3:],
        }
    times, gains = [], set()
    for low, high in _moves(moves):
        at.slider(key="thresholds.pair").set_value((low, high))
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        gains.add(at.metric[0].value)
    if at.exception or len(gains) < 2:
        return {"bench": "slider_move_apptest", "error": "the page did not redraw the net gain"}
    return _row(
        "slider_move_apptest_upper_bound",
        statistics.median(times),
        moves=moves,
        first_run_seconds=round(first, 3),
        distinct_net_gains_shown=len(gains),
        method="AppTest at.run() after slider.set_value: whole page rerun (no fragment), "
        "store queries and element processing included",
    )


def run(apptest: bool = True) -> list[dict]:
    cfg = load_config()
    costs = CostModel.from_config(cfg.costs)
    frame = _claims(N)
    rows = _bench_in_memory(frame, costs)
    sent = rows[2]["seconds"]
    with tempfile.TemporaryDirectory(prefix="bench-slider-") as tmp:
        root = Path(tmp)
        store, batch_id, scores = _stored_batch(root, frame)
        try:
            version = _register_model(root, store) if apptest else "bench"
            store.save_scores(
                batch_id, scores, model_version=version, thresholds_id=None, actor=ADMIN
            )
            rows.append(_bench_naive_page(store, batch_id, costs, sent))
        finally:
            store.close()
        if apptest:
            saved = {k: os.environ.get(k) for k in ("WORKBENCH_DATA_DIR", "WORKBENCH_MODELS_DIR")}
            try:
                rows.append(_bench_apptest(root, APPTEST_MOVES))
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
    return rows


def _register_model(root: Path, store) -> str:
    """A tiny trained model registered and active (the page needs an active model)."""
    from dataclasses import replace

    from core.model.registry import Registry
    from tests.helpers import train_tiny_model

    base = load_config()
    paths = replace(base.paths, database=root / "data" / "workbench.duckdb")
    model = train_tiny_model(replace(base, paths=paths), n=800)[0]
    return Registry(root / "models", store).register(model, actor=ADMIN, activate=True).version


if __name__ == "__main__":
    for result in run(apptest=os.environ.get("BENCH_APPTEST", "1") != "0"):
        print(json.dumps(result, ensure_ascii=False), flush=True)
