"""Interactive work first: turns for the heavy part of an upload, and jobs held back meanwhile.

In one server process, the Python part of ingesting and scoring a batch holds the
interpreter lock. Eight auditors uploading at once share it thread by thread, so each of
them waits for nearly all eight batches before seeing their own decisions, and a background
drift report started by the first upload competes with the next ones. Taking turns does not
add work, it only orders it: in arrival order, the first upload is done after one share,
the second after two, and so on.

* :class:`Turns` — a first-come, first-served gate (a ticket lock). ``with turns.turn():``
  waits for the earlier arrivals, at most ``max_wait`` seconds (then goes on anyway: a
  stuck holder never blocks the others for good), and counts as interactive work.
* :meth:`Turns.wait_until_quiet` — used by the job runner before it starts a job: waits
  while interactive work is running or ended less than ``quiet_seconds`` ago, at most
  ``max_delay`` seconds, so a report is delayed, never starved.

This only orders the work of one process; the cross-process rules (the yearly cap, the
publication) are serialised by the store's own lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnWait:
    """How a turn was obtained: seconds waited and whether the gate's wait limit ran out."""

    waited: float
    timed_out: bool


class Turns:
    def __init__(self, *, max_wait: float = 30.0, quiet_seconds: float = 0.5) -> None:
        self.max_wait = max_wait
        self.quiet_seconds = quiet_seconds
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._active = 0  # turns in progress (interactive work running)
        self._skipped: set[int] = set()  # tickets whose holders gave up waiting
        self._last_end = float("-inf")
        self._local = threading.local()

    @contextmanager
    def turn(self) -> Iterator[TurnWait]:
        """Wait for the earlier arrivals, then run the block as interactive work. Inside a
        turn of the same thread, a nested turn runs at once."""
        if getattr(self._local, "depth", 0):
            self._local.depth += 1
            try:
                yield TurnWait(0.0, False)
            finally:
                self._local.depth -= 1
            return
        start = time.monotonic()
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._active += 1
            deadline = start + self.max_wait
            while self._serving != ticket:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            timed_out = self._serving != ticket
            if timed_out:
                self._skipped.add(ticket)  # our turn, when it comes, passes straight on
        self._local.depth = 1
        try:
            yield TurnWait(time.monotonic() - start, timed_out)
        finally:
            self._local.depth = 0
            with self._cond:
                self._active -= 1
                self._last_end = time.monotonic()
                if not timed_out:
                    self._advance()
                self._cond.notify_all()

    def _advance(self) -> None:
        self._serving += 1
        while self._serving in self._skipped:  # holders that went on without their turn
            self._skipped.discard(self._serving)
            self._serving += 1

    @property
    def busy(self) -> bool:
        """Whether interactive work runs now or ended less than ``quiet_seconds`` ago."""
        with self._cond:
            return self._busy()

    def _busy(self) -> bool:
        return self._active > 0 or time.monotonic() - self._last_end < self.quiet_seconds

    def wait_until_quiet(self, max_delay: float, stop: threading.Event | None = None) -> float:
        """Wait while interactive work runs (``max_delay`` seconds at most, or until ``stop``
        is set); returns the seconds waited."""
        start = time.monotonic()
        with self._cond:
            while self._busy() and not (stop is not None and stop.is_set()):
                left = start + max_delay - time.monotonic()
                if left <= 0:
                    break
                quiet_in = self._last_end + self.quiet_seconds - time.monotonic()
                step = max(quiet_in, 0.01) if self._active == 0 else 0.25  # 0.25: sees ``stop``
                self._cond.wait(min(left, step))
        return time.monotonic() - start


INTERACTIVE = Turns()
"""The server process's gate: uploads take turns on it and the job runner waits for it."""
