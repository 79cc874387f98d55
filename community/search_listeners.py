"""Upper apps that hear what readers search for, without the community importing them (docs/architecture.md,
"How a lower app shows an upper app's content"): the recs app turns a reader's search words into interests.

An upper app registers a listener in its ``AppConfig.ready()``. The search page and the API call
``searched`` once per search (its first page, a query with words), after the results are read; a listener
must be cheap (a Redis pipeline, no SQL) and must never raise: a search answers whatever its listeners do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.visitor import Visitor

logger = logging.getLogger(__name__)

SearchListener = Callable[..., None]

_listeners: list[SearchListener] = []


def register_search_listener(listener: SearchListener) -> SearchListener:
    """Add ``listener(*, who: Visitor, query: str)``; registering the same function twice is a no-op
    (``ready()`` may run more than once in tests)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unregister_search_listener(listener: SearchListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def searched(*, who: Visitor, query: str) -> None:
    """Tell every listener that ``who`` searched for ``query``."""
    for listener in list(_listeners):
        try:
            listener(who=who, query=query)
        except Exception:  # a listener's slip must never cost the reader their results
            logger.exception("search listener %r failed", listener)
