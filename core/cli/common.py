"""Helpers shared by the command modules of ``python -m core`` (core.cli, core.cli_*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from core.ingest.report import ValidationReport


def _print_report(report: ValidationReport, lang: str) -> None:
    import pandas as pd

    frame = report.to_frame(lang)
    if len(frame):
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(frame.to_string(index=False, max_colwidth=90))
    print(report.summary(lang))


def _t(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


def _print_rejected(lang: str) -> None:
    import sys

    print(
        _t(
            lang,
            "Lot refusé : corrigez les erreurs ci-dessus puis recommencez.",
            "Batch rejected: fix the errors above and try again.",
        ),
        file=sys.stderr,
    )
