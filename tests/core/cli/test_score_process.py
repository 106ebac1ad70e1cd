"""``python -m core score`` as its own process: what it does to the process is safe.

The command runs alone in its interpreter (core/__main__.py): the cyclic garbage collector
is off during the start-up and the modules imported first are frozen, XGBoost is imported
without scikit-learn, and one store serves the whole command. These tests check that the
results, the database and the audit trail come out whole, and that none of it leaks into a
program that calls ``main()`` itself.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

import core.cli.score as score_cli
from core.cli.common import end_start_up
from core.cli.main import main
from core.config.loading import PROJECT_ROOT, load_config
from core.store.database import Store
from tests.core.cli.test_cli import RESULT_HEADERS, claims_file, register, stored


def _run_core(args: list[str], *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *options, "-m", "core", *args],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_python_m_core_score_leaves_results_database_and_trail_whole(env, tiny_model):
    register(tiny_model)
    source = claims_file(env / "lot.xlsx", 300)
    out = env / "resultats.xlsx"
    done = _run_core(["score", "--input", str(source), "--output", str(out)], "-X", "importtime")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Taux d'automatisation" in done.stdout and "alerte" in done.stdout  # drift printed
    lines = done.stderr.splitlines()
    assert [line for line in lines if not line.startswith("import time:")] == []  # no leak report
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines}
    assert "xgboost" in imported
    assert not {"sklearn.base", "scipy.stats"} & imported  # scoring needs neither
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][-len(RESULT_HEADERS) :] == RESULT_HEADERS
    assert sheet.max_row == 301
    # everything the process wrote is in the file, chained
    assert stored("SELECT count(*) FROM scores") == 300
    assert stored("SELECT count(*) FROM drift_reports") == 1
    assert stored("SELECT count(*) FROM jobs WHERE status = 'done'") == 1
    actions = "SELECT count(*) FROM audit_log WHERE action = '{}'"
    for action in ("batch.saved", "batch.scored", "batch.exported", "drift.computed"):
        assert stored(actions.format(action)) == 1, action
    assert main(["audit", "verify"]) == 0


def test_xgboost_alone_builds_its_wrappers_without_scikit_learn_which_stays_importable():
    code = (
        "import sys\n"
        "from core.cli.score import _import_xgboost_alone\n"
        "_import_xgboost_alone()\n"
        "import xgboost.compat\n"
        "assert 'sklearn' not in sys.modules and not xgboost.compat.SKLEARN_INSTALLED\n"
        "import sklearn.base\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_score_called_in_process_keeps_xgboost_whole_and_the_collector_untouched(
    env, tiny_model, monkeypatch, capsys
):
    import xgboost.compat

    register(tiny_model)
    source = claims_file(env / "lot.xlsx")
    opened = []
    real_open = score_cli.open_cli_store

    def counting_open(cfg):
        opened.append(cfg)
        return real_open(cfg)

    monkeypatch.setattr(score_cli, "open_cli_store", counting_open)
    frozen = gc.get_freeze_count()
    assert main(["score", "--input", str(source), "--output", str(env / "r.xlsx")]) == 0
    assert "alerte" in capsys.readouterr().out
    assert len(opened) == 1  # one store for the whole command: scoring, export, drift
    assert xgboost.compat.SKLEARN_INSTALLED and "sklearn" in sys.modules
    # nothing frozen by main(): the count never grows (an object frozen earlier in this
    # test process, e.g. by the app's start-up freeze, may be freed meanwhile)
    assert gc.isenabled() and gc.get_freeze_count() <= frozen


def test_end_start_up_resumes_only_a_paused_collector():
    frozen = gc.get_freeze_count()
    end_start_up()  # the collector runs: a program calling main() keeps it as it is
    assert gc.isenabled()
    gc.disable()  # as python -m core does for its start-up
    try:
        end_start_up()
        assert gc.isenabled()
    finally:
        gc.enable()
    assert gc.get_freeze_count() == frozen  # nothing frozen outside python -m core


@pytest.mark.parametrize("command", [["drift", "--batch", "latest"], ["models", "list"]])
def test_other_commands_exit_cleanly_with_nothing_on_stderr(env, tiny_model, command):
    """Frozen objects are never collected, even at exit: what core/__main__.py freezes must
    hold none of DuckDB's, whose bindings would report them as leaked on stderr."""
    register(tiny_model)
    source = claims_file(env / "lot.xlsx", 300)
    assert main(["score", "--input", str(source), "--output", str(env / "r.xlsx")]) == 0
    done = _run_core(command)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() and done.stderr == ""


def test_a_store_opened_after_the_process_exits_sees_the_batch(env, tiny_model):
    """The exit leaves the database free (no lock left behind) and complete for the next
    process."""
    register(tiny_model)
    source = claims_file(env / "lot.xlsx")
    args = ["score", "--input", str(source), "--output", str(env / "r.xlsx"), "--no-drift"]
    first = _run_core(args)
    assert first.returncode == 0 and first.stderr == "", first.stderr[-3000:]
    again = _run_core(args)
    assert again.returncode == 0 and again.stderr == "", again.stderr[-3000:]
    assert "déjà enregistré" in again.stdout
    with Store(load_config().paths.database) as store, store.cursor() as cur:
        assert cur.execute("SELECT count(DISTINCT scored_at) FROM scores").fetchone()[0] == 2
