"""The pause after a dependency failed (core/pause.py), on a clock the test moves."""

from __future__ import annotations

from core.pause import DownPause
from tests.support.clock import Clock


def test_a_failure_pauses_for_its_seconds_then_calls_resume():
    clock = Clock()
    pause = DownPause(30, clock=clock)
    assert pause.active is False  # nothing failed yet
    pause.start()
    assert pause.active is True
    clock.advance(29.9)
    assert pause.active is True
    clock.advance(0.1)
    assert pause.active is False


def test_a_new_failure_starts_the_pause_again_and_reset_ends_it():
    clock = Clock()
    pause = DownPause(30, clock=clock)
    pause.start()
    clock.advance(20)
    pause.start()
    clock.advance(20)
    assert pause.active is True  # 30 s from the second failure
    pause.reset()
    assert pause.active is False
