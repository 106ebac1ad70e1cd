"""Helpers shared by several test modules (not fixtures: plain functions)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from core.config.identity import Actor
from core.config.settings import Config
from core.jobs.turns import Turns
from core.model.trained import TrainedModel
from core.model.training import train
from core.model.training_data import keyed_frame
from core.synth.generator import generate_claims

# The identities tests act as (the role is what the access policy checks).
ADMIN = Actor("admin@banque.test", "Admin Test", "admin")
AUDITOR = Actor("auditeur@banque.test", "Auditeur Test", "auditor")

# The public CFPB extract lives in shared/, beside the repository (as in CI).
CFPB_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cfpb_complaints_2014.csv"


def train_tiny_model(cfg: Config, n: int = 800, seed: int = 5) -> tuple[TrainedModel, pd.DataFrame]:
    """A small model on synthetic 2024 claims (2 Optuna trials, no comparison), and its frame."""
    raw, _ = generate_claims(n, seed=seed, year=2024)
    frame = keyed_frame(raw, cfg.schema)
    return train(frame, None, cfg, trials=2, compare=False).model, frame


@contextmanager
def held_turn(turns: Turns) -> Iterator[threading.Event]:
    """Another thread holds a turn until the block sets the yielded event (or it ends)."""
    release, held = threading.Event(), threading.Event()

    def holder() -> None:
        with turns.turn():
            held.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)
