"""Ingest of a 50,000-row .xlsx (read + validate + store) vs pandas+openpyxl reading alone."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pandas as pd

from bench.common import claims_workbook, row, timed
from core.config.loading import load_config
from core.ingest.pipeline import ingest
from core.store.database import Store
from tests.helpers import ADMIN


def run() -> list[dict]:
    path = claims_workbook(50_000)
    cfg = load_config()
    fresh = itertools.count()
    with tempfile.TemporaryDirectory() as tmp:

        def full_ingest() -> object:  # a new database each time: the same file is not re-stored
            with Store(Path(tmp) / f"bench-{next(fresh)}.duckdb") as store:
                return ingest(path, cfg, store, actor=ADMIN)

        ingest_s, result = timed(full_ingest, repeat=3)
    assert result.status == "stored", result.report.summary("en")
    naive_s, _ = timed(lambda: pd.read_excel(path, engine="openpyxl"), repeat=1)
    return [
        row(
            "ingest_xlsx_50k",
            ingest_s,
            naive_s,
            n=result.n_rows,
            what="read+validate+store (calamine, vectorised checks, DuckDB bulk insert)",
            baseline="pandas.read_excel(engine='openpyxl') alone",
            target="ratio >= 3 and seconds <= ~2",
        )
    ]


if __name__ == "__main__":
    import json

    for r in run():
        print(json.dumps(r))
