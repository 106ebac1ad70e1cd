"""Helpers shared by the command modules of ``python -m core``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from core.config.identity import Actor
    from core.config.settings import Config
    from core.ingest.report import ValidationReport
    from core.store.database import Store


def open_cli_store(cfg: Config) -> Store:
    """The store, saying on stderr what the command waits for when another process holds it."""
    from core.store.database import open_store

    return open_store(cfg, on_wait=lambda message: print(message, file=sys.stderr, flush=True))


def cli_actor(cfg: Config) -> Actor:
    """Who acts on the command line: the operating-system account (role ``auth.cli_role``)."""
    return cfg.auth.cli_actor()


def _print_report(report: ValidationReport, lang: str) -> None:
    import pandas as pd

    frame = report.to_frame(lang)
    if len(frame):
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(frame.to_string(index=False, max_colwidth=90))
    for line in report.notes(lang):
        print(line)
    print(report.summary(lang))


def _t(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


def _print_rejected(lang: str) -> None:
    print(
        _t(
            lang,
            "Lot refusé : corrigez les erreurs ci-dessus puis recommencez.",
            "Batch rejected: fix the errors above and try again.",
        ),
        file=sys.stderr,
    )
