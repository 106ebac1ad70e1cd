"""``python -m core audit verify | log`` and ``python -m core jobs run | list``."""

from __future__ import annotations

import argparse
import sys

from core.cli.common import _t, cli_actor, open_cli_store
from core.config.loading import load_config


def add_audit_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="verify or read the tamper-evident audit trail")
    p.add_argument("action", choices=("verify", "log"))
    p.add_argument("--limit", type=int, default=50, help="log: rows to print (newest first)")
    p.add_argument("--action-prefix", default=None, help="log: e.g. thresholds., model.")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_audit)

    p = sub.add_parser("jobs", help="run or list the background jobs (drift after scoring)")
    p.add_argument("action", choices=("run", "list"))
    p.set_defaults(handler=_cmd_jobs)


def _cmd_audit(args: argparse.Namespace) -> int:
    from core.model.registry import Registry
    from core.store import audit

    cfg = load_config()
    lang = args.lang or cfg.locale
    with open_cli_store(cfg) as store:
        if args.action == "log":
            from core.config.identity import require

            require(cli_actor(cfg), "audit.read")
            with store.cursor("read the audit trail") as cur:
                rows = audit.entries(cur, action=args.action_prefix, limit=args.limit)
            for e in rows:
                change = "" if e.after is None else f" {e.before} -> {e.after}"
                why = f" « {e.reason} »" if e.reason else ""
                print(f"{e.id:>6} {e.logged_at:%Y-%m-%d %H:%M:%S} {e.actor} ({e.role}) "
                      f"{e.action} {e.detail}{change}{why}")  # fmt: skip
            return 0
        with store.cursor("verify the audit trail") as cur:
            chain = audit.verify_chain(cur, store.anchor_path)
        registry = Registry(cfg.paths.models_dir, store)
        models = registry.verify_all()
        n_models = len(registry.list())
    problems = [*chain.problems, *models]
    if not problems:
        print(
            _t(
                lang,
                f"Journal d'audit intact : {chain.rows} lignes chaînées, tête n° {chain.head_id} "
                f"conforme à l'ancre ; {n_models} modèle(s) conformes.",
                f"Audit trail intact: {chain.rows} chained rows, head #{chain.head_id} matches "
                f"the anchor; {n_models} model(s) match their recorded hashes.",
            )
        )
        return 0
    first = problems[0]
    where = f"row {first.row_id}" if first.row_id is not None else "anchor/models"
    print(
        _t(
            lang,
            f"JOURNAL D'AUDIT ALTÉRÉ — première rupture ({where}) : {first.message}",
            f"AUDIT TRAIL BROKEN — first break ({where}): {first.message}",
        ),
        file=sys.stderr,
    )
    for problem in problems[1:]:
        print(f"  - {problem.message}", file=sys.stderr)
    return 1


def _cmd_jobs(args: argparse.Namespace) -> int:
    from core.jobs.runner import run_pending
    from core.model.registry import Registry

    cfg = load_config()
    with open_cli_store(cfg) as store:
        if args.action == "list":
            for job in store.jobs(limit=50):
                print(f"{job.id:>5} {job.kind:<8} {job.status:<8} {job.created_at:%Y-%m-%d %H:%M} "
                      f"{job.created_by} {job.payload} {job.error or ''}")  # fmt: skip
            return 0
        outcomes = run_pending(store, Registry(cfg.paths.models_dir, store), cfg)
    for outcome in outcomes:
        print(f"job {outcome.job_id} ({outcome.kind}): {'ok' if outcome.ok else 'failed'} - "
              f"{outcome.message}")  # fmt: skip
    print(f"{len(outcomes)} job(s) run")
    return 0 if all(o.ok for o in outcomes) else 1
