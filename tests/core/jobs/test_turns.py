"""core.jobs.turns: uploads served in arrival order; jobs wait for interactive work.

Time bounds here are behaviour (a wait lasts at least its limit), never speed: whether a
wait ended early is read from the gate's state, not from a clock.
"""

from __future__ import annotations

import threading
import time

from core.jobs.turns import Turns
from tests.helpers import held_turn


def _arrive_in_order(turns: Turns, n: int) -> list[int]:
    """``n`` threads ask for a turn one after the other; the order they got it in."""
    order: list[int] = []

    def user(i: int) -> None:
        with turns.turn():
            order.append(i)
            time.sleep(0.01)

    threads = []
    for i in range(n):
        thread = threading.Thread(target=user, args=(i,))
        threads.append(thread)
        thread.start()
        while turns._next_ticket <= i:  # this user has its ticket before the next one asks
            time.sleep(0.001)
    for thread in threads:
        thread.join(10)
    return order


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

    with held_turn(ordered := Turns()) as release:  # all six queue behind a holder
        threading.Timer(0.2, release.set).start()
        assert _arrive_in_order(ordered, 6) == list(range(6))


def test_a_waiter_goes_on_after_max_wait_and_does_not_block_the_others():
    turns = Turns(max_wait=0.2)
    with held_turn(turns), turns.turn() as impatient:
        assert impatient.timed_out and impatient.waited >= 0.2
    with turns.turn() as wait:  # the skipped ticket does not hold the next one back
        assert not wait.timed_out
    assert turns._active == 0 and turns._serving == turns._next_ticket


def test_a_turn_inside_a_turn_of_the_same_thread_runs_at_once():
    turns = Turns(max_wait=5)
    with turns.turn(), turns.turn() as inner:
        assert inner.waited == 0 and not inner.timed_out
    with turns.turn() as again:  # and the outer one was released once
        assert not again.timed_out
    assert turns._active == 0 and turns._serving == turns._next_ticket


def test_wait_until_quiet_waits_for_the_turns_and_their_quiet_time():
    turns = Turns(quiet_seconds=0.2)
    turns.wait_until_quiet(30)  # nothing interactive: returns (else 30 s, then the next)
    assert not turns.busy
    done = threading.Event()

    def user() -> None:
        with turns.turn():
            time.sleep(0.3)
        done.set()

    thread = threading.Thread(target=user)
    thread.start()
    while not turns.busy:
        time.sleep(0.001)
    waited = turns.wait_until_quiet(30)
    assert done.is_set() and not turns.busy  # after the turn and its quiet time
    assert waited >= 0.3
    thread.join(5)


def test_wait_until_quiet_gives_up_after_max_delay_or_when_stopped():
    turns = Turns()
    with held_turn(turns):
        assert turns.wait_until_quiet(0.3) >= 0.3
        assert turns.busy  # it gave up: the turn is still held
        stop = threading.Event()
        threading.Timer(0.2, stop.set).start()
        turns.wait_until_quiet(600, stop)
        assert stop.is_set() and turns.busy  # stopped, not quiet
