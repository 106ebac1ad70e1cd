"""How processes share one DuckDB file: held for an operation, then let go.

DuckDB lets one process at a time open a database file for writing. The app, the command
line, a scheduled job and a second app instance all use the same file, so none of them may
keep it open: each *operation* (a query, a transaction, a read-then-write unit) holds it.

A :class:`Gate` is the one holder of a database file inside a process, shared by every
thread and every :class:`~core.store.database.Store` on that file:

- the first operation takes an exclusive lock on ``<database>.lock`` (``fcntl.flock``, so the
  system releases it if the process dies), opens the DuckDB connection and notes who holds it
  (process, command, operation) in ``<database>.holder``;
- operations of other threads of the same process that start meanwhile share the connection
  (each on its own cursor);
- when the last one finishes, the connection lingers a quarter of a second (opening a DuckDB
  file costs about 10 ms, and a page runs dozens of queries), then is closed and the lock
  released, so another process can take its turn. A waiting process touches
  ``<database>.wait``; the holder sees it, lets its running operations finish, admits no new
  one, releases at once and steps aside briefly, so a busy app cannot starve the CLI.

A process that finds the file held waits, with a bounded patience (``store.wait_seconds``),
and says what it waits for (``on_wait`` callback and the log); past the limit it raises
:class:`~core.exceptions.StoreBusyError` naming the holder. Read-then-write units
(:meth:`Gate.exclusive`) also take an in-process lock, so two threads cannot interleave a
count and a write; across processes the file lock already serialises them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core.exceptions import StoreBusyError, StoreError

logger = logging.getLogger("core.store")

Waiting = Callable[[str], None]  # receives a message saying what the process waits for
_POLL_FIRST, _POLL_MAX = 0.005, 0.02  # seconds between two attempts (doubling)
LINGER_SECONDS = 0.25  # an idle connection stays open this long for the next operation
_WAIT_FRESH = 1.0  # a waiter's mark counts for this long after its last touch
_STEP_ASIDE = 0.05  # after yielding to a waiter, pause this long before taking it back
_NOTE_EVERY = 0.5  # the holder file is refreshed at most this often outside exclusive units
_GATES: dict[str, Gate] = {}  # one per database file in this process
_GATES_LOCK = threading.Lock()


def _release_all() -> None:
    """At exit: close idle connections cleanly (a lingering one would be torn down late)."""
    with _GATES_LOCK:
        gates = list(_GATES.values())
    for gate in gates:
        gate.release_now()


atexit.register(_release_all)


def gate_for(path: Path | str) -> Gate:
    """The process-wide gate of a database file (created on first use)."""
    key = str(path) if str(path) == ":memory:" else str(Path(path).resolve())
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = Gate(key)
        return gate


class Gate:
    """The holder of one database file in this process (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.in_memory = path == ":memory:"
        self._state = threading.Condition()
        self._users = 0
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._lock_fd: int | None = None
        self._draining = False  # a waiter was seen: finish running operations, admit none
        self._idle_since: float | None = None  # when the last operation ended (conn open)
        self._reaper: threading.Thread | None = None  # closes the connection once idle
        self._noted = 0.0  # when the holder file last said what this process does
        self._exclusive = threading.RLock()
        self._local = threading.local()  # per thread: how deep it holds the file
        self._wait_mark = Path(path + ".wait")
        self.opened = 0  # times this process took the file: for tests and benchmarks

    # ------------------------------------------------------------------ public
    @contextmanager
    def hold(
        self, what: str, *, wait_seconds: float, on_wait: Waiting | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the database for one operation; yields the shared connection."""
        deadline = time.monotonic() + wait_seconds
        nested = getattr(self._local, "depth", 0) > 0  # this thread already holds the file
        with self._state:
            while self._draining and not nested:  # let a waiting process in first
                if not self._state.wait(timeout=max(deadline - time.monotonic(), 0.001)):
                    raise _busy(Path(self.path + ".holder"), what)
            self._idle_since = None
            if not nested and self._users == 0 and self._waiter_seen():
                self._release()  # let the waiting process in before taking it back
                time.sleep(_STEP_ASIDE)
            if self._conn is None:
                left = max(deadline - time.monotonic(), 0.001)
                self._take(what, left, on_wait)
            elif self._users == 0 and time.monotonic() - self._noted > _NOTE_EVERY:
                self._note(what)  # a new burst of work: say what holds the file now
            self._users += 1
            conn = self._conn
        assert conn is not None
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield conn
        finally:
            self._local.depth -= 1
            with self._state:
                self._users -= 1
                if not self._draining and self._users and self._waiter_seen():
                    self._draining = True
                if self._users == 0 and not self.in_memory:
                    if self._draining or self._waiter_seen():
                        self._release()
                        self._draining = False
                        self._state.notify_all()
                    else:
                        self._idle_since = time.monotonic()
                        self._start_reaper()

    @contextmanager
    def exclusive(
        self, what: str, *, wait_seconds: float, on_wait: Waiting | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-then-write unit: no other unit of any thread or process runs meanwhile."""
        deadline = time.monotonic() + wait_seconds
        if not self._exclusive.acquire(timeout=wait_seconds):
            raise StoreBusyError(
                f"La base est occupée par une autre opération de ce serveur depuis plus de "
                f"{wait_seconds:g} s ; réessayez. / The database was busy with another operation "
                f"of this server for more than {wait_seconds:g} s ({what}); try again."
            )
        outer = getattr(self._local, "units", 0) == 0  # not a unit inside this thread's own
        self._local.units = getattr(self._local, "units", 0) + 1
        try:
            left = max(deadline - time.monotonic(), 0.001)
            with self.hold(what, wait_seconds=left, on_wait=on_wait) as conn:
                if outer:
                    self._note(what)  # units are the long operations: name them exactly
                yield conn
        finally:
            self._local.units -= 1
            self._exclusive.release()

    def release_now(self) -> None:
        """Close an idle connection at once (tests, and before a process exits)."""
        with self._state:
            if self._users == 0 and not self.in_memory:
                self._release()

    # ------------------------------------------------------------------ internals
    def _waiter_seen(self) -> bool:
        """True when another process marked, within the last second, that it waits."""
        try:
            if time.time() - self._wait_mark.stat().st_mtime >= _WAIT_FRESH:
                return False
            return self._wait_mark.read_text(encoding="ascii").strip() != str(os.getpid())
        except (OSError, ValueError):
            return False

    def _note(self, what: str) -> None:
        if not self.in_memory:
            _write_holder(Path(self.path + ".holder"), what)
            self._noted = time.monotonic()

    def _start_reaper(self) -> None:
        if self._reaper is None or not self._reaper.is_alive():
            self._reaper = threading.Thread(
                target=self._reap, name=f"store-linger-{Path(self.path).name}", daemon=True
            )
            self._reaper.start()

    def _reap(self) -> None:
        """Close the connection once it has been idle for LINGER_SECONDS; then stop."""
        while True:
            with self._state:
                if self._conn is None:
                    return
                if self._idle_since is not None:
                    idle = time.monotonic() - self._idle_since
                    if self._users == 0 and (idle >= LINGER_SECONDS or self._waiter_seen()):
                        self._release()
                        self._idle_since = None
                        return
            time.sleep(LINGER_SECONDS / 5)

    def _take(self, what: str, wait_seconds: float, on_wait: Waiting | None) -> None:
        if self.in_memory:
            self._conn = duckdb.connect(":memory:")
            return
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_seconds
        self._lock_fd = _lock_file(Path(self.path + ".lock"), what, deadline, on_wait)
        try:
            self._conn = _connect(self.path, what, deadline, on_wait)
            self._note(what)
        except BaseException:
            _unlock(self._lock_fd)
            self._lock_fd = None
            raise
        self.opened += 1

    def _release(self) -> None:
        self._idle_since = None
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                conn.close()
        finally:
            if self._lock_fd is not None:
                _unlock(self._lock_fd)
                self._lock_fd = None


def _lock_file(path: Path, what: str, deadline: float, on_wait: Waiting | None) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"Cannot create the lock file {path}: {exc.strerror}.") from exc
    pause, told = _POLL_FIRST, False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            os.close(fd)
            raise _busy(path.with_suffix(".holder"), what)
        if not told:
            _tell_waiting(path.with_suffix(".holder"), what, on_wait)
            told = True
        _mark_waiting(path.with_suffix(".wait"))
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, _POLL_MAX)


def _mark_waiting(mark: Path) -> None:
    """Tell the holder that a process waits (it releases as soon as it can)."""
    with contextlib.suppress(OSError):
        mark.write_text(str(os.getpid()), encoding="ascii")


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        os.close(fd)


def _connect(
    path: str, what: str, deadline: float, on_wait: Waiting | None
) -> duckdb.DuckDBPyConnection:
    """Open the file; a program outside the workbench holding it is waited for too."""
    pause, told = _POLL_FIRST, False
    while True:
        try:
            return duckdb.connect(path)
        except duckdb.Error as exc:
            text = str(exc)
            if "not a valid DuckDB database" in text:
                raise StoreError(
                    f"Cannot open the database {path}: the file is not a DuckDB database "
                    "(wrong path, or a damaged file)."
                ) from exc
            if "lock" not in text.lower() or time.monotonic() >= deadline:
                raise StoreError(f"Cannot open the database {path}: {text}") from exc
        if not told:
            message = (
                f"En attente de la base {path} : un programme hors de l'atelier la tient "
                f"ouverte. / Waiting for the database: a program outside the workbench holds "
                f"it open ({what})."
            )
            logger.warning(message)
            if on_wait is not None:
                on_wait(message)
            told = True
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, _POLL_MAX)


def _write_holder(path: Path, what: str) -> None:
    """Note who holds the file, over the previous note, padded with spaces (JSON allows them
    after the object): truncating the file first would make ext4 flush it to disk on close
    (``auto_da_alloc``), milliseconds on every read-then-write unit. A reader that catches a
    half-written note says "another process" (:func:`_holder_text`)."""
    holder = {
        "pid": os.getpid(),
        "command": " ".join(Path(a).name for a in sys.argv[:3]) or "python",
        "operation": what,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    data = json.dumps(holder, ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
        try:
            os.pwrite(fd, data.ljust(os.fstat(fd).st_size, b" "), 0)
        finally:
            os.close(fd)


def _holder_text(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return (
            f"process {holder['pid']} ({holder['command']}), operation « {holder['operation']} »"
            f" since {holder['since']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _tell_waiting(holder_path: Path, what: str, on_wait: Waiting | None) -> None:
    message = (
        f"En attente de la base de données (« {what} ») : elle est tenue par "
        f"{_holder_text(holder_path)}. / Waiting for the database ({what}): held by "
        f"{_holder_text(holder_path)}."
    )
    logger.info(message)
    if on_wait is not None:
        on_wait(message)


def _busy(holder_path: Path, what: str) -> StoreBusyError:
    held = _holder_text(holder_path)
    return StoreBusyError(
        f"La base de données est restée occupée trop longtemps (« {what} » n'a pas pu "
        f"commencer) : {held}. Réessayez dans un instant. / The database stayed busy too long "
        f"({what} could not start): {held}. Try again in a moment."
    )
