"""``python -m core train | ensure-model | models`` (and ``score``, from :mod:`core.cli.score`):
training, registering and activating models from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli.common import _print_report, _t, cli_actor, open_cli_store
from core.cli.score import add_score_command
from core.config.loading import load_config
from core.config.settings import Config

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from core.config.identity import Actor
    from core.model.registry import ModelVersion, Registry
    from core.model.training import TrainingResult


def add_model_commands(sub: argparse._SubParsersAction) -> None:
    """The train, score, ensure-model and models commands."""
    p = sub.add_parser("train", help="train and register a candidate model (admin)")
    p.add_argument("--train", type=Path, required=True, help="labelled training file")
    p.add_argument("--test", type=Path, default=None, help="labelled test file (later period)")
    p.add_argument("--trials", type=int, default=30, help="Optuna trials (default 30)")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--allow-leakage", action="store_true", help="train despite leakage findings")
    p.add_argument("--no-compare", action="store_true", help="skip the model comparison")
    p.add_argument(
        "--with-labels",
        action="store_true",
        help="a challenger: add the labels gathered in production, compare with the active "
        "model on the most recent labelled claims (registered as a candidate)",
    )
    p.add_argument(
        "--activate",
        action="store_true",
        help="also make it the active model, with its initial thresholds (default: candidate)",
    )
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_train)

    add_score_command(sub)

    p = sub.add_parser("ensure-model", help="train a default model on the demo data if none")
    p.add_argument("--quick", action="store_true", help="fewest trials (tests, CI)")
    p.set_defaults(handler=_cmd_ensure_model)

    p = sub.add_parser("models", help="list, activate or roll back model versions")
    p.add_argument("action", nargs="?", default="list", choices=("list", "activate", "rollback"))
    p.add_argument("version", nargs="?", default=None, help="version to activate")
    p.add_argument("--reason", default="", help="why (recorded in the audit trail)")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.set_defaults(handler=_cmd_models)


DEMO_TRAIN, DEMO_TEST = "claims_2024.xlsx", "claims_2025.xlsx"


def _cmd_train(args: argparse.Namespace) -> int:
    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    train_file = _read_labelled(args.train, cfg, lang)
    test_file = _read_labelled(args.test, cfg, lang) if args.test else None
    if train_file is None or (args.test and test_file is None):
        return 1
    if args.with_labels:
        return _train_challenger(cfg, train_file, args, lang)
    return _train_and_register(
        cfg,
        train_file,
        test_file,
        trials=args.trials,
        compare=not args.no_compare,
        allow_leakage=args.allow_leakage,
        activate=args.activate,
        lang=lang,
    )


def _train_challenger(cfg: Config, train_file, args: argparse.Namespace, lang: str) -> int:
    from core.model.registry import Registry
    from core.monitor.challenger import train_challenger

    with open_cli_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        result = train_challenger(
            train_file[0], store, registry, cfg, actor=cli_actor(cfg), trials=args.trials,
            compare=not args.no_compare, allow_leakage=args.allow_leakage,
        )  # fmt: skip
    c = result.comparison
    print(_t(lang, f"Comparaison sur les {c.n_claims} réclamations étiquetées les plus récentes :",
             f"Compared on the {c.n_claims} most recent labelled claims:"))  # fmt: skip
    for name, score in (("actif / active", c.active), ("challenger", c.challenger)):
        lo, hi = score.gain_interval
        print(f"  {name:<15} {score.version}  AUC {score.auc:.4f}  log-loss {score.log_loss:.4f}"
              f"  gain {score.net_gain:,.0f} [{lo:,.0f} ; {hi:,.0f}] "
              f"(seuils {score.low:.2f} / {score.high:.2f})")  # fmt: skip
    better = c.challenger_better
    verdict = _t(lang, "meilleur", "better") if better else _t(lang, "pas meilleur", "not better")
    command = f"python -m core models activate {result.version.version} --reason ..."
    print(
        _t(
            lang,
            f"Challenger {verdict} ; candidat enregistré, le modèle actif n'a pas changé. "
            f"Promotion : {command}",
            f"Challenger {verdict}; registered as a candidate, the active model is unchanged. "
            f"Promote: {command}",
        )
    )
    return 0


def _read_labelled(path: Path, cfg: Config, lang: str) -> tuple[pd.DataFrame, str] | None:
    """(validated frame, file SHA-256) of a training / test file; None when refused."""
    from core.exceptions import FileRejectedError
    from core.ingest.pipeline import validate_file
    from core.ingest.reader import open_source

    try:
        opened = open_source(path, limits=cfg.limits)
        batch = validate_file(opened, cfg)
    except FileRejectedError as exc:
        print(exc.message(lang), file=sys.stderr)
        return None
    if not batch.report.ok:
        _print_report(batch.report, lang)
        name = opened.name
        refused = _t(lang, f"{name} refusé : corrigez les erreurs.", f"{name} rejected: fix it.")
        print(refused, file=sys.stderr)
        return None
    for line in batch.report.notes(lang):  # the label's values and their meaning, shared columns
        print(line)
    return batch.frame, opened.sha256


def _train_and_register(
    cfg: Config,
    train_file: tuple[pd.DataFrame, str],
    test_file: tuple[pd.DataFrame, str] | None,
    *,
    lang: str,
    activate: bool,
    **options: Any,
) -> int:
    """Train on validated frames, register the model as a candidate with its initial pair
    (and activate it, in the same transaction, when asked), print the outcome."""
    from core.config.identity import require
    from core.model.registry import Registry
    from core.model.training import train

    actor = cli_actor(cfg)
    require(actor, "model.train")

    def progress(step: str, fraction: float) -> None:
        print(f"  [{fraction:4.0%}] {step}", flush=True)

    test_frame = None if test_file is None else test_file[0]
    result = train(
        train_file[0], test_frame, cfg, progress=progress, training_sha256=train_file[1], **options
    )
    with open_cli_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        version = registry.register(result.model, actor=actor, activate=activate)
        pair = store.active_thresholds(version.version)
    _print_training(result, version, lang)
    if pair is not None:
        print(
            _t(
                lang,
                f"Seuils initiaux du modèle : bas {pair.low:.2f}, haut {pair.high:.2f}.",
                f"The model's initial thresholds: low {pair.low:.2f}, high {pair.high:.2f}.",
            )
        )
    if not activate:
        print(
            _t(
                lang,
                f"Candidat : le modèle actif n'a pas changé. Pour l'activer : python -m core "
                f"models activate {version.version}",
                f"Candidate: the active model is unchanged. To activate it: python -m core "
                f"models activate {version.version}",
            )
        )
    return 0


def _print_training(result: TrainingResult, version: ModelVersion, lang: str) -> None:
    import pandas as pd

    if len(result.comparison):
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(result.comparison.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    scalars = {k: v for k, v in result.metrics.items() if isinstance(v, int | float)}
    print("  ".join(f"{k}={v:.4f}" for k, v in scalars.items()))
    interval = result.metrics.get("net_gain_interval") or {}
    if interval:
        print(
            _t(
                lang,
                f"Famille {result.model.family} ({result.metrics.get('selection')}) ; gain net "
                f"test {interval['net_gain']:,.0f}, intervalle {interval['confidence']:.0%} "
                f"[{interval['lower']:,.0f} ; {interval['upper']:,.0f}].",
                f"Family {result.model.family} ({result.metrics.get('selection')}); test net "
                f"gain {interval['net_gain']:,.0f}, {interval['confidence']:.0%} interval "
                f"[{interval['lower']:,.0f}, {interval['upper']:,.0f}].",
            )
        )
    state = "active" if version.active else "candidate"
    sizes = f"{result.n_train} / {result.n_valid} / {result.n_test}"
    print(
        _t(
            lang,
            f"Modèle {version.version} enregistré ({state}) en {result.seconds:.1f} s "
            f"({sizes} lignes, split {result.split}).",
            f"Model {version.version} registered ({state}) in {result.seconds:.1f} s "
            f"({sizes} rows, {result.split} split).",
        )
    )


def _cmd_ensure_model(args: argparse.Namespace) -> int:
    from core.model.registry import Registry

    cfg = load_config()
    with open_cli_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        current = registry.active() or _activate_newest(registry, cli_actor(cfg))
        if current is not None:
            registry.verify(current.version)  # a tampered model stops here, with its message
            print(f"Modèle actif / active model: {current.version}")
            return 0
    demo = cfg.paths.demo_dir
    if not (demo / DEMO_TRAIN).is_file() or not (demo / DEMO_TEST).is_file():
        from core.synth.generator import generate_demo

        print(f"Données de démo absentes : génération dans {demo} / generating the demo data")
        generate_demo(demo, seed=42)
    print(f"Aucun modèle : entraînement sur {DEMO_TRAIN} / no model: training a default one")
    batches = [_read_labelled(demo / name, cfg, cfg.locale) for name in (DEMO_TRAIN, DEMO_TEST)]
    if None in batches:
        return 1
    trials = 3 if args.quick else 10
    return _train_and_register(
        cfg,
        *batches,
        trials=trials,
        compare=not args.quick,  # the Model page shows the five-model comparison
        allow_leakage=False,
        activate=True,
        lang=cfg.locale,
    )


def _activate_newest(registry: Registry, actor: Actor) -> ModelVersion | None:
    versions = registry.list()
    if not versions:
        return None
    reason = "ensure-model : aucun modèle actif / no active model"
    return registry.activate(versions[0].version, actor=actor, reason=reason)


def _cmd_models(args: argparse.Namespace) -> int:
    from core.model.registry import Registry

    cfg = load_config(args.profile)
    actor = cli_actor(cfg)
    with open_cli_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        if args.action == "activate":
            if not args.version:
                print("Précisez la version / name the version: models activate VERSION")
                return 1
            activated = registry.activate(args.version, actor=actor, reason=args.reason)
            print(f"Modèle actif / active model: {activated.version}")
        elif args.action == "rollback":
            rolled = registry.rollback(actor=actor, reason=args.reason)
            print(f"Modèle actif / active model: {rolled.version}")
        versions = registry.list()
    if not versions:
        print("Aucun modèle enregistré / no model registered: `python -m core ensure-model`.")
    for v in versions:
        auc = v.metrics.get("auc", v.metrics.get("test_auc"))
        auc_text = f"AUC {auc:.4f}" if isinstance(auc, int | float) else ""
        print(f"{'*' if v.active else ' '} {v.version}  {v.created_at:%Y-%m-%d %H:%M}  {auc_text}")
    return 0
