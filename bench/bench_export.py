"""Benchmark: write 50,000 scored claims (17 columns) to a styled .xlsx.

Compared, in the same run and on the same frame, with the naive
``pandas.DataFrame.to_excel(engine="openpyxl")`` (no styling, and formula-injectable).
The fallback engine (pure-Python xlsxwriter) is measured too. Prints one JSON line per result:

    python -m bench.bench_export
    {"bench": "export_xlsx_50k", "n": 50000, "seconds": 0.7, "naive_seconds": 13.4, ...}
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import row, timed
from core.report.export import DECISION_LABELS, write_results

N_ROWS = 50_000
DATES, AMOUNTS = (
    ["Date Réclamation"],
    ["Montant demandé", "PNB analytique (vision commerciale) cumulé"],
)


def scored_frame(n: int = N_ROWS, seed: int = 7) -> pd.DataFrame:
    """A realistic scored batch: 13 input columns (text, float, int, date) + 4 results."""
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    codes = np.where(p < 0.15, -1, np.where(p >= 0.85, 1, 0))
    amounts = np.round(rng.lognormal(7, 1.2, n), 2)
    amounts[rng.random(n) < 0.01] = np.nan
    labels = DECISION_LABELS["fr"]
    return pd.DataFrame(
        {
            "ID Réclamation": [f"{i:08d}" for i in rng.integers(0, 10**8, n)],
            "ID Client": [f"CL{i:07d}" for i in rng.integers(0, 10**6, n)],
            "Date Réclamation": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "Montant demandé": amounts,
            "Famille Produit": rng.choice(["Cartes", "Comptes", "Crédits", "Épargne"], n),
            "Catégorie": rng.choice([f"Catégorie {i}" for i in range(12)], n),
            "Sous-catégorie": rng.choice([f"Sous-catégorie {i:02d}" for i in range(47)], n),
            "Délai estimé": rng.integers(1, 60, n),
            "Segment": rng.choice(["Particuliers", "Professionnels", "Entreprises", "PME"], n),
            "Marché": rng.choice(["Retail", "Corporate"], n),
            "anciennete_annees": np.round(rng.random(n) * 30, 1),
            "PNB analytique (vision commerciale) cumulé": np.round(rng.lognormal(9, 1, n), 2),
            "Commentaire": rng.choice(["", "Relance client", '=HYPERLINK("http://x","y")'], n),
            "Probabilite_Fondee": p,
            "Decision_Modele": [labels[c] for c in codes.tolist()],
            "Decision_Finale": [labels[c] for c in codes.tolist()],
            "Decision_Code": codes,
            "Motif_Regle": np.where(rng.random(n) < 0.1, "Montant supérieur au PNB", ""),
            "Controle_Qualite": (rng.random(n) < 0.05).astype(int),
        }
    )


def run(n: int = N_ROWS, repeat: int = 3) -> list[dict]:
    """Median time of each engine over ``repeat`` writes; the naive writer once (~12 s)."""
    frame = scored_frame(n)
    options = {"date_columns": DATES, "amount_columns": AMOUNTS}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        naive, _ = timed(lambda: frame.to_excel(out / "naive.xlsx", engine="openpyxl", index=False))
        for name, engine, times in (
            ("export_xlsx_50k", "rust", repeat),
            ("export_xlsx_50k_xlsxwriter", "xlsxwriter", 1),
        ):
            target = out / f"{engine}.xlsx"
            seconds, _ = timed(
                lambda e=engine, t=target: write_results(frame, t, engine=e, **options), times
            )
            size = target.stat().st_size
            results.append(row(name, seconds, naive, n=n, engine=engine, bytes=size))
    return results


if __name__ == "__main__":
    for line in run():
        print(json.dumps(line, ensure_ascii=False))
