"""``python -m core monitor [--batch ID]`` and ``python -m core labels FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.common import _print_report, _t, cli_actor, open_cli_store
from core.config.loading import load_config
from core.formatting import Formatter


def add_monitor_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("monitor", help="estimated and realised performance per scored batch")
    p.add_argument("--batch", type=int, default=None, help="one batch (default: every batch)")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_monitor)

    p = sub.add_parser("labels", help="store the outcomes (justified or not) of stored claims")
    p.add_argument("file", type=Path, help="a file with the claim id and label columns")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_labels)


def _cmd_monitor(args: argparse.Namespace) -> int:
    from core.monitor.service import performance_of_batches

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    with open_cli_store(cfg) as store:
        rows = performance_of_batches(store, cfg, batch_id=args.batch)
    if not rows:
        print(_t(lang, "Aucun lot scoré.", "No scored batch."))
        return 0
    f = Formatter(lang, cfg.costs.currency)
    for perf in rows:
        est, real = perf.estimated, perf.realised
        lo, hi = est.error_band
        sep = " ; " if lang == "fr" else ", "
        line = (
            f"#{perf.batch_id:<5} auto {f.pct(est.automation_rate):>7}  "
            f"{_t(lang, 'erreur estimée', 'estimated error')} {f.pct(est.error_rate, 2):>7} "
            f"[{f.pct(lo, 2)}{sep}{f.pct(hi, 2)}]  "
        )
        if real.error_rate is None:
            line += _t(lang, "réalisée : pas encore d'étiquettes", "realised: no labels yet")
        else:
            rlo, rhi = real.error_interval
            line += (
                f"{_t(lang, 'réalisée', 'realised')} {f.pct(real.error_rate, 2):>7} "
                f"[{f.pct(rlo, 2)}{sep}{f.pct(rhi, 2)}] ({real.sampled} {real.basis})"
            )
        if real.cost is not None:
            line += f"  {_t(lang, 'coût', 'cost')} {f.money(real.cost)} vs {f.money(est.cost)}"
        if perf.alert:
            line += "  ALERTE" if lang == "fr" else "  ALERT"
        print(line)
    return 0


def _cmd_labels(args: argparse.Namespace) -> int:
    from core.exceptions import FileRejectedError
    from core.ingest.pipeline import validate_file

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    try:
        batch = validate_file(args.file, cfg)
    except FileRejectedError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    if not batch.report.ok:
        _print_report(batch.report, lang)
        return 1
    frame = batch.frame
    if "id" not in frame.columns or "label" not in frame.columns:
        print(
            _t(
                lang,
                "Le fichier doit avoir la colonne d'identifiant et celle d'étiquette du profil.",
                "The file needs the profile's claim id column and label column.",
            ),
            file=sys.stderr,
        )
        return 1
    given = frame[frame["label"].notna()][["id", "label"]]
    with open_cli_store(cfg) as store:
        found = store.claims_by_id([str(i) for i in given["id"]])
        matched = given.astype({"id": str}).merge(found, left_on="id", right_on="claim_id")
        changed = store.save_labels(
            matched[["batch_id", "row_number", "label"]],
            source="file",
            actor=cli_actor(cfg),
            reason=f"outcome file {args.file.name}",
        )
    unknown = sorted(set(given["id"].astype(str)) - set(matched["id"]))
    print(
        _t(
            lang,
            f"{len(matched)} étiquettes enregistrées ({changed} nouvelles ou modifiées).",
            f"{len(matched)} labels stored ({changed} new or changed).",
        )
    )
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        print(
            _t(
                lang,
                f"{len(unknown)} identifiants introuvables dans les lots enregistrés : {shown}",
                f"{len(unknown)} ids not found among the stored batches: {shown}",
            ),
            file=sys.stderr,
        )
    return 0
