"""``python -m core score``: store a batch file, score it and write the results workbook."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli.common import (
    _print_rejected,
    _print_report,
    _t,
    cli_actor,
    end_start_up,
    open_cli_store,
)
from core.config.loading import load_config
from core.config.settings import Config
from core.formatting import fmt_number, fmt_pct

if TYPE_CHECKING:  # pragma: no cover
    from core.config.identity import Actor
    from core.ingest.reader import RawTable
    from core.model.registry import Registry
    from core.scoring.results import ScoringResult
    from core.store.database import Store


def add_score_command(sub: argparse._SubParsersAction) -> None:
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
    p.add_argument(
        "--drift",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="queue the batch's drift report and run it once the results are written "
        "(default: yes)",
    )
    p.set_defaults(handler=_cmd_score, ends_start_up=True)


def _cmd_score(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    prefetch = _prefetch_model_code(xgboost_alone=args.own_process)
    cfg = load_config(args.profile)
    lang = args.lang or cfg.locale
    actor = cli_actor(cfg)
    raw = _read_raw(args.input, args.sheet, cfg)
    read_seconds = time.perf_counter() - start
    prefetch.join()
    end_start_up()
    from core.model.registry import Registry
    from core.scoring.batch import score_batch

    with open_cli_store(cfg) as store:  # one store for the command, held per operation
        started = time.perf_counter()
        batch_id = _store_batch(raw, cfg, store, actor, lang, args.model)
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
            actor=actor,
            queue_drift=args.drift,
        )
        started = time.perf_counter()
        rows = _write_output(raw, result, cfg, store, args.output, lang)
        store.record(
            actor, "batch.exported", {"batch_id": batch_id, "file": str(args.output), "rows": rows}
        )
        seconds = {"read": read_seconds, "validate_store": store_seconds, **result.seconds}
        seconds["write"] = time.perf_counter() - started
        _print_scoring(result, seconds, args.output, lang)
        if result.job_ids:
            _run_drift_job(store, registry, cfg, result, lang)
    return 0


def _write_output(
    raw: RawTable, result: ScoringResult, cfg: Config, store: Store, output: Path, lang: str
) -> int:
    """The results workbook: the file's rows, the result columns and the « Paramètres »
    sheet; returns the number of rows written."""
    from core.report.export import write_results
    from core.report.parameters import scoring_parameters
    from core.report.results import results_from_file

    table = results_from_file(raw, result.frame, cfg, lang)
    write_results(
        table.frame,
        output,
        locale=lang,
        date_columns=table.date_columns,
        amount_columns=table.amount_columns,
        parameters=scoring_parameters(store, cfg, result).rows(lang),
    )
    return len(table.frame)


def _prefetch_model_code(*, xgboost_alone: bool = False) -> threading.Thread:
    """Import the model code in a thread while the main thread reads the file.

    The workbook parser spends most of its time outside the interpreter lock: the imports
    and the reading overlap instead of adding up. ``xgboost_alone``: see
    :func:`_import_xgboost_alone` (only when this process runs the command alone). An import
    that fails here fails again, with its message, where it is used.
    """

    def load() -> None:
        with contextlib.suppress(ImportError):
            import core.ingest.known_levels  # validation, first after the read
            import core.ingest.pipeline
            import core.ingest.validate

            if xgboost_alone:
                _import_xgboost_alone()
            import core.drift.service
            import core.jobs.runner
            import core.model.trained
            import core.report.export
            import core.report.parameters
            import core.report.results
            import core.scoring.batch  # noqa: F401

    thread = threading.Thread(target=load, name="prefetch-model-code", daemon=True)
    thread.start()
    return thread


def _import_xgboost_alone() -> None:
    """Import XGBoost with scikit-learn hidden from it.

    XGBoost imports scikit-learn when it is installed, and scikit-learn imports SciPy's
    statistics: about 0.7 s of CPU, more than the import of pandas, for XGBoost's
    scikit-learn-style wrappers (``XGBClassifier``). Scoring uses the booster alone and
    applies the calibrator with numpy, so ``score`` never needs scikit-learn; the wrappers
    are then built on XGBoost's own stand-in classes, which would break training (its
    baselines are ``XGBClassifier`` in scikit-learn pipelines). Hence only in a process that
    runs ``score`` and exits (``python -m core score``), and only when neither library is
    imported yet.
    """
    if "xgboost" in sys.modules or "sklearn" in sys.modules:
        return
    sys.modules["sklearn"] = None  # type: ignore[assignment]  # "import sklearn" fails
    try:
        import xgboost  # noqa: F401
    finally:
        del sys.modules["sklearn"]


def _run_drift_job(
    store: Store, registry: Registry, cfg: Config, result: ScoringResult, lang: str
) -> None:
    """Run the drift job queued with the scores, once the results file is written. If this
    process stops first, the job stays queued and the app's job runner (or `python -m core
    jobs run`) does it."""
    from core.drift.report import describe
    from core.drift.storage import load_drift_reports
    from core.jobs.runner import run_pending

    started = time.perf_counter()
    outcomes = run_pending(store, registry, cfg, job_ids=result.job_ids)
    reports = load_drift_reports(store, result.batch_id, include_snapshot=False, limit=1)
    for outcome in outcomes:
        if not outcome.ok:
            print(
                _t(lang, f"Dérive non calculée : {outcome.message}", f"No drift: {outcome.message}")
            )
    if reports and any(o.ok for o in outcomes):
        print("\n".join(describe(reports[0], lang)))
        print(f"drift: {time.perf_counter() - started:.2f} s")


def _read_raw(path: Path, sheet: str | None, cfg: Config) -> RawTable:
    """The file opened once and its sheet read (FileRejectedError when unreadable)."""
    from core.ingest.reader import read_table

    return read_table(path, sheet=sheet, limits=cfg.limits, schema=cfg.schema)


def _store_batch(
    raw: RawTable, cfg: Config, store: Store, actor: Actor, lang: str, version: str | None
) -> int | None:
    """The batch id of this file: the stored one when the same bytes were seen, else a new
    batch after validation against the scoring model's known levels (None, report printed,
    when the validation fails; its warnings and notes are printed either way)."""
    from core.ingest.known_levels import stored_known_levels
    from core.ingest.pipeline import batch_key
    from core.ingest.validate import validate

    sha = batch_key(raw.sha256, raw.sheet, len(raw.sheets))
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
    known = stored_known_levels(store, cfg.paths.models_dir, version)
    batch = validate(raw, cfg.schema, cfg.limits, known_levels=known)
    _print_report(batch.report, lang)
    if not batch.report.ok:
        _print_rejected(lang)
        return None
    saved = store.save_batch(
        batch.frame,
        file_name=raw.file_name,
        sha256=sha,
        sheet=batch.report.sheet,
        profile=cfg.profile,
        actor=actor,
        report_json=batch.report.to_frame("en").to_json(orient="records", force_ascii=False),
    )
    return saved.batch_id


def _print_scoring(
    result: ScoringResult, seconds: dict[str, float], output: Path, lang: str
) -> None:
    from core.report.export import DECISION_LABELS

    n = len(result.frame)
    labels = DECISION_LABELS[lang]
    counts = result.counts
    th = result.thresholds
    low, high, rows = fmt_number(th.low, lang, 3), fmt_number(th.high, lang, 3), fmt_number(n, lang)
    print(
        _t(
            lang,
            f"Lot n° {result.batch_id} : {rows} réclamations scorées avec le modèle "
            f"{result.model_version} (seuils {low} / {high}, source {th.source}).",
            f"Batch no. {result.batch_id}: {rows} claims scored with model {result.model_version} "
            f"(thresholds {low} / {high}, source {th.source}).",
        )
    )
    for code in (1, 0, -1):
        share = counts[code] / n if n else 0.0
        print(
            f"  {labels[code]:<16} {fmt_number(counts[code], lang):>8}  {fmt_pct(share, lang):>7}"
        )
    automation = fmt_pct(result.automation_rate, lang)
    print(_t(lang, "  Taux d'automatisation : ", "  Automation rate: ") + automation)
    _print_amount_fallback(result, lang)
    if result.rules is not None:
        for rule, moved in result.rules.moved.items():
            state = (
                f"{moved} → audit"
                if result.rules.active[rule]
                else result.rules.inactive_reason(rule, lang)
            )
            print(f"  {_t(lang, 'Règle', 'Rule')} {rule}: {state}")
    stages = ", ".join(f"{k} {fmt_number(v, lang, 2)}" for k, v in seconds.items())
    total = fmt_number(sum(seconds.values()), lang, 2)
    print(
        _t(lang, f"Durées (s) : {stages} ; total {total}", f"Timings (s): {stages}; total {total}")
    )
    print(_t(lang, f"Résultats écrits dans {output}", f"Results written to {output}"))


def _print_amount_fallback(result: ScoringResult, lang: str) -> None:
    """Say so when amount-based costs used the configured fixed amount (no amount column)."""
    ev = result.evaluation
    if ev is None or not ev.amount_fallback:
        return
    print(
        _t(
            lang,
            f"  Pas de montant pour {ev.n_amount_fallback} réclamation(s) : les coûts basés sur "
            "le montant utilisent le montant fixe de la configuration (costs.fallback_amount).",
            f"  No amount for {ev.n_amount_fallback} claim(s): amount-based costs use the "
            "configured fixed amount (costs.fallback_amount).",
        )
    )
