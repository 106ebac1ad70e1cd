"""Helpers shared by the command modules of ``python -m core``."""

from __future__ import annotations

import gc
import re
import shutil
import sys
import textwrap
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


def end_start_up() -> None:
    """The command's imports are done: turn the cyclic garbage collector back on when
    ``python -m core`` turned it off for the start-up (core/__main__.py). Nothing to do when
    it runs (``main()`` called by a test or another program)."""
    if not gc.isenabled():
        gc.enable()


def cli_actor(cfg: Config) -> Actor:
    """Who acts on the command line: the operating-system account (role ``auth.cli_role``)."""
    return cfg.auth.cli_actor()


# French spacing that a line must never break: « x », "mot :" — glued while wrapping.
_GLUE = re.compile(r"« | »| [:;!?]")
_KEEP = "\x00"

_SEVERITY_TAGS = {
    "fr": {"error": "ERREUR", "warning": "AVERTISSEMENT", "info": "INFO"},
    "en": {"error": "ERROR", "warning": "WARNING", "info": "INFO"},
}


def _print_report(report: ValidationReport, lang: str) -> None:
    """Every issue in full (row, column, value, reason), wrapped to the terminal's width:
    never cut, so the part that says how to fix it is always printed."""
    tags = _SEVERITY_TAGS["en" if lang == "en" else "fr"]
    width = max(shutil.get_terminal_size((100, 24)).columns, 60)
    for issue in report.issues:
        text = f"[{tags.get(issue.severity, issue.severity)}] {issue.located(lang)}"
        if issue.value is not None and issue.value not in text:
            text += f" ({_t(lang, 'valeur', 'value')} « {issue.value} »)"
        print(_wrap(text, width))
    for line in report.notes(lang):
        print(_wrap(line, width))
    print(_wrap(report.summary(lang), width))


def _wrap(text: str, width: int) -> str:
    """``text`` folded at spaces to ``width`` columns (continuation lines indented); a word
    longer than a line is kept whole, never cut."""
    indent = text[: len(text) - len(text.lstrip(" "))]
    glued = _GLUE.sub(lambda m: m.group(0).replace(" ", _KEEP), text.strip())
    wrapped = textwrap.fill(
        glued, width=width, initial_indent=indent, subsequent_indent=indent + "    ",
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    return wrapped.replace(_KEEP, " ")


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
