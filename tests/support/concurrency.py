"""Running N callers at once against the real PostgreSQL and Redis (Oscar's ``run_concurrently``).

Each caller runs on its own thread, so on its own database connection: it connects before the start line
(the race is on the writes, not on connecting), all are released together by a barrier, and each closes
its connections when done. What a caller returns comes back in order; an exception of an ``expected``
type comes back in its place (a refusal is an answer); any other exception fails the test in the
calling thread, so an error never hides behind a count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from django.db import OperationalError, connection, connections


class CallerFailed(AssertionError):
    """A concurrent caller raised something the test did not expect (the first one is the cause)."""


def _connect(deadline: float) -> None:
    # Other test runs on the machine may hold every connection for a moment.
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run_concurrently(
    fn: Callable,
    args_list: Iterable,
    *,
    expected: type[BaseException] | tuple[type[BaseException], ...] = (),
    timeout: float = 120,
) -> list:
    """Call ``fn(*args)`` for every ``args`` in ``args_list`` (a tuple, or one value for one argument),
    all at the same moment, each on its own thread and connection. Answers the results in order."""
    calls = [args if isinstance(args, tuple) else (args,) for args in args_list]
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def caller(index: int, args: tuple) -> None:
        try:
            _connect(time.monotonic() + 30)
            barrier.wait(timeout=60)
            try:
                results[index] = fn(*args)
            except expected as exc:
                results[index] = exc
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failures.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=caller, args=(i, args)) for i, args in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        raise CallerFailed(f"{stuck} of {len(threads)} callers never finished")
    real = [f for f in failures if not isinstance(f, threading.BrokenBarrierError)] or failures
    if real:
        raise CallerFailed(f"{len(real)} of {len(threads)} callers failed, first: {real[0]!r}") from real[0]
    return results


def call_concurrently(
    functions: Sequence[Callable[[], object]],
    *,
    expected: type[BaseException] | tuple[type[BaseException], ...] = (),
    timeout: float = 120,
) -> list:
    """``run_concurrently`` for callers that differ in what they do: each function called with nothing."""
    return run_concurrently(
        lambda function: function(), [(f,) for f in functions], expected=expected, timeout=timeout
    )
