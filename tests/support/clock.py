"""A monotonic clock a test moves by hand, for code that takes ``clock=`` (core/pause.py,
core/replica_health.py): when something is due is the test's decision, not a sleep's."""

from __future__ import annotations


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
