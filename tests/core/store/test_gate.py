"""core.store.gate: processes share the database file, wait (bounded) and say for what."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.config.loading import PROJECT_ROOT
from core.exceptions import StoreBusyError
from core.store.database import Store
from core.store.gate import gate_for

# A second process that holds the database in one long operation, then lets it go.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from core.store.database import Store
    store = Store(sys.argv[1])
    with store.exclusive("long maintenance"), store.cursor("long maintenance") as cur:
        cur.execute("SELECT 1").fetchall()
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)

# A busy process: operation after operation for a while (an app under load).
BUSY = textwrap.dedent(
    """
    import sys, time
    from core.store.database import Store
    store = Store(sys.argv[1])
    end = time.monotonic() + float(sys.argv[2])
    print("busy", flush=True)
    n = 0
    while time.monotonic() < end:
        with store.cursor("busy read") as cur:
            cur.execute("SELECT count(*) FROM batches").fetchall()
            time.sleep(0.005)
        n += 1
    print(n, flush=True)
    """
)

# Read-then-write units from another process: each reads a counter and writes it + 1.
INCREMENT = textwrap.dedent(
    """
    import sys
    from core.store.database import Store
    store = Store(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with store.transaction("increment") as cur:
            value = cur.execute("SELECT v FROM counter").fetchall()[0][0]
            cur.execute("UPDATE counter SET v = ?", [value + 1])
    """
)


def _start(script: str, *args: object) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline().strip()  # wait until it holds / runs
    assert first in ("holding", "busy"), proc.stderr.read()
    return proc


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "shared.duckdb"
    Store(path)
    gate_for(path).release_now()
    return path


def test_a_second_process_waits_for_the_holder_then_works(db):
    holder = _start(HOLDER, db, 1.5)
    told: list[str] = []
    started = time.monotonic()
    store = Store(db, wait_seconds=30, on_wait=told.append)  # while the other holds the file
    waited = time.monotonic() - started
    assert store.list_batches() == []
    assert holder.wait(30) == 0
    assert told, "the waiting process must say what it waits for"
    assert "long maintenance" in told[0] and str(holder.pid) in told[0]
    assert waited > 0.5  # it did wait for the holder (not a timing bar: a causality check)


def test_past_the_bound_the_error_names_the_holder(db):
    holder = _start(HOLDER, db, 5)
    try:
        with pytest.raises(StoreBusyError) as caught:
            Store(db, wait_seconds=0.5)
        message = str(caught.value)
        assert "long maintenance" in message and str(holder.pid) in message
        assert "Réessayez" in message and "Try again" in message
    finally:
        holder.wait(30)


def test_a_busy_process_lets_a_waiting_one_in(db):
    busy = _start(BUSY, db, 6)
    try:
        store = Store(db, wait_seconds=5)  # waits for the busy one, which steps aside
        assert store.list_batches() == []
    finally:
        busy.wait(30)
    assert int(busy.stdout.read().strip()) > 0  # it went on working after letting us in


def test_idle_connections_are_let_go(db):
    store = Store(db)
    store.list_batches()
    gate = gate_for(db)
    deadline = time.monotonic() + 10
    while gate._conn is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gate._conn is None  # released after the linger, so other processes can open it


def test_read_then_write_units_never_interleave_across_threads_and_processes(db):
    store = Store(db)
    with store.transaction("create counter") as cur:
        cur.execute("CREATE TABLE counter (v INTEGER)")
        cur.execute("INSERT INTO counter VALUES (0)")
    others = [
        subprocess.Popen([sys.executable, "-c", INCREMENT, str(db), "15"], cwd=PROJECT_ROOT)
        for _ in range(2)
    ]

    def increment(_: int) -> None:
        with store.transaction("increment") as cur:
            value = cur.execute("SELECT v FROM counter").fetchall()[0][0]
            threading.Event().wait(0.001)  # widen the window between the read and the write
            cur.execute("UPDATE counter SET v = ?", [value + 1])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(increment, range(40)))
    assert all(p.wait(60) == 0 for p in others)
    with store.cursor() as cur:
        assert cur.execute("SELECT v FROM counter").fetchall()[0][0] == 40 + 2 * 15


def test_a_unit_inside_a_unit_keeps_the_outer_units_name_for_waiters(tmp_path: Path):
    import json

    store = Store(tmp_path / "wb.duckdb")
    holder = tmp_path / "wb.duckdb.holder"
    with store.exclusive("score the API request 7"):
        with store.transaction("record the API request 7") as cur:
            cur.execute("SELECT 1")
        assert json.loads(holder.read_text())["operation"] == "score the API request 7"
    with store.exclusive("publish the thresholds"):
        assert json.loads(holder.read_text())["operation"] == "publish the thresholds"


def test_a_shorter_note_over_a_longer_one_reads_whole(tmp_path: Path):
    import json

    from core.store.gate import _holder_text, _write_holder

    holder = tmp_path / "wb.duckdb.holder"
    _write_holder(holder, "decide and store batch 7 of a very long file name " * 4)
    _write_holder(holder, "score the API request 8")
    assert json.loads(holder.read_text())["operation"] == "score the API request 8"
    assert "« score the API request 8 »" in _holder_text(holder)
