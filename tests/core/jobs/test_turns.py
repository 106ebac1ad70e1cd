"""core.jobs.turns: uploads served in arrival order; jobs wait for interactive work."""

from __future__ import annotations

import threading
import time

from core.jobs.turns import Turns


def _arrive_in_order(turns: Turns, n: int, hold: float) -> tuple[list[int], list[float]]:
    """``n`` threads ask for a turn one after the other (each holds it ``hold`` s); the
    order they got it in and the seconds each waited."""
    order: list[int] = []
    waited = [0.0] * n

    def user(i: int) -> None:
        with turns.turn() as wait:
            order.append(i)
            waited[i] = wait.waited
            time.sleep(hold)

    threads = []
    for i in range(n):
        thread = threading.Thread(target=user, args=(i,))
        threads.append(thread)
        thread.start()
        while turns._next_ticket <= i:  # this user has its ticket before the next one asks
            time.sleep(0.001)
    for thread in threads:
        thread.join(10)
    return order, waited


def test_turns_are_taken_in_arrival_order_one_at_a_time():
    turns = Turns()
    inside = []
    peak = []

    def user() -> None:
        with turns.turn():
            inside.append(1)
            peak.append(len(inside))
            time.sleep(0.01)
            inside.pop()

    threads = [threading.Thread(target=user) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert max(peak) == 1 and len(peak) == 8  # never two at once, everyone served

    order, waited = _arrive_in_order(Turns(), 6, hold=0.02)
    assert order == list(range(6))
    assert waited[0] < waited[-1]


def test_a_waiter_goes_on_after_max_wait_and_does_not_block_the_others():
    turns = Turns(max_wait=0.2)
    holder_in, release = threading.Event(), threading.Event()
    outcome = {}

    def holder() -> None:
        with turns.turn():
            holder_in.set()
            release.wait(10)

    def impatient() -> None:
        with turns.turn() as wait:
            outcome["impatient"] = wait

    first = threading.Thread(target=holder)
    first.start()
    holder_in.wait(5)
    second = threading.Thread(target=impatient)
    second.start()
    second.join(5)
    assert outcome["impatient"].timed_out and outcome["impatient"].waited >= 0.2
    release.set()
    first.join(5)
    with turns.turn() as wait:  # the skipped ticket does not hold the next one back
        assert not wait.timed_out and wait.waited < 0.2
    assert turns._active == 0


def test_a_turn_inside_a_turn_of_the_same_thread_runs_at_once():
    turns = Turns(max_wait=5)
    with turns.turn(), turns.turn() as inner:
        assert inner.waited == 0 and not inner.timed_out
    with turns.turn() as again:  # and the outer one was released once
        assert not again.timed_out and again.waited < 1


def test_wait_until_quiet_waits_for_the_turns_and_their_quiet_time():
    turns = Turns(quiet_seconds=0.2)
    assert turns.wait_until_quiet(5) < 0.05  # nothing interactive: no wait
    done = threading.Event()

    def user() -> None:
        with turns.turn():
            time.sleep(0.3)
        done.set()

    thread = threading.Thread(target=user)
    thread.start()
    while not turns.busy:
        time.sleep(0.001)
    waited = turns.wait_until_quiet(5)
    assert done.is_set()
    assert waited >= 0.3  # the turn, then its quiet time
    thread.join(5)


def test_wait_until_quiet_gives_up_after_max_delay_or_when_stopped():
    turns = Turns()
    release = threading.Event()
    held = threading.Event()

    def holder() -> None:
        with turns.turn():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    start = time.monotonic()
    turns.wait_until_quiet(0.3)
    assert 0.3 <= time.monotonic() - start < 2
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    start = time.monotonic()
    turns.wait_until_quiet(30, stop)
    assert time.monotonic() - start < 2
    release.set()
    thread.join(5)
