"""Fingerprint of a model trained on the demo data: to prove a refactor changed no prediction.

Run it on two checkouts (before and after) and compare the printed lines:

    .venv/bin/python scripts/prediction_fingerprint.py [--trials 20]

In a temporary data and models folder it generates the demo data (seed 42), trains through
the CLI on claims_2024 with claims_2025 as the test period, scores claims_2025 without rules
or drift, and prints the SHA-256 of the 8,000 probabilities (float64 bytes, as written to the
results workbook), of the decision codes, and of each model artefact. ``metadata.json`` and
``manifest.json`` hold the version name, dates and timings, so they differ on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"python -m core {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fingerprint-") as tmp:
        out = Path(tmp)
        env = {
            **os.environ,
            "WORKBENCH_DATA_DIR": str(out / "data"),
            "WORKBENCH_MODELS_DIR": str(out / "models"),
        }
        demo = out / "demo"
        run("synth", "--out", str(demo), "--seed", "42", env=env)
        run(
            "train",
            "--train",
            str(demo / "claims_2024.xlsx"),
            "--test",
            str(demo / "claims_2025.xlsx"),
            "--trials",
            str(args.trials),
            "--activate",
            env=env,
        )
        scored = out / "scored_2025.xlsx"
        score = ("score", "--input", str(demo / "claims_2025.xlsx"), "--output", str(scored))
        run(*score, "--no-drift", "--no-apply-rules", env=env)
        frame = pd.read_excel(scored, engine="calamine")
        probabilities = frame["Probabilite_Fondee"].to_numpy(dtype="float64")
        codes = frame["Decision_Code"].to_numpy().astype("int64")
        print(f"claims_2025 rows: {len(probabilities)}")
        print(f"probabilities sha256: {hashlib.sha256(probabilities.tobytes()).hexdigest()}")
        print(f"decision codes sha256: {hashlib.sha256(codes.tobytes()).hexdigest()}")
        for path in sorted((out / "models").rglob("*")):
            if path.is_file() and path.name not in ("metadata.json", "manifest.json"):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                print(f"{path.name}: {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
