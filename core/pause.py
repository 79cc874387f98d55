"""A pause after a dependency failed: "Redis is down, don't try again until ...".

Code that fails open when a store is away (the note view counter, the personal feed's Redis) stops trying
for a while after one error: with redis-py's retries a call to a dead server takes seconds, and a page
must stay fast meanwhile. One ``DownPause`` per such use, per process.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class DownPause:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self.until = 0.0

    @property
    def active(self) -> bool:
        """Still paused: don't call the dependency."""
        return self.clock() < self.until

    def start(self) -> None:
        """It just failed: pause for ``seconds`` from now."""
        self.until = self.clock() + self.seconds

    def reset(self) -> None:
        self.until = 0.0
