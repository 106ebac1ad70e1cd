"""``python -m core drift --batch <id|latest>``: drift of a stored batch from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.common import cli_actor, open_cli_store
from core.config.loading import load_config


def add_drift_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drift", help="data drift of a stored batch (alert, columns, report)")
    p.add_argument("--batch", default="latest", help="batch id, or 'latest' (default)")
    p.add_argument(
        "--against",
        choices=("model", "previous"),
        default="model",
        help="the model's reference sample (default) or the previous batch",
    )
    p.add_argument("--model", default=None, help="model version (default: the one that scored it)")
    p.add_argument("--html", type=Path, default=None, help="write the full Evidently report here")
    p.add_argument("--no-save", action="store_true", help="do not store the report")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=run_drift)


def run_drift(args: argparse.Namespace) -> int:
    """Print the alert level and the drifted columns; exit 0 (the report is information)."""
    from core.drift.report import describe, render_html
    from core.drift.service import drift_report, with_snapshot
    from core.drift.storage import latest_batch_id
    from core.model.registry import Registry

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    with open_cli_store(cfg) as store:
        batch_id = latest_batch_id(store) if args.batch == "latest" else int(args.batch)
        report = drift_report(
            store,
            Registry(cfg.paths.models_dir, store),
            cfg,
            batch_id,
            against=args.against,
            version=args.model,
            save=not args.no_save,
            actor=cli_actor(cfg),
        )
        if args.html is not None:
            registry = Registry(cfg.paths.models_dir, store)
            report = with_snapshot(store, registry, cfg, report)
    print("\n".join(describe(report, lang)))
    if args.html is not None:
        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"HTML: {args.html}")
    return 0
