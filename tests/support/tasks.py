"""Reading what a block of code enqueued through ``core.tasks.enqueue_on_commit``."""

from __future__ import annotations

from core.tasks import _send


def enqueued(callbacks) -> list[tuple[str, tuple]]:
    """(task name, args) of every task among captured on-commit callbacks, in order."""
    return [(c.args[0], c.args[1]) for c in callbacks if getattr(c, "func", None) is _send]
