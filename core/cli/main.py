"""Command line: ``python -m core <command>``.

Commands print what a user needs and exit non-zero on failure; a WorkbenchError is shown
as its message, never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from core.cli.audit import add_audit_commands
from core.cli.common import (
    _print_rejected,
    _print_report,
    _t,
    cli_actor,
    end_start_up,
    open_cli_store,
)
from core.cli.drift import add_drift_command
from core.cli.model import add_model_commands
from core.cli.monitor import add_monitor_commands
from core.config.loading import load_config
from core.exceptions import WorkbenchError

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run one command; its exit code. ``own_process``: this interpreter runs this command
    only, then exits (``python -m core``), so a command may shape the process for itself
    (``score`` imports XGBoost without scikit-learn); never from a test or another program."""
    parser = _parser()
    args = parser.parse_args(argv)
    args.own_process = own_process
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    if not getattr(args, "ends_start_up", False):  # score does, once its imports are done
        end_start_up()
    try:
        return handler(args)
    except WorkbenchError as exc:
        print(f"Erreur / Error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="generate the demo data (deterministic)")
    p.add_argument("--out", type=Path, default=Path("data/demo"))
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(handler=_cmd_synth)

    p = sub.add_parser("ingest", help="validate and store one batch file")
    p.add_argument("file", type=Path)
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--sheet", default=None, help="sheet to read (default: first with data)")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_ingest)
    add_model_commands(sub)
    add_drift_command(sub)
    add_audit_commands(sub)
    add_monitor_commands(sub)
    from core.cli.api import add_api_commands  # serve, api-token: nothing heavy at import

    add_api_commands(sub)
    return parser


def _cmd_synth(args: argparse.Namespace) -> int:
    from core.synth.generator import generate_demo

    start = time.perf_counter()
    result = generate_demo(args.out, seed=args.seed)
    for stem, rows in result.rows.items():
        print(f"{stem}: {rows} rows")
    seconds = time.perf_counter() - start
    print(f"Wrote {len(result.files)} files to {result.out_dir} in {seconds:.1f} s")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from core.ingest.known_levels import stored_known_levels
    from core.ingest.pipeline import DUPLICATE, STORED, ingest

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    with open_cli_store(cfg) as store:
        known = stored_known_levels(store, cfg.paths.models_dir)  # the active model's
        result = ingest(
            args.file, cfg, store, sheet=args.sheet, actor=cli_actor(cfg), known_levels=known
        )
    _print_report(result.report, lang)
    if result.status == STORED:
        print(
            _t(
                lang,
                f"Lot enregistré : n° {result.batch_id} ({result.n_rows} lignes).",
                f"Batch stored: #{result.batch_id} ({result.n_rows} rows).",
            )
        )
        return 0
    if result.status == DUPLICATE:
        print(
            _t(
                lang,
                f"Fichier déjà enregistré (lot n° {result.batch_id}) : rien n'a été ajouté.",
                f"File already stored (batch #{result.batch_id}): nothing added.",
            )
        )
        return 0
    _print_rejected(lang)
    return 1
