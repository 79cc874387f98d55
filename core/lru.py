"""A small thread-safe LRU map for per-process caches of rendered markup (see community/cards.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    """At most ``size`` entries (and, with ``max_weight``, at most that total of the weights given to
    ``put``, e.g. bytes); the least recently used goes first. ``size`` 0 keeps nothing."""

    def __init__(self, size: int, *, max_weight: int = 0) -> None:
        self.size = size
        self.max_weight = max_weight
        self.weight = 0
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V, *, weight: int = 0) -> None:
        if self.size <= 0 or (self.max_weight and weight > self.max_weight):
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.weight -= old[1]
            self._data[key] = (value, weight)
            self.weight += weight
            while len(self._data) > self.size or (self.max_weight and self.weight > self.max_weight):
                _key, (_value, dropped) = self._data.popitem(last=False)
                self.weight -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.weight = 0

    def __len__(self) -> int:
        return len(self._data)
