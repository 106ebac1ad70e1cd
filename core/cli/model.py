"""``python -m core train | ensure-model | models`` (and ``score``, from :mod:`core.cli.score`):
training, registering and activating models from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli.common import _print_report, _t
from core.cli.score import add_score_command
from core.config.loading import load_config
from core.config.settings import Config

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from core.model.registry import ModelVersion, Registry
    from core.model.training import TrainingResult


def add_model_commands(sub: argparse._SubParsersAction) -> None:
    """The train, score, ensure-model and models commands."""
    p = sub.add_parser("train", help="train, register and activate a model")
    p.add_argument("--train", type=Path, required=True, help="labelled training file")
    p.add_argument("--test", type=Path, default=None, help="labelled test file (later period)")
    p.add_argument("--trials", type=int, default=30, help="Optuna trials (default 30)")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--allow-leakage", action="store_true", help="train despite leakage findings")
    p.add_argument("--no-compare", action="store_true", help="skip the model comparison")
    p.add_argument("--no-activate", action="store_true", help="register without activating")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.set_defaults(handler=_cmd_train)

    add_score_command(sub)

    p = sub.add_parser("ensure-model", help="train a default model on the demo data if none")
    p.add_argument("--quick", action="store_true", help="fewest trials (tests, CI)")
    p.set_defaults(handler=_cmd_ensure_model)

    p = sub.add_parser("models", help="list, activate or roll back model versions")
    p.add_argument("action", nargs="?", default="list", choices=("list", "activate", "rollback"))
    p.add_argument("version", nargs="?", default=None, help="version to activate")
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
    return _train_and_register(
        cfg,
        train_file,
        test_file,
        trials=args.trials,
        compare=not args.no_compare,
        allow_leakage=args.allow_leakage,
        activate=not args.no_activate,
        lang=lang,
    )


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
    """Train on validated frames, register (and activate) the model, print the outcome."""
    from core.model.registry import Registry
    from core.model.training import train
    from core.store.database import open_store

    def progress(step: str, fraction: float) -> None:
        print(f"  [{fraction:4.0%}] {step}", flush=True)

    test_frame = None if test_file is None else test_file[0]
    result = train(
        train_file[0], test_frame, cfg, progress=progress, training_sha256=train_file[1], **options
    )
    with open_store(cfg) as store:
        version = Registry(cfg.paths.models_dir, store).register(
            result.model, activate=activate, actor="cli"
        )
        if activate:
            _publish_initial_thresholds(store, version.version, result.metrics, lang)
    _print_training(result, version, lang)
    return 0


def _publish_initial_thresholds(store, version: str, metrics: dict, lang: str) -> None:
    """Make the pair chosen on the validation period the new model's starting thresholds.

    Auditors refine and republish them on the Thresholds page; without this, a new model
    would run on the configuration's generic pair.
    """
    chosen = metrics.get("thresholds") or {}
    if "low" not in chosen or "high" not in chosen:
        return
    store.publish_thresholds(
        version,
        float(chosen["low"]),
        float(chosen["high"]),
        source=str(chosen.get("source", "cost-optimal")),
        published_by="system",
        reason="Seuils initiaux : minimum de coût sur la période de validation de l'entraînement",
    )
    print(
        _t(
            lang,
            f"Seuils initiaux publiés : bas {chosen['low']:.2f}, haut {chosen['high']:.2f}.",
            f"Initial thresholds published: low {chosen['low']:.2f}, high {chosen['high']:.2f}.",
        )
    )


def _print_training(result: TrainingResult, version: ModelVersion, lang: str) -> None:
    import pandas as pd

    if len(result.comparison):
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(result.comparison.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    scalars = {k: v for k, v in result.metrics.items() if isinstance(v, int | float)}
    print("  ".join(f"{k}={v:.4f}" for k, v in scalars.items()))
    state = "active" if version.active else "inactive"
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
    from core.store.database import open_store

    cfg = load_config()
    with open_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        current = registry.active() or _activate_newest(registry)
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


def _activate_newest(registry: Registry) -> ModelVersion | None:
    versions = registry.list()
    return registry.activate(versions[0].version, actor="cli") if versions else None


def _cmd_models(args: argparse.Namespace) -> int:
    from core.model.registry import Registry
    from core.store.database import open_store

    cfg = load_config(args.profile)
    with open_store(cfg) as store:
        registry = Registry(cfg.paths.models_dir, store)
        if args.action == "activate":
            if not args.version:
                print("Précisez la version / name the version: models activate VERSION")
                return 1
            activated = registry.activate(args.version, actor="cli")
            print(f"Modèle actif / active model: {activated.version}")
        elif args.action == "rollback":
            print(f"Modèle actif / active model: {registry.rollback(actor='cli').version}")
        versions = registry.list()
    if not versions:
        print("Aucun modèle enregistré / no model registered: `python -m core ensure-model`.")
    for v in versions:
        auc = v.metrics.get("auc", v.metrics.get("test_auc"))
        auc_text = f"AUC {auc:.4f}" if isinstance(auc, int | float) else ""
        print(f"{'*' if v.active else ' '} {v.version}  {v.created_at:%Y-%m-%d %H:%M}  {auc_text}")
    return 0
