"""Reading what a block of code enqueued, what reached the broker, and waiting for a real worker."""

from __future__ import annotations

import threading
import time

from core.tasks import _send


def enqueued(callbacks) -> list[tuple[str, tuple]]:
    """(task name, args) of every task among captured on-commit callbacks, in order."""
    return [(c.args[0], c.args[1]) for c in callbacks if getattr(c, "func", None) is _send]


class PublishedTasks:
    """Every task message actually sent to the broker (from any thread), by task name. Connect it to
    ``celery.signals.before_task_publish`` (the ``published`` fixture does)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple]] = []
        self._lock = threading.Lock()

    def __call__(self, sender=None, body=None, headers=None, **kwargs) -> None:
        args = tuple(body[0]) if isinstance(body, (list, tuple)) and body else ()
        with self._lock:
            self.sent.append((sender, args))

    def named(self, name: str) -> list[tuple]:
        return [args for sender, args in self.sent if sender == name]


def wait_until(condition, *, timeout: float = 30.0, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (its last answer): for work another
    thread or process does, such as a real Celery worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
