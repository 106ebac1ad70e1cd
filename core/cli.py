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
from typing import TYPE_CHECKING, Any

from core.cli_drift import add_drift_command
from core.config import Config, load_config
from core.exceptions import WorkbenchError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from core.excel import RawTable
    from core.registry import ModelVersion, Registry
    from core.schema import ValidationReport
    from core.scoring import ScoringResult
    from core.store import Store
    from core.training import TrainingResult

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
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
    p.add_argument("--user", default="cli", help="recorded as uploaded_by")
    p.set_defaults(handler=_cmd_ingest)
    _add_model_commands(sub)
    add_drift_command(sub)
    return parser


def _add_model_commands(sub: argparse._SubParsersAction) -> None:
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

    p = sub.add_parser("score", help="store a batch file, score it, write the results .xlsx")
    p.add_argument("--input", type=Path, required=True, help="batch file to score")
    p.add_argument("--output", type=Path, required=True, help="results workbook (.xlsx)")
    p.add_argument(
        "--apply-rules",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="apply the business rules (default: yes; --no-apply-rules to skip them)",
    )
    p.add_argument("--model", default=None, help="model version (default: the active one)")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.add_argument("--sheet", default=None, help="sheet to read (default: first with data)")
    p.add_argument("--lang", choices=("fr", "en"), default=None)
    p.add_argument("--user", default="cli", help="recorded as uploaded_by")
    p.add_argument(
        "--drift",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compute and store the batch's drift after writing the results (default: yes)",
    )
    p.set_defaults(handler=_cmd_score)

    p = sub.add_parser("ensure-model", help="train a default model on the demo data if none")
    p.add_argument("--quick", action="store_true", help="fewest trials (tests, CI)")
    p.set_defaults(handler=_cmd_ensure_model)

    p = sub.add_parser("models", help="list, activate or roll back model versions")
    p.add_argument("action", nargs="?", default="list", choices=("list", "activate", "rollback"))
    p.add_argument("version", nargs="?", default=None, help="version to activate")
    p.add_argument("--profile", default=None, help="profile name from config/profiles/")
    p.set_defaults(handler=_cmd_models)


def _cmd_synth(args: argparse.Namespace) -> int:
    from core.synth import generate_demo

    start = time.perf_counter()
    result = generate_demo(args.out, seed=args.seed)
    for stem, rows in result.rows.items():
        print(f"{stem}: {rows} rows")
    seconds = time.perf_counter() - start
    print(f"Wrote {len(result.files)} files to {result.out_dir} in {seconds:.1f} s")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from core.ingest import DUPLICATE, STORED, ingest
    from core.store import open_store

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    store = open_store(cfg)
    try:
        result = ingest(args.file, cfg, store, sheet=args.sheet, uploaded_by=args.user)
    finally:
        store.close()
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
    print(
        _t(
            lang,
            "Lot refusé : corrigez les erreurs ci-dessus puis recommencez.",
            "Batch rejected: fix the errors above and try again.",
        ),
        file=sys.stderr,
    )
    return 1


def _print_report(report: ValidationReport, lang: str) -> None:
    import pandas as pd

    frame = report.to_frame(lang)
    if len(frame):
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(frame.to_string(index=False, max_colwidth=90))
    print(report.summary(lang))


def _t(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


# --------------------------------------------------------------------------- models


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
    import hashlib

    from core.exceptions import FileRejectedError
    from core.ingest import read_source, validate_bytes

    try:
        data, name = read_source(path, None, cfg.limits.max_file_mb)
        batch = validate_bytes(data, name, cfg)
    except FileRejectedError as exc:
        print(exc.message(lang), file=sys.stderr)
        return None
    if not batch.report.ok:
        _print_report(batch.report, lang)
        refused = _t(lang, f"{name} refusé : corrigez les erreurs.", f"{name} rejected: fix it.")
        print(refused, file=sys.stderr)
        return None
    return batch.frame, hashlib.sha256(data).hexdigest()


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
    from core.registry import Registry
    from core.store import open_store
    from core.training import train

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
    from core.registry import Registry
    from core.store import open_store

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
        from core.synth import generate_demo

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
    from core.registry import Registry
    from core.store import open_store

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


# --------------------------------------------------------------------------- score


def _cmd_score(args: argparse.Namespace) -> int:
    from core.export import write_results
    from core.registry import Registry
    from core.results import results_from_file
    from core.scoring import score_batch
    from core.store import open_store

    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    start = time.perf_counter()
    raw, data = _read_raw(args.input, args.sheet, cfg)
    read_seconds = time.perf_counter() - start
    with open_store(cfg) as store:
        started = time.perf_counter()
        batch_id = _store_batch(raw, data, cfg, store, args.user, lang)
        if batch_id is None:
            return 1
        store_seconds = time.perf_counter() - started
        registry = Registry(cfg.paths.models_dir, store)
        result = score_batch(
            batch_id,
            store,
            registry,
            cfg,
            apply_rules=args.apply_rules,
            version=args.model,
            actor=args.user,
        )
    started = time.perf_counter()
    table = results_from_file(raw, result.frame, cfg, lang)
    write_results(
        table.frame,
        args.output,
        locale=lang,
        date_columns=table.date_columns,
        amount_columns=table.amount_columns,
    )
    seconds = {"read": read_seconds, "validate_store": store_seconds, **result.seconds}
    seconds["write"] = time.perf_counter() - started
    _print_scoring(result, seconds, args.output, lang)
    if args.drift:
        _drift_after_score(cfg, result, args.user, lang)
    return 0


def _drift_after_score(cfg: Config, result: ScoringResult, user: str, lang: str) -> None:
    """Drift of the scored batch against its model, once the results file is written."""
    from core.drift_store import describe
    from core.monitoring import drift_after_score
    from core.registry import Registry
    from core.store import open_store

    started = time.perf_counter()
    with open_store(cfg) as store:
        report = drift_after_score(
            store, Registry(cfg.paths.models_dir, store), cfg, result, actor=user
        )
    if report is not None:
        print("\n".join(describe(report, lang)))
        print(f"drift: {time.perf_counter() - started:.2f} s")


def _read_raw(path: Path, sheet: str | None, cfg: Config) -> tuple[RawTable, bytes]:
    from core.excel import read_table
    from core.ingest import read_source

    data, name = read_source(path, None, cfg.limits.max_file_mb)
    return read_table(data, name, sheet=sheet, limits=cfg.limits, schema=cfg.schema), data


def _store_batch(
    raw: RawTable, data: bytes, cfg: Config, store: Store, user: str, lang: str
) -> int | None:
    """The batch id of this file: the stored one when the same bytes were seen, else a new
    batch after validation (None, report printed, when the validation fails)."""
    import hashlib

    from core.schema import validate

    sha = hashlib.sha256(data).hexdigest()
    existing = store.find_batch(sha)
    if existing is not None:
        print(
            _t(
                lang,
                f"Fichier déjà enregistré (lot n° {existing.id}) : il est scoré à nouveau.",
                f"File already stored (batch #{existing.id}): scoring it again.",
            )
        )
        return existing.id
    batch = validate(raw, cfg.schema, cfg.limits)
    if not batch.report.ok:
        _print_report(batch.report, lang)
        print(
            _t(
                lang,
                "Lot refusé : corrigez les erreurs ci-dessus puis recommencez.",
                "Batch rejected: fix the errors above and try again.",
            ),
            file=sys.stderr,
        )
        return None
    saved = store.save_batch(
        batch.frame,
        file_name=raw.file_name,
        sha256=sha,
        sheet=batch.report.sheet,
        profile=cfg.profile,
        uploaded_by=user,
        report_json=batch.report.to_frame("en").to_json(orient="records", force_ascii=False),
    )
    return saved.batch_id


def _print_scoring(
    result: ScoringResult, seconds: dict[str, float], output: Path, lang: str
) -> None:
    from core.export import DECISION_LABELS

    n = len(result.frame)
    labels = DECISION_LABELS[lang]
    counts = result.counts
    print(
        _t(
            lang,
            f"Lot n° {result.batch_id} : {n} réclamations scorées avec le modèle "
            f"{result.model_version} (seuils {result.thresholds.low:.3f} / "
            f"{result.thresholds.high:.3f}, source {result.thresholds.source}).",
            f"Batch #{result.batch_id}: {n} claims scored with model {result.model_version} "
            f"(thresholds {result.thresholds.low:.3f} / {result.thresholds.high:.3f}, "
            f"source {result.thresholds.source}).",
        )
    )
    for code in (1, 0, -1):
        share = counts[code] / n if n else 0.0
        print(f"  {labels[code]:<16} {counts[code]:>8}  {share:6.1%}")
    print(
        _t(lang, "  Taux d'automatisation", "  Automation rate") + f": {result.automation_rate:.1%}"
    )
    if result.rules is not None:
        for rule, moved in result.rules.moved.items():
            state = (
                f"{moved} → audit"
                if result.rules.active[rule]
                else result.rules.inactive_reason(rule, lang)
            )
            print(f"  {_t(lang, 'Règle', 'Rule')} {rule}: {state}")
    stages = ", ".join(f"{k} {v:.2f}" for k, v in seconds.items())
    print(_t(lang, "Durées (s)", "Timings (s)") + f": {stages}; total {sum(seconds.values()):.2f}")
    print(_t(lang, f"Résultats écrits dans {output}", f"Results written to {output}"))
